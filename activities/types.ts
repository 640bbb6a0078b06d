import type { ReconcileSummary } from '../platform/reconcile';
import type { ProjectionDelta } from '../domain/case-model';
import type { AdmissionContext } from '../domain/procedure';
import type { PublishedScoringRule } from '../domain/procedures/public-hiring';
import type { L68List, L68Ranking, PublishedL68Rule } from '../domain/procedures/l68-ranking';
import type { CampaignEntry, EmployerSuspension, EnrolmentSummary } from '../platform/l68';
import type { OfficeSnapshot } from '../platform/queries';
import type { UsedPeriod } from '../domain/procedures/wage-guarantee';

export interface ForwardToInpsInput {
  caseId: string;
  /** Derived from the case and step: the same forward retried is sent once. */
  idempotencyKey: string;
  dossier: Record<string, unknown>;
}

export interface ForwardReceipt {
  reference: string;
  sentAt: string;
}

/** The activities a case workflow may call. Workflows import this type only (style.md §1). */
export interface CaseActivities {
  /** Writes a case's delta to the read model (a local activity: run in the worker, its input not in history). */
  project(delta: ProjectionDelta): Promise<void>;
  /** Opens member cases (a collective dismissal's workers) as workflows of their own, once per id. */
  openMemberCases(input: {
    parentCaseId: string;
    cases: MemberCaseStart[];
  }): Promise<{ opened: number; existing: number }>;
  earlierUnitPeriods(input: { unitKey: string; excludeCaseId: string }): Promise<UsedPeriod[]>;
  forwardToInps(input: ForwardToInpsInput): Promise<ForwardReceipt>;
  /** The periods of the units' other cases and the linked cases, as the admission rules read them. */
  admissionData(input: {
    unitKeys: string[];
    linkedCaseIds: string[];
    excludeCaseId: string;
  }): Promise<AdmissionContext>;
  /** The calendar and service target a case opened now at `office` would take. */
  officeSnapshot(input: { office: string }): Promise<OfficeSnapshot>;
  /** The version of a scoring rule in force on a day (recorded in the case's history, so replays agree). */
  scoringRule(input: { scope: 'art16'; on: string }): Promise<PublishedScoringRule>;
  /** The L. 68 scoring rule in force on a day. */
  l68ScoringRule(input: { on: string }): Promise<PublishedL68Rule>;
  /** The ranking of an L. 68 list on a day, for the offices named (all when absent). */
  l68Ranking(input: { offices?: string[]; list: L68List; on: string }): Promise<L68Ranking>;
  /** The person's open enrolment, or null. */
  l68Enrolment(input: { taxCode: string }): Promise<EnrolmentSummary | null>;
  /** The periods the employer's obligation is suspended (its CIGS and collective-dismissal cases). */
  employerSuspensions(input: { employer: string }): Promise<EmployerSuspension[]>;
  /** The employers the January campaign opens a case for. */
  l68CampaignEmployers(input: { year: number }): Promise<CampaignEntry[]>;
  /** Sends a communication to an outside body (INPS, the GOL programme), once per idempotency key. */
  notify(input: NotifyInput): Promise<ForwardReceipt>;
  /** Brings the read model in step with Temporal for the cases closed since `sinceMs` (platform/reconcile.ts). */
  reconcileReadModel(input: { sinceMs: number }): Promise<ReconcileSummary>;
  /** Drops the rate-limit windows that have ended and the idempotency keys past their period; answers how many. */
  purgeExpired(): Promise<number>;
}

/** A member's case to open: the activity adds the office's calendar and target (kept out of the parent's history). */
export interface MemberCaseStart {
  workflowType: string;
  caseId: string;
  procedure: string;
  office: string;
  input: Record<string, unknown>;
  /** The member's row on the parent case, written (once) before its case opens. */
  member: { key: string; name: string };
}

export interface NotifyInput {
  caseId: string;
  idempotencyKey: string;
  to: 'INPS' | 'GOL' | 'ITL' | 'employer';
  subject: string;
  payload: Record<string, unknown>;
}
