/**
 * What the targeted-placement cases read from the read model: the enrolled people a ranking is built from, an
 * employer's suspensions (its CIGS and collective-dismissal cases), the employers the January campaign reopens,
 * and the supervisors' compliance board. Plain finds only (FerretDB v1, architecture.md).
 */
import type { IsoDate } from '../domain/dates';
import { romeDate } from '../domain/dates';
import type { L68List, L68PersonRecord, L68Ranking } from '../domain/procedures/l68-ranking';
import { l68Rank } from '../domain/procedures/l68-ranking';
import { L68I_CODE } from '../domain/procedures/l68-enrolment';
import type { ObligationStartInput } from '../domain/procedures/l68-obligation';
import { L68O_CODE } from '../domain/procedures/l68-obligation';
import type { Db } from './db';
import { longRead } from './db';
import { scoringRuleOn, scoringRuleVersion } from './queries';

/** Every person's record on the lists (of some offices), as the enrolment cases keep it. */
export async function l68People(db: Db, offices?: readonly string[]): Promise<L68PersonRecord[]> {
  const filter: Record<string, unknown> = { procedure: L68I_CODE, status: { $ne: 'withdrawn' } };
  if (offices) filter.office = { $in: offices };
  const docs = await longRead(() => db.cases.find(filter, { 'facts.record': 1 }).sort({ _id: 1 }).lean());
  return docs
    .map((d) => (d.facts as { record?: L68PersonRecord } | undefined)?.record)
    .filter((r): r is L68PersonRecord => r !== undefined);
}

export class UnknownRuleVersion extends Error {}

/**
 * The ranking of a list on a day, with the rule in force that day or a named version: the same records, version
 * and day always give the same rows.
 */
export async function l68RankingOn(
  db: Db,
  q: { offices?: readonly string[]; list: L68List; on: IsoDate; ruleVersion?: number },
): Promise<L68Ranking> {
  const rule =
    q.ruleVersion === undefined
      ? await scoringRuleOn(db, 'l68', q.on)
      : await scoringRuleVersion(db, 'l68', q.ruleVersion);
  if (!rule) throw new UnknownRuleVersion(`no L. 68 scoring rule version ${q.ruleVersion ?? ''}`);
  return l68Rank(rule, await l68People(db, q.offices), q.list, q.on);
}

export interface EmployerSuspension {
  caseId: string;
  procedure: string;
  from: IsoDate;
  to: IsoDate;
  reason: string;
}

/** CIGS causes that suspend the obligation (art. 3 c.5 L. 68/1999): all but the transition agreement. */
const SUSPENDING_CIGS = new Set(['reorganisation', 'crisis', 'solidarity']);

/**
 * Art. 3 c.5: the obligation is suspended while the employer is on CIGS (crisis, reorganisation, solidarity) and
 * for the duration of a collective-dismissal procedure. Read from those cases.
 */
export async function employerSuspensions(db: Db, employer: string): Promise<EmployerSuspension[]> {
  const docs = await longRead(() =>
    db.cases
      .find(
        { 'keys.employer': employer, procedure: { $in: ['CIGS', 'MOB'] }, status: { $ne: 'withdrawn' } },
        { procedure: 1, facts: 1, openedAt: 1, closedAt: 1, outcome: 1 },
      )
      .sort({ _id: 1 })
      .lean(),
  );
  const out: EmployerSuspension[] = [];
  for (const d of docs) {
    const facts = (d.facts ?? {}) as {
      countedPeriod?: { from: string; to: string } | null;
      cigsCause?: string;
      procedureEndedOn?: string | null;
    };
    if (d.procedure === 'CIGS') {
      if (!facts.countedPeriod || !SUSPENDING_CIGS.has(facts.cigsCause ?? '')) continue;
      out.push({
        caseId: String(d._id),
        procedure: 'CIGS',
        ...facts.countedPeriod,
        reason: `CIGS for ${facts.cigsCause ?? 'crisis'} (L. 68/1999 art. 3 c.5)`,
      });
    } else {
      if (d.outcome === 'refused') continue;
      const to = facts.procedureEndedOn ?? (d.closedAt ? romeDate(Date.parse(d.closedAt)) : '9999-12-31');
      out.push({
        caseId: String(d._id),
        procedure: 'MOB',
        from: romeDate(Date.parse(d.openedAt)),
        to,
        reason: 'collective-dismissal procedure (L. 68/1999 art. 3 c.5)',
      });
    }
  }
  return out;
}

export interface CampaignEntry {
  office: string;
  input: ObligationStartInput;
}

/** The employers with an obligation case last year and none yet this year: the January campaign reopens them. */
export async function campaignEmployers(db: Db, year: number): Promise<CampaignEntry[]> {
  const [last, current] = await Promise.all([
    longRead(() =>
      db.cases
        .find({ procedure: L68O_CODE, 'keys.year': String(year - 1), status: { $ne: 'withdrawn' } })
        .sort({ _id: 1 })
        .lean(),
    ),
    longRead(() => db.cases.find({ procedure: L68O_CODE, 'keys.year': String(year) }, { keys: 1 }).lean()),
  ]);
  const done = new Set(current.map((d) => d.keys?.employer));
  const out: CampaignEntry[] = [];
  for (const d of last) {
    const input = d.input as ObligationStartInput;
    if (done.has(input.employer.taxCode)) continue;
    done.add(input.employer.taxCode);
    const carry = (d.facts as { carryOver?: ObligationStartInput['previous'] }).carryOver;
    out.push({
      office: d.office,
      input: {
        employer: input.employer,
        year,
        ...(carry ? { previous: { ...carry, caseId: String(d._id) } } : {}),
      },
    });
  }
  return out;
}

export interface EnrolmentSummary {
  caseId: string;
  office: string;
  list: L68List;
  status: string;
  enrolledOn: IsoDate | null;
}

/** The person's open enrolment, if any: what a nominative request is checked against. */
export async function enrolmentOf(db: Db, taxCode: string): Promise<EnrolmentSummary | null> {
  const d = await db.cases
    .findOne({ procedure: L68I_CODE, 'keys.person': taxCode, status: { $in: ['open', 'suspended'] } })
    .lean();
  if (!d) return null;
  const facts = d.facts as { status?: string; record?: L68PersonRecord };
  return {
    caseId: String(d._id),
    office: d.office,
    list: facts.record?.list ?? 'art1',
    status: facts.status ?? 'checking',
    enrolledOn: facts.record?.enrolledOn ?? null,
  };
}
