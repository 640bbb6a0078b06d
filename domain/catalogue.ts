import type { ProcedureDef } from './procedure';
import { cigoProcedure } from './procedures/cigo';
import { cigsProcedure } from './procedures/cigs';
import { mobProcedure } from './procedures/collective-dismissal';
import { fisProcedure } from './procedures/fis';
import { enrolmentProcedure } from './procedures/l68-enrolment';
import { obligationProcedure } from './procedures/l68-obligation';
import { art16Procedure } from './procedures/public-hiring';
import { picProcedure } from './procedures/take-in-charge';

/** The procedures the system runs. New procedures are added here and in workflows/index.ts. */
export const PROCEDURES: readonly ProcedureDef[] = [
  cigoProcedure,
  cigsProcedure,
  fisProcedure,
  mobProcedure,
  picProcedure,
  art16Procedure,
  enrolmentProcedure,
  obligationProcedure,
];

export function findProcedure(code: string): ProcedureDef | undefined {
  return PROCEDURES.find((p) => p.code === code);
}
