import type { ProcedureDef } from './procedure';
import { OFFICES } from './offices';
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

/** The one line a case's workflow carries as its summary in the Temporal UI: procedure and office. */
export function caseSummaryLine(procedure: Pick<ProcedureDef, 'code' | 'title'>, office: string): string {
  const name = OFFICES.find((o) => o.code === office)?.name ?? office;
  return `${procedure.title} — ${name}`;
}
