import type { ProcedureDef } from './procedure';
import { cigoProcedure } from './procedures/cigo';
import { cigsProcedure } from './procedures/cigs';
import { fisProcedure } from './procedures/fis';

/** The procedures the system runs. New procedures are added here and in workflows/index.ts. */
export const PROCEDURES: readonly ProcedureDef[] = [cigoProcedure, cigsProcedure, fisProcedure];

export function findProcedure(code: string): ProcedureDef | undefined {
  return PROCEDURES.find((p) => p.code === code);
}
