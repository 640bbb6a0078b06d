import type { z } from 'zod';
import type { Role } from './case-model';
import type { DeadlineRule } from './deadlines';

/** One way to complete a task: its name and the form data it needs. */
export interface TaskOutcomeDef {
  title: string;
  schema: z.ZodType<Record<string, unknown>>;
}

export interface TaskFormDef {
  key: string;
  title: string;
  candidateRole: Role;
  /** Roles that may complete it besides the candidate role. */
  alsoAllowed: readonly Role[];
  outcomes: Readonly<Record<string, TaskOutcomeDef>>;
}

/** News from an outside body (INPS, Region, Ministry, the employer) that the case may be waiting for. */
export interface NewsDef {
  type: string;
  title: string;
  from: string;
  schema: z.ZodType<Record<string, unknown>>;
}

/** The catalogue entry of a procedure: everything the API needs to validate and describe it. */
export interface ProcedureDef {
  code: string;
  version: number;
  title: string;
  legalBasis: string;
  description: string;
  /** The workflow type that runs a case. */
  workflowType: string;
  startSchema: z.ZodType<Record<string, unknown>>;
  tasks: Readonly<Record<string, TaskFormDef>>;
  news: Readonly<Record<string, NewsDef>>;
  deadlineRules: readonly DeadlineRule[];
}
