import type { DeadlineCounting } from './deadlines';
/**
 * The shape of a case as the workflow keeps it and as the read model stores it. Plain JSON only: these objects
 * cross the workflow boundary (style.md §6), so dates are ISO strings.
 */
import type { CalendarProfile } from './calendar';

export type Role = 'officer' | 'supervisor' | 'integrator' | 'admin';
export const ROLES: readonly Role[] = ['officer', 'supervisor', 'integrator', 'admin'];

export interface Actor {
  sub: string;
  role: Role | 'system';
}

export const SYSTEM: Actor = { sub: 'system', role: 'system' };

export const CASE_EVENT_TYPES = [
  'CaseOpened',
  'TaskOpened',
  'TaskClaimed',
  'TaskReassigned',
  'TaskReleased',
  'TaskEscalated',
  'TaskCompleted',
  'TaskCancelled',
  'DeadlineSet',
  'DeadlineMet',
  'DeadlineMissed',
  'DocumentRecorded',
  'DocumentsRequested',
  'NewsReceived',
  'DecisionRecorded',
  'CheckRecorded',
  'AttendanceRecorded',
  'SanctionApplied',
  'StageChanged',
  'WorkerStageChanged',
  'WorkerCasesEnded',
  'ChildCasesOpened',
  'ApplicationReceived',
  'RankingPublished',
  'ReferralMade',
  'TestOutcomeRecorded',
  'DeclarationRecorded',
  'QuotaComputed',
  'AgreementChanged',
  'HireCounted',
  'CaseSuspended',
  'CaseResumed',
  'CaseWithdrawn',
  'CaseClosed',
  'CaseFailed',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

export interface CaseEvent {
  /** `<caseId>:<seq>`: unique, so a retried append never duplicates. */
  eventId: string;
  caseId: string;
  seq: number;
  type: CaseEventType;
  /** Workflow time of the event (ISO instant). */
  at: string;
  actor: Actor;
  summary: string;
  data: Record<string, unknown>;
}

/** `failed`: the case engine stopped the case (terminated, failed, timed out, lost); set by the reconciler. */
export type CaseStatus = 'open' | 'suspended' | 'closed' | 'withdrawn' | 'failed';
export type TaskStatus = 'open' | 'completed' | 'cancelled';
export type Priority = 'normal' | 'high';

export interface TaskView {
  taskId: string;
  caseId: string;
  procedure: string;
  /** The form key in the procedure definition. */
  key: string;
  title: string;
  candidateRole: Role;
  office: string;
  assignee: string | null;
  status: TaskStatus;
  priority: Priority;
  openedAt: string;
  /** The office's service target for this task (ISO instant). */
  targetAt: string;
  /** The legal deadline the task answers to, if any. */
  deadlineId: string | null;
  legalDueAt: string | null;
  escalated: boolean;
  outcomes: string[];
  completedAt: string | null;
  completedBy: string | null;
  outcome: string | null;
  data: Record<string, unknown> | null;
}

export type DeadlineStatus = 'pending' | 'met' | 'missed' | 'cancelled';

export interface DeadlineView {
  id: string;
  ruleId: string;
  title: string;
  legalBasis: string;
  trigger: string;
  theoretical: string;
  due: string;
  /** The instant the term ends (end of the due day, Italian time), shifted by any suspension. */
  dueAt: string;
  shiftedBecause: string | null;
  halved: boolean;
  status: DeadlineStatus;
  /** What happens when the term is missed. */
  consequence: string;
  /** How the term is counted, from its rule (a resume moves and rolls it the same way); absent in older cases. */
  counting?: DeadlineCounting;
}

export interface DocumentView {
  documentId: string;
  kind: string;
  title: string;
  date: string | null;
  reference: string | null;
  recordedAt: string;
  recordedBy: string;
}

export interface DecisionView {
  kind: string;
  outcome: string;
  date: string | null;
  body: string;
  details: Record<string, unknown>;
  recordedAt: string;
}

export interface CheckView {
  id: string;
  title: string;
  legalBasis: string;
  result: 'ok' | 'warning' | 'defect' | 'refused';
  explanation: string;
  figures: Record<string, unknown>;
}

export interface CaseParty {
  role: string;
  name: string;
  identifier: string | null;
}

export interface CaseView {
  caseId: string;
  procedure: string;
  procedureVersion: number;
  title: string;
  office: string;
  status: CaseStatus;
  step: string;
  parties: CaseParty[];
  /** Business keys searchable across cases (e.g. the production unit for the CIG caps). */
  keys: Record<string, string>;
  /** The production units the case covers (`<employer tax code>/<unit id>`): the wage-guarantee caps count per unit. */
  units: string[];
  input: Record<string, unknown>;
  openedAt: string;
  openedBy: Actor;
  closedAt: string | null;
  outcome: string | null;
  outcomeReason: string | null;
  suspension: { since: string; reason: string; by: string } | null;
  deadlines: DeadlineView[];
  tasks: TaskView[];
  documents: DocumentView[];
  decisions: DecisionView[];
  checks: CheckView[];
  /** Procedure-specific facts shown on the case (e.g. authorised period, weeks used). */
  facts: Record<string, unknown>;
  /** Earliest pending due instant among open tasks' targets and pending deadlines. */
  nextDueAt: string | null;
  /** The sequence of the last event applied. */
  version: number;
}

/** What the API gives the workflow when a case is opened: the input and the office snapshot. */
export interface CaseStart {
  caseId: string;
  procedure: string;
  office: string;
  officeCalendar: CalendarProfile;
  serviceTargetWorkingDays: number;
  input: Record<string, unknown>;
  openedBy: Actor;
}

/** Who a case belongs to, carried on each batch so that its events and inbox rows are scoped without a read. */
export interface CaseScope {
  caseId: string;
  procedure: string;
  office: string;
  openedBySub: string;
  title: string;
  status: CaseStatus;
}

/**
 * One member of a case kept as a row of its own (a worker of a collective dismissal): the case holds counts, the
 * API pages the rows. `key` is unique within the case (the worker's tax code).
 */
export interface MemberRow {
  key: string;
  name: string;
  office: string;
  /** The member's own case, when it has one (the worker's take-in-charge). */
  memberCaseId: string | null;
  stage: string;
  /** Anything else shown on the row (replaced as a whole by each write of the row). */
  details?: Record<string, unknown>;
  /**
   * Entries added to the row's growing lists (`lists.<name>`), which the case does not keep: a CIGS worker's
   * attendance and sanctions. Each entry is whole and unique, so a write applied twice adds it once.
   */
  append?: Record<string, Record<string, unknown>[]>;
}

/**
 * What a flush hands to the projection: the new events, the paths of the case document that changed (never the
 * whole case after the first batch), the inbox rows that changed and the member rows that changed. Its size
 * depends on what happened, not on the size of the case.
 */
export interface ProjectionDelta {
  scope: CaseScope;
  /**
   * The case's version when the write was made (its last event's number): the guard of every row it touches, which
   * is written only where the stored version is not newer (a late retry of an older write never regresses it).
   */
  write: number;
  /** True on the case's first batch (and the first of a run continued as new): the document is created. */
  create: boolean;
  events: CaseEvent[];
  set: Record<string, unknown>;
  unset: string[];
  tasks: TaskView[];
  members: MemberRow[];
  /**
   * This case's own row in its parent's member list (a worker's take-in-charge in its collective dismissal), when
   * its stage or end changed: the member case writes it, so the parent is not told of every stage.
   */
  asMember?: MemberStage;
}

/** Where a member case stands, as its row in the parent's list shows it. */
export interface MemberStage {
  parentCaseId: string;
  key: string;
  stage: string;
  ended: boolean;
}

/** What an Update answers: where the case stands after it. The full case is read from the read model. */
export interface CaseAck {
  caseId: string;
  version: number;
  status: CaseStatus;
  step: string;
}
