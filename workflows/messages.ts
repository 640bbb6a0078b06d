/**
 * The messages every case workflow accepts. Human decisions are Updates with validators, so that a refused
 * transition is rejected synchronously and changes nothing (style.md §7); reads are Queries.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseView } from '../domain/case-model';

export interface TaskActionInput {
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
export interface NewsInput {
  type: string;
  data: Record<string, unknown>;
  actor: Actor;
}
export interface LifecycleInput {
  reason: string;
  actor: Actor;
}

export const completeTaskUpdate = defineUpdate<CaseView, [CompleteTaskInput]>('completeTask');
export const claimTaskUpdate = defineUpdate<CaseView, [TaskActionInput]>('claimTask');
export const reassignTaskUpdate = defineUpdate<CaseView, [ReassignTaskInput]>('reassignTask');
export const newsUpdate = defineUpdate<CaseView, [NewsInput]>('news');
export const suspendUpdate = defineUpdate<CaseView, [LifecycleInput]>('suspend');
export const resumeUpdate = defineUpdate<CaseView, [LifecycleInput]>('resume');
export const withdrawUpdate = defineUpdate<CaseView, [LifecycleInput]>('withdraw');
/** Waits until the case has settled (its read model written) and returns it: used right after a start. */
export const settledUpdate = defineUpdate<CaseView, []>('settled');
export const caseQuery = defineQuery<CaseView>('case');

/** A worker's take-in-charge case tells the collective-dismissal case that opened it where it stands. */
export interface WorkerStage {
  caseId: string;
  taxCode: string;
  stage: string;
}
export const workerStageSignal = defineSignal<[WorkerStage]>('workerStage');

/** An employer's obligation case tells a person's enrolment case that the person was hired through it. */
export interface L68Placed {
  employerCaseId: string;
  employer: string;
  hiredOn: string;
}
export const l68PlacedSignal = defineSignal<[L68Placed]>('l68Placed');

/**
 * Stable failure types of refused messages; the API maps them to HTTP statuses (api/errors.ts).
 */
export const REFUSALS = {
  TaskNotFound: 'TaskNotFound',
  TaskNotOpen: 'TaskNotOpen',
  TaskAssignedToOther: 'TaskAssignedToOther',
  OutcomeNotAllowed: 'OutcomeNotAllowed',
  InvalidFormData: 'InvalidFormData',
  RoleNotAllowed: 'RoleNotAllowed',
  CaseNotOpen: 'CaseNotOpen',
  CaseSuspended: 'CaseSuspended',
  CaseNotSuspended: 'CaseNotSuspended',
  NewsNotExpected: 'NewsNotExpected',
  UnknownNews: 'UnknownNews',
  InvalidInput: 'InvalidInput',
  AlreadyApplied: 'AlreadyApplied',
} as const;
export type RefusalType = keyof typeof REFUSALS;

export interface FieldIssue {
  path: string;
  message: string;
}
