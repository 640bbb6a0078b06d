import type { ProjectionBatch } from '../domain/case-model';
import type { UsedPeriod } from '../domain/procedures/cigo';

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
  project(batch: ProjectionBatch): Promise<void>;
  earlierUnitPeriods(input: { unitKey: string; excludeCaseId: string }): Promise<UsedPeriod[]>;
  forwardToInps(input: ForwardToInpsInput): Promise<ForwardReceipt>;
}
