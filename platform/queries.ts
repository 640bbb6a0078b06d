import type { UsedPeriod } from '../domain/procedures/cigo';
import type { Db } from './db';

/**
 * Periods that count against a production unit's wage-guarantee caps, from its other cases. A withdrawn case
 * counts for nothing; a closed one counts for what was authorised (its `countedPeriod`).
 */
export async function earlierUnitPeriods(
  db: Db,
  unitKey: string,
  excludeCaseId?: string,
): Promise<UsedPeriod[]> {
  const filter: Record<string, unknown> = { 'keys.productionUnit': unitKey, status: { $ne: 'withdrawn' } };
  if (excludeCaseId !== undefined) filter._id = { $ne: excludeCaseId };
  const docs = await db.cases.find(filter, { facts: 1 }).lean();
  const periods: UsedPeriod[] = [];
  for (const d of docs) {
    const p = (d.facts as { countedPeriod?: { from: string; to: string } | null } | undefined)?.countedPeriod;
    if (p) periods.push({ caseId: String(d._id), from: p.from, to: p.to });
  }
  return periods;
}
