/**
 * The messages every case workflow accepts. Human decisions are Updates with validators, so that a refused
 * transition is rejected synchronously and changes nothing (style.md §7); reads are Queries.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseAck, CaseView } from '../domain/case-model';

/**
 * Who may see the case, as the API knows the caller: an office list (null: every office) and, for an integrator,
 * the opener it must be. A case outside the scope refuses with `CaseNotFound`, so the API need not read it first.
 */
export interface CallerScope {
  offices: string[] | null;
  openedBySub: string | null;
  /** An API key limited to some procedures sees only their cases. */
  procedures?: string[];
}

interface Scoped {
  scope?: CallerScope;
  /** The version the caller saw (`If-Match`): the action is refused if the case has moved on since. */
  ifVersion?: number;
}

export interface TaskActionInput extends Scoped {
  taskId: string;
  actor: Actor;
}
export interface CompleteTaskInput extends TaskActionInput {
  outcome: string;
  data: Record<string, unknown>;
}
export interface ReassignTaskInput extends TaskActionInput {
  /** null puts the task back in the office's unassigned pool. */
  assignee: string | null;
  reason: string;
}
export interface ReleaseTaskInput extends TaskActionInput {
  reason: string;
}
export interface NewsInput extends Scoped {
  type: string;
  data: Record<string, unknown>;
  actor: Actor;
  /** The outside parties the sender relays news for (an integrator's token); staff relay any news they received. */
  relays?: string[];
}
export interface LifecycleInput extends Scoped {
  reason: string;
  actor: Actor;
}

// Updates answer where the case stands (small: an Update's result is stored in history); the case itself is read
// from the read model, written by the time the Update answers.
export const completeTaskUpdate = defineUpdate<CaseAck, [CompleteTaskInput]>('completeTask');
export const claimTaskUpdate = defineUpdate<CaseAck, [TaskActionInput]>('claimTask');
export const reassignTaskUpdate = defineUpdate<CaseAck, [ReassignTaskInput]>('reassignTask');
/** Puts a claimed task back in the office's pool: its assignee (claimed by mistake), or a supervisor. */
export const releaseTaskUpdate = defineUpdate<CaseAck, [ReleaseTaskInput]>('releaseTask');
export const newsUpdate = defineUpdate<CaseAck, [NewsInput]>('news');
export const suspendUpdate = defineUpdate<CaseAck, [LifecycleInput]>('suspend');
export const resumeUpdate = defineUpdate<CaseAck, [LifecycleInput]>('resume');
export const withdrawUpdate = defineUpdate<CaseAck, [LifecycleInput]>('withdraw');
/** Waits until the case has settled (its read model written): sent with the start (update-with-start). */
export const settledUpdate = defineUpdate<CaseAck, []>('settled');
export const caseQuery = defineQuery<CaseView>('case');

/**
 * A worker's take-in-charge case tells the collective-dismissal case that opened it that it has ended (cases
 * started before MEMBERS_WRITE_OWN_ROWS also told it each stage).
 */
export interface WorkerStage {
  caseId: string;
  taxCode: string;
  stage: string;
  /** Sent once, when the worker's case has ended. */
  ended?: boolean;
}
export const workerStageSignal = defineSignal<[WorkerStage]>('workerStage');
/** The patch from which member cases write their own rows and signal only their end (style.md §15). */
export const MEMBERS_WRITE_OWN_ROWS = 'members-write-own-rows';

/** An employer's obligation case tells a person's enrolment case that the person was hired through it. */
export interface L68Placed {
  employerCaseId: string;
  employer: string;
  hiredOn: string;
}
export const l68PlacedSignal = defineSignal<[L68Placed]>('l68Placed');

/**
 * Stable failure types of refused messages; the API maps them to HTTP statuses (api/service.ts).
 */
export const REFUSALS = {
  CaseNotFound: 'CaseNotFound',
  TaskNotFound: 'TaskNotFound',
  TaskNotOpen: 'TaskNotOpen',
  TaskAssignedToOther: 'TaskAssignedToOther',
  TaskNotClaimed: 'TaskNotClaimed',
  OutcomeNotAllowed: 'OutcomeNotAllowed',
  InvalidFormData: 'InvalidFormData',
  RoleNotAllowed: 'RoleNotAllowed',
  CaseNotOpen: 'CaseNotOpen',
  CaseSuspended: 'CaseSuspended',
  CaseNotSuspended: 'CaseNotSuspended',
  NewsNotExpected: 'NewsNotExpected',
  UnknownNews: 'UnknownNews',
  NewsSenderNotAllowed: 'NewsSenderNotAllowed',
  InvalidInput: 'InvalidInput',
  AlreadyApplied: 'AlreadyApplied',
  VersionMismatch: 'VersionMismatch',
} as const;
export type RefusalType = keyof typeof REFUSALS;

export interface FieldIssue {
  path: string;
  message: string;
}

/** A webhook dispatcher (workflows/webhooks.ts): deliver again from this feed position (inclusive), un-parking. */
export const redeliverSignal = defineSignal<[{ from: string }]>('redeliver');
/** A webhook dispatcher's subscription was deleted: the dispatcher ends. */
export const stopSignal = defineSignal('stop');
