import type { ProcedureDef } from './procedure';
import { cigoProcedure } from './procedures/cigo';

/** The procedures the system runs. New procedures are added here and in workflows/index.ts. */
export const PROCEDURES: readonly ProcedureDef[] = [cigoProcedure];

export function findProcedure(code: string): ProcedureDef | undefined {
  return PROCEDURES.find((p) => p.code === code);
}
