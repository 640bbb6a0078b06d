/**
 * The office's figures (issue 14): what the supervisors' dashboard and `GET /v1/analytics/...` read, kept up to
 * date by the projection as cases move, so that no figure loads every case.
 *
 * Facts: each fact settled is a small document of its own (`analytics_facts`, `<office>:<day>:<kind>:<fact id>`),
 * inserted once: a task completed (within its service target or not), a legal term met or missed, a case closed or
 * withdrawn (its lead time in working days net of suspensions), a satisfaction answer. Its id is made of what cannot
 * change once settled, so a retried or repeated write adds nothing twice (the insert is refused as a duplicate);
 * and no two writers ever update one document (FerretDB v1 loses concurrent updates of a document: 32 of 200
 * concurrent `$addToSet`s kept, measured). A day's facts are read as one range of ids.
 *
 * Summaries: what a figure needs of a day or a month is a few counts and two histograms per procedure (lead days,
 * scores), cached in `analytics_summaries`. Every write of facts then sets a fresh stamp on its day and its month
 * (`analytics_stamps`, after the entries); a cached summary is used only while it carries its day's or month's
 * current stamp, and is computed again (from the day's entries, or from the month's day summaries) otherwise. So
 * a year of figures reads about 12 month summaries and 31 day summaries per office, whatever the volume, and a
 * late write (a projection retried after an outage) is never missed. Both MongoDB and FerretDB v1 run it: no
 * `$group`, only reads by `_id` and by a range of `_id` (pushed down to FerretDB's index by scripts/ferretdb's patch).
 */
import type { CaseEvent, CaseScope, TaskView } from '../domain/case-model';
import type { CalendarProfile } from '../domain/calendar';
import { workingDaysBetween } from '../domain/calendar';
import { romeDate } from '../domain/dates';
import { findOffice, officeCalendar } from '../domain/offices';
import type { Db } from './db';
import { driverCollection, isDuplicateKey, longRead } from './db';
import { ulid } from 'ulid';

/** A task completed: within its service target (the one-working-day promise) or late. */
export interface TaskFact {
  id: string;
  procedure: string;
  key: string;
  by: string | null;
  at: string;
  within: boolean;
}
/** A legal term settled: met or missed. */
export interface TermFact {
  id: string;
  procedure: string;
  rule: string | null;
  at: string;
  met: boolean;
}
/** A case ended: its outcome and lead time (working days after the day it opened, net of suspensions). */
export interface CaseFact {
  id: string;
  procedure: string;
  at: string;
  outcome: string;
  leadDays: number | null;
}
/** One answer to the satisfaction survey of a closed case (1–5). */
export interface SurveyFact {
  id: string;
  procedure: string;
  at: string;
  score: number;
}

export interface Facts {
  tasks: TaskFact[];
  terms: TermFact[];
  cases: CaseFact[];
  surveys: SurveyFact[];
}

type Kind = keyof Facts;
/** One fact as stored: its kind and office, the fact itself. */
export interface AnalyticsFactDoc {
  _id: string;
  office: string;
  day: string;
  kind: Kind;
  fact: TaskFact | TermFact | CaseFact | SurveyFact;
}

/** What the figures need of one procedure in a day or a month. */
export interface ProcedureFigures {
  tasks: number;
  within: number;
  terms: number;
  met: number;
  /** Closed cases (withdrawn ones excluded) by lead time in working days. */
  lead: Record<string, number>;
  withdrawn: number;
  /** Survey answers by score (1–5). */
  scores: Record<string, number>;
}
/** A day's or a month's figures, by procedure. */
export type Summary = Record<string, ProcedureFigures>;

/** A cached summary (`day:<office>:<date>`, `month:<office>:<YYYY-MM>`) and the stamp it was computed at. */
export interface SummaryDoc {
  _id: string;
  stamp: string;
  summary: Summary;
}
/** The stamp of a day or a month (same ids): set anew by every write of facts to it. */
export interface StampDoc {
  _id: string;
  stamp: string;
}

/** The Italian day (`YYYY-MM-DD`) of an instant. */
export function dayOf(instant: string): string {
  return romeDate(Date.parse(instant));
}
/** The Italian month (`YYYY-MM`) of an instant. */
export function monthOf(instant: string): string {
  return dayOf(instant).slice(0, 7);
}

/**
 * Working days after the day a case opened up to the day it ended, less those that passed while it stood suspended
 * (counted the same way): a case opened and closed on one day took 0, one closed the next working day 1.
 */
export function leadWorkingDays(
  openedAt: string,
  endedAt: string,
  suspensions: readonly { from: string; to: string }[],
  calendar: CalendarProfile,
): number {
  const day = (iso: string): string => romeDate(Date.parse(iso));
  const total = workingDaysBetween(day(openedAt), day(endedAt), calendar);
  const paused = suspensions.reduce(
    (sum, s) => sum + workingDaysBetween(day(s.from), day(s.to), calendar),
    0,
  );
  return Math.max(0, total - paused);
}

function calendarOf(office: string): CalendarProfile | null {
  const o = findOffice(office);
  return o ? officeCalendar(o) : null;
}

function isSuspensions(v: unknown): v is { from: string; to: string }[] {
  return (
    Array.isArray(v) &&
    v.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as Record<string, unknown>).from === 'string' &&
        typeof (s as Record<string, unknown>).to === 'string',
    )
  );
}

/** The facts a projection write settles: from its completed task rows and its events. */
export function factsOf(
  scope: CaseScope,
  tasks: readonly TaskView[],
  events: readonly CaseEvent[],
): { tasks: TaskFact[]; terms: TermFact[]; cases: CaseFact[] } {
  const taskFacts = tasks
    .filter((t) => t.status === 'completed' && t.completedAt !== null)
    .map((t): TaskFact => ({
      id: t.taskId,
      procedure: scope.procedure,
      key: t.key,
      by: t.completedBy,
      at: t.completedAt as string,
      within: Date.parse(t.completedAt as string) <= Date.parse(t.targetAt),
    }));
  const terms: TermFact[] = [];
  const cases: CaseFact[] = [];
  for (const e of events) {
    if (e.type === 'DeadlineMet' || e.type === 'DeadlineMissed') {
      terms.push({
        id: `${scope.caseId}:${String(e.data.deadlineId)}`,
        procedure: scope.procedure,
        rule: typeof e.data.ruleId === 'string' ? e.data.ruleId : null,
        at: e.at,
        met: e.type === 'DeadlineMet',
      });
    }
    if (e.type === 'CaseClosed' || e.type === 'CaseWithdrawn') {
      const calendar = calendarOf(scope.office);
      const openedAt = typeof e.data.openedAt === 'string' ? e.data.openedAt : null;
      const suspensions = isSuspensions(e.data.suspensions) ? e.data.suspensions : [];
      cases.push({
        id: scope.caseId,
        procedure: scope.procedure,
        at: e.at,
        outcome:
          e.type === 'CaseWithdrawn'
            ? 'withdrawn'
            : typeof e.data.outcome === 'string'
              ? e.data.outcome
              : 'closed',
        // Cases that ended before their closing event carried when they opened have no lead time.
        leadDays: openedAt && calendar ? leadWorkingDays(openedAt, e.at, suspensions, calendar) : null,
      });
    }
  }
  return { tasks: taskFacts, terms, cases };
}

/**
 * Adds facts to their office's day rows (one idempotent update per day touched), then stamps those days and their
 * months afresh, so that their cached summaries are computed again.
 */
export async function recordFacts(db: Db, office: string, facts: Partial<Facts>): Promise<void> {
  const docs: AnalyticsFactDoc[] = [];
  for (const [kind, items] of Object.entries(facts) as [Kind, Facts[Kind]][]) {
    for (const fact of items ?? []) {
      const day = dayOf(fact.at);
      docs.push({ _id: `${office}:${day}:${kind}:${fact.id}`, office, day, kind, fact });
    }
  }
  if (docs.length === 0) return;
  try {
    await driverCollection(db.analyticsFacts).insertMany(docs, { ordered: false });
  } catch (err) {
    // Written before (a retried projection): each fact once.
    if (!isDuplicateKey(err)) throw err;
  }
  // After the facts: a reader who sees the new stamp finds them. Each stamp is written whole, so concurrent
  // writers leave one of their stamps, always one written after its own facts.
  const stamp = ulid();
  const ids = new Set(
    docs.flatMap((d) => [`day:${office}:${d.day}`, `month:${office}:${d.day.slice(0, 7)}`]),
  );
  await Promise.all([...ids].map((id) => setStamp(db, id, stamp)));
}

/**
 * Sets a stamp (`analytics_stamps`) anew, whole: of concurrent writers one stamp stays, each written after its
 * writer's rows. The figures' days and months and the backlog's buckets are stamped so.
 */
export async function setStamp(db: Db, id: string, stamp: string = ulid()): Promise<void> {
  const set = (): Promise<unknown> =>
    driverCollection(db.analyticsStamps).updateOne({ _id: id }, { $set: { stamp } }, { upsert: true });
  try {
    await set();
  } catch (err) {
    // Two first writes of a stamp at once: the row exists now.
    if (!isDuplicateKey(err)) throw err;
    await set();
  }
}

/**
 * Caches what was computed at `stamp` (`analytics_summaries`, the stamp's id): a reader checks it against the
 * current stamp before using it.
 */
export async function storeCached(
  db: Db,
  id: string,
  stamp: string,
  fields: Record<string, unknown>,
): Promise<void> {
  try {
    await driverCollection(db.analyticsSummaries).updateOne(
      { _id: id },
      { $set: { stamp, ...fields } },
      { upsert: true },
    );
  } catch (err) {
    // Another reader cached it at the same moment: either copy is checked against the stamp when read.
    if (!isDuplicateKey(err)) throw err;
  }
}

function emptyFigures(): ProcedureFigures {
  return { tasks: 0, within: 0, terms: 0, met: 0, lead: {}, withdrawn: 0, scores: {} };
}

function figuresOf(summary: Summary, procedure: string): ProcedureFigures {
  return (summary[procedure] ??= emptyFigures());
}

/** A day's figures from its entries. */
export function summarise(f: Facts): Summary {
  const out: Summary = {};
  for (const t of f.tasks) {
    const x = figuresOf(out, t.procedure);
    x.tasks += 1;
    if (t.within) x.within += 1;
  }
  for (const t of f.terms) {
    const x = figuresOf(out, t.procedure);
    x.terms += 1;
    if (t.met) x.met += 1;
  }
  for (const c of f.cases) {
    const x = figuresOf(out, c.procedure);
    if (c.outcome === 'withdrawn') x.withdrawn += 1;
    else if (c.leadDays !== null) x.lead[c.leadDays] = (x.lead[c.leadDays] ?? 0) + 1;
  }
  for (const a of f.surveys) {
    const x = figuresOf(out, a.procedure);
    x.scores[a.score] = (x.scores[a.score] ?? 0) + 1;
  }
  return out;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Several summaries as one. */
export function mergeSummaries(summaries: readonly Summary[]): Summary {
  const out: Summary = {};
  for (const s of summaries) {
    for (const [procedure, f] of Object.entries(s)) {
      const x = figuresOf(out, procedure);
      x.tasks += f.tasks;
      x.within += f.within;
      x.terms += f.terms;
      x.met += f.met;
      x.withdrawn += f.withdrawn;
      addCounts(x.lead, f.lead);
      addCounts(x.scores, f.scores);
    }
  }
  return out;
}

/** The days of a month (`YYYY-MM`). */
export function daysOf(month: string): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days: string[] = [];
  for (let d = 1; d <= new Date(Date.UTC(y, m, 0)).getUTCDate(); d += 1) {
    days.push(`${month}-${String(d).padStart(2, '0')}`);
  }
  return days;
}

/**
 * A cached summary while its stamp is current, or `compute()` stored with the stamp read before it (a write in
 * between leaves a newer stamp, so the next read computes again). No stamp: nothing was ever written there.
 */
async function cached(db: Db, id: string, compute: () => Promise<Summary>): Promise<Summary> {
  const [stamp, hit] = await Promise.all([
    driverCollection(db.analyticsStamps).findOne({ _id: id }) as Promise<StampDoc | null>,
    driverCollection(db.analyticsSummaries).findOne({ _id: id }) as Promise<SummaryDoc | null>,
  ]);
  if (!stamp) return {};
  if (hit && hit.stamp === stamp.stamp) return hit.summary;
  const summary = await compute();
  await storeCached(db, id, stamp.stamp, { summary });
  return summary;
}

/** One office's figures of one day. */
export function daySummary(db: Db, office: string, day: string): Promise<Summary> {
  return cached(db, `day:${office}:${day}`, async () => {
    const docs = (await longRead(() =>
      driverCollection(db.analyticsFacts)
        .find({ _id: { $gte: `${office}:${day}:`, $lt: `${office}:${day};` } })
        .batchSize(1000)
        .toArray(),
    )) as unknown as AnalyticsFactDoc[];
    const facts: Facts = { tasks: [], terms: [], cases: [], surveys: [] };
    for (const d of docs) (facts[d.kind] as unknown[]).push(d.fact);
    return summarise(facts);
  });
}

/** One office's figures of one month, from its days' summaries. */
export function monthSummary(db: Db, office: string, month: string): Promise<Summary> {
  return cached(db, `month:${office}:${month}`, async () =>
    mergeSummaries(await Promise.all(daysOf(month).map((d) => daySummary(db, office, d)))),
  );
}

/** The p-th percentile (0–100), nearest rank, of values given as a histogram (value → count); null for none. */
export function histogramPercentile(hist: Record<string, number>, p: number): number | null {
  const values = Object.entries(hist)
    .map(([v, n]) => [Number(v), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = values.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, n] of values) {
    seen += n;
    if (seen >= rank) return v;
  }
  return values[values.length - 1]?.[0] ?? null;
}

/** The months from `from` to `to` (`YYYY-MM`, inclusive), oldest first. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** A share as a fraction with 3 decimals; null when nothing was counted. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
}
