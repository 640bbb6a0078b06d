import type { CaseStart } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import { romeDate } from '../domain/dates';
import { findOffice, officeCalendar } from '../domain/offices';
import type { AdmissionContext, LinkedCase } from '../domain/procedure';
import type { PublishedScoringRule, ScoringRule } from '../domain/procedures/public-hiring';
import { DEFAULT_SCORING_RULE } from '../domain/procedures/public-hiring';
import type { L68ScoringRule, PublishedL68Rule } from '../domain/procedures/l68-ranking';
import { DEFAULT_L68_RULE } from '../domain/procedures/l68-ranking';
import type { UsedPeriod } from '../domain/procedures/wage-guarantee';
import type { CaseDoc, Db } from './db';
import { isDuplicateKey } from './db';

/**
 * Periods that count against a production unit's wage-guarantee caps, from its other cases. A withdrawn case
 * counts for nothing; a closed one counts for what was authorised (its `countedPeriod`).
 */
export async function earlierUnitPeriods(
  db: Db,
  unitKey: string,
  excludeCaseId?: string,
): Promise<UsedPeriod[]> {
  const docs = await casesOfUnits(db, [unitKey], excludeCaseId);
  return periodsByUnit(docs, [unitKey])[unitKey] ?? [];
}

/**
 * The cases other than `excludeCaseId` that cover each of `unitKeys`, by id and oldest first, read through the
 * unit rows (a read per unit, then one per case: the cost is that of the unit's own cases).
 */
async function casesOfUnits(
  db: Db,
  unitKeys: readonly string[],
  excludeCaseId: string | undefined,
): Promise<CaseDoc[]> {
  const rows = await Promise.all(unitKeys.map((k) => db.unitCases.findById(k).lean()));
  const ids = [...new Set(rows.flatMap((r) => r?.cases ?? []))].filter((id) => id !== excludeCaseId).sort();
  const docs = await Promise.all(
    ids.map((id) => db.cases.findById(id, { facts: 1, procedure: 1, units: 1, keys: 1, status: 1 }).lean()),
  );
  return docs.filter((d): d is NonNullable<typeof d> => d !== null);
}

/** Records that `caseId` covers each of `unitKeys` (idempotent: a case is listed once per unit). */
export async function indexCaseUnits(db: Db, caseId: string, unitKeys: readonly string[]): Promise<void> {
  // One update per unit (a batched upsert costs a scan of the collection on FerretDB).
  await Promise.all(
    unitKeys.map((u) =>
      db.unitCases.updateOne({ _id: u }, { $addToSet: { cases: caseId } }, { upsert: true }),
    ),
  );
}

/** The units a case covers (`units`, or `keys.productionUnit` for a case that names only that). */
function unitsOf(d: Pick<CaseDoc, 'units' | 'keys'>): Set<string> {
  return new Set([...(d.units ?? []), ...(d.keys?.productionUnit ? [d.keys.productionUnit] : [])]);
}

/** The periods that `docs` (the units' cases, by id) used of each unit, keyed by unit. */
function periodsByUnit(docs: readonly CaseDoc[], unitKeys: readonly string[]): Record<string, UsedPeriod[]> {
  const out: Record<string, UsedPeriod[]> = Object.fromEntries(unitKeys.map((k) => [k, []]));
  // In the order of their ids, so that the arithmetic always lists the same cases the same way.
  for (const d of docs) {
    if (d.status === 'withdrawn') continue;
    const facts = (d.facts ?? {}) as {
      countedPeriod?: { from: string; to: string } | null;
      cigsCause?: string | null;
    };
    const p = facts.countedPeriod;
    if (!p) continue;
    const covered = unitsOf(d);
    for (const key of unitKeys) {
      if (!covered.has(key)) continue;
      out[key]?.push({
        caseId: String(d._id),
        from: p.from,
        to: p.to,
        scheme: d.procedure,
        cause: facts.cigsCause ?? null,
      });
    }
  }
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
  // The units' cases are read once, for both the periods used and the cases still open.
  const docs = await casesOfUnits(db, unitKeys, excludeCaseId);
  return {
    today: romeDate(Date.now()),
    periodsByUnit: periodsByUnit(docs, unitKeys),
    openCasesByUnit: openCasesByUnit(docs, unitKeys),
    linked,
  };
}

/** The open or suspended cases among `docs` that list each unit key, oldest first. */
function openCasesByUnit(docs: readonly CaseDoc[], unitKeys: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(unitKeys.map((k) => [k, []]));
  for (const d of docs) {
    if (d.status !== 'open' && d.status !== 'suspended') continue;
    for (const key of d.units ?? []) out[key]?.push(String(d._id));
  }
  return out;
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

export type RuleScope = 'art16' | 'l68';
/** The published rule of each scope, and what an administrator sends to publish one. */
export interface RuleOf {
  art16: PublishedScoringRule;
  l68: PublishedL68Rule;
}
export interface RuleInputOf {
  art16: ScoringRule;
  l68: L68ScoringRule;
}
export const DEFAULT_RULES: { [S in RuleScope]: RuleOf[S] } = {
  art16: DEFAULT_SCORING_RULE,
  l68: DEFAULT_L68_RULE,
};

/** Every published version of a scoring rule, oldest first; the shipped default when none was published. */
export async function scoringRules<S extends RuleScope>(db: Db, scope: S): Promise<RuleOf[S][]> {
  const docs = await db.scoringRules.find({ scope }).sort({ version: 1 }).lean();
  if (docs.length === 0) return [DEFAULT_RULES[scope]];
  return docs.map(({ _id, ...rest }) => ({ ...rest, scope }) as unknown as RuleOf[S]);
}

/** The version in force on a day: the latest published version whose validFrom is not after it. */
export async function scoringRuleOn<S extends RuleScope>(db: Db, scope: S, on: IsoDate): Promise<RuleOf[S]> {
  const versions = (await scoringRules(db, scope)).filter((r) => r.validFrom <= on);
  return versions[versions.length - 1] ?? DEFAULT_RULES[scope];
}

/** One published version, or null. */
export async function scoringRuleVersion<S extends RuleScope>(
  db: Db,
  scope: S,
  version: number,
): Promise<RuleOf[S] | null> {
  return (await scoringRules(db, scope)).find((r) => r.version === version) ?? null;
}

/** Publishes a new version (the next number); a concurrent publication gets the one after. */
export async function publishScoringRule<S extends RuleScope>(
  db: Db,
  scope: S,
  rule: RuleInputOf[S],
  by: string,
): Promise<RuleOf[S]> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const latest = await db.scoringRules.findOne({ scope }).sort({ version: -1 }).lean();
    const version = (latest?.version ?? DEFAULT_RULES[scope].version) + 1;
    const published = {
      ...rule,
      scope,
      version,
      publishedAt: new Date().toISOString(),
      publishedBy: by,
    } as unknown as RuleOf[S];
    try {
      await db.scoringRules.create({ _id: `${scope}:v${version}`, ...published });
      return published;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new Error('could not publish the scoring rule: too many concurrent publications');
}
