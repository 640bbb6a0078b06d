import type { CaseStart } from '../domain/case-model';
import { romeDate } from '../domain/dates';
import { findOffice, officeCalendar } from '../domain/offices';
import type { AdmissionContext, LinkedCase } from '../domain/procedure';
import type { UsedPeriod } from '../domain/procedures/wage-guarantee';
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
  const filter: Record<string, unknown> = {
    $or: [{ units: unitKey }, { 'keys.productionUnit': unitKey }],
    status: { $ne: 'withdrawn' },
  };
  if (excludeCaseId !== undefined) filter._id = { $ne: excludeCaseId };
  const docs = await db.cases.find(filter, { facts: 1, procedure: 1 }).lean();
  const periods: UsedPeriod[] = [];
  for (const d of docs) {
    const facts = (d.facts ?? {}) as {
      countedPeriod?: { from: string; to: string } | null;
      cigsCause?: string | null;
    };
    const p = facts.countedPeriod;
    if (p) {
      periods.push({
        caseId: String(d._id),
        from: p.from,
        to: p.to,
        scheme: d.procedure,
        cause: facts.cigsCause ?? null,
      });
    }
  }
  return periods;
}

/** The periods of several units at once, keyed by unit. */
export async function periodsByUnit(
  db: Db,
  unitKeys: readonly string[],
  excludeCaseId?: string,
): Promise<Record<string, UsedPeriod[]>> {
  const out: Record<string, UsedPeriod[]> = {};
  for (const key of unitKeys) out[key] = await earlierUnitPeriods(db, key, excludeCaseId);
  return out;
}

/** What the read model knows of other cases, as a start's admission rules need it. */
export async function admissionContext(
  db: Db,
  unitKeys: readonly string[],
  linkedCaseIds: readonly string[],
  excludeCaseId?: string,
): Promise<AdmissionContext> {
  const linked: Record<string, LinkedCase | null> = {};
  for (const id of linkedCaseIds) {
    const d = await db.cases.findById(id, { procedure: 1, status: 1, outcome: 1, keys: 1, facts: 1 }).lean();
    linked[id] = d
      ? {
          caseId: String(d._id),
          procedure: d.procedure,
          status: d.status,
          outcome: d.outcome ?? null,
          keys: d.keys ?? {},
          facts: d.facts ?? {},
        }
      : null;
  }
  return {
    today: romeDate(Date.now()),
    periodsByUnit: await periodsByUnit(db, unitKeys, excludeCaseId),
    linked,
  };
}

export type OfficeSnapshot = Pick<CaseStart, 'officeCalendar' | 'serviceTargetWorkingDays'>;

/** What a case takes from its office when it opens: the calendar (with extra closing days) and the service target. */
export async function officeSnapshot(db: Db, code: string): Promise<OfficeSnapshot | null> {
  const office = findOffice(code);
  if (!office) return null;
  const stored = await db.offices.findById(code).lean();
  const calendar = officeCalendar(office);
  return {
    // Extra closing days set by an administrator count as holidays for this office's terms and targets.
    officeCalendar: { ...calendar, closingDays: [...calendar.closingDays, ...(stored?.closingDays ?? [])] },
    serviceTargetWorkingDays: stored?.serviceTargetWorkingDays ?? office.serviceTargetWorkingDays,
  };
}
