import type { z } from 'zod';
import type { Role } from './case-model';
import type { IsoDate } from './dates';
import type { DeadlineRule } from './deadlines';
import type { UsedPeriod } from './procedures/wage-guarantee';

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

/**
 * The outside parties an integrator may relay news for, as its token says (`relays`). An integrator's token
 * without the claim is an employer's portal: `employer` only.
 */
export const RELAYS = [
  'employer',
  'inps',
  'ministry',
  'region',
  'training-body',
  'public-body',
  'national-portal',
  'person',
  'candidate',
] as const;
export type Relay = (typeof RELAYS)[number];

/**
 * Relays of institutions: an integrator holding one relays that body's news to any case of the procedure, not
 * only to the cases it opened (the other relays speak for a party of the case, which opened it).
 */
export const INSTITUTIONAL_RELAYS: readonly Relay[] = [
  'inps',
  'ministry',
  'region',
  'training-body',
  'public-body',
  'national-portal',
];

/** News from an outside body (INPS, Region, Ministry, the employer) that the case may be waiting for. */
export interface NewsDef {
  type: string;
  title: string;
  from: string;
  /**
   * Who may send it besides the office's staff (who record what reached them officially): integrators holding
   * one of these relays. The INPS decision: `inps` only, never the employer's portal. `anyone`: every
   * authenticated caller (an application to a public notice).
   */
  relays: readonly Relay[] | 'anyone';
  schema: z.ZodType<Record<string, unknown>>;
}

/** Who works most tasks: an officer of the case's office, or a supervisor or administrator in their place. */
export const OFFICE_STAFF = { candidateRole: 'officer', alsoAllowed: ['supervisor', 'admin'] } as const;

/** Why the law refuses a start, with the rule and the arithmetic (a 422 at the API; a refused case in a workflow). */
export interface Refusal {
  slug: string;
  detail: string;
  rule: string;
  figures?: Record<string, unknown>;
}

/** What the read model says of a case another one refers to (e.g. the CIGS a transition agreement follows). */
export interface LinkedCase {
  caseId: string;
  procedure: string;
  status: string;
  outcome: string | null;
  keys: Record<string, string>;
  facts: Record<string, unknown>;
}

export interface AdmissionContext {
  today: IsoDate;
  /** Periods of the production units' other cases that count against the caps, by unit key. */
  periodsByUnit: Record<string, UsedPeriod[]>;
  /** The open (or suspended) other cases that cover each unit key, e.g. a person's enrolment. */
  openCasesByUnit: Record<string, string[]>;
  linked: Record<string, LinkedCase | null>;
}

/** Rules that refuse a start before any case exists; the workflow applies them again on what it reads itself. */
export interface AdmissionDef {
  unitKeys(input: Record<string, unknown>): string[];
  linkedCaseIds?(input: Record<string, unknown>): string[];
  check(input: Record<string, unknown>, ctx: AdmissionContext): Refusal | null;
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
  admission?: AdmissionDef;
}
