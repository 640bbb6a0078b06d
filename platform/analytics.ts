/**
 * The office's figures (issue 14): what the supervisors' dashboard and `GET /v1/analytics/...` read, kept up to
 * date by the projection as cases move, so that no figure loads every case.
 *
 * One row per office and month (`<office>:<YYYY-MM>`, read by `_id`) holds one small, whole entry per fact settled
 * that month: a task completed (within its service target or not), a legal term met or missed, a case closed or
 * withdrawn (its lead time in working days net of suspensions), a satisfaction answer. Entries are added with
 * `$addToSet`, and each is derived only from what cannot change once settled, so a retried or repeated write adds
 * nothing twice (no counter to drift). A month's row grows with that month's work at one office, never with the
 * number of cases stored; the figures are counted from the rows of the months asked for. Both MongoDB and FerretDB
 * v1 run it: no `$group`, only reads by `_id`.
 */
import type { CaseEvent, CaseScope, TaskView } from '../domain/case-model';
import type { CalendarProfile } from '../domain/calendar';
import { workingDaysBetween } from '../domain/calendar';
import { romeDate } from '../domain/dates';
import { findOffice, officeCalendar } from '../domain/offices';
import type { Db } from './db';
import { driverCollection } from './db';

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

export interface MonthFacts {
  tasks: TaskFact[];
  terms: TermFact[];
  cases: CaseFact[];
  surveys: SurveyFact[];
}

export interface AnalyticsMonthDoc extends MonthFacts {
  _id: string;
  office: string;
  month: string;
}

/** The Italian month (`YYYY-MM`) of an instant. */
export function monthOf(instant: string): string {
  return romeDate(Date.parse(instant)).slice(0, 7);
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

/** Adds facts to their office's month rows: one idempotent update per month touched. */
export async function recordFacts(db: Db, office: string, facts: Partial<MonthFacts>): Promise<void> {
  const byMonth = new Map<string, Partial<Record<keyof MonthFacts, unknown[]>>>();
  for (const [list, items] of Object.entries(facts) as [keyof MonthFacts, { at: string }[]][]) {
    for (const item of items ?? []) {
      const month = monthOf(item.at);
      const row = byMonth.get(month) ?? {};
      (row[list] ??= []).push(item);
      byMonth.set(month, row);
    }
  }
  await Promise.all(
    [...byMonth.entries()].map(([month, lists]) =>
      driverCollection(db.analytics).updateOne(
        { _id: `${office}:${month}` },
        {
          $set: { office, month },
          $addToSet: Object.fromEntries(
            Object.entries(lists).map(([name, items]) => [name, { $each: items }]),
          ),
        },
        { upsert: true },
      ),
    ),
  );
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

/** The month rows of some offices and months, read by `_id` (absent months are empty). */
export async function readMonths(
  db: Db,
  offices: readonly string[],
  months: readonly string[],
): Promise<AnalyticsMonthDoc[]> {
  const ids = offices.flatMap((o) => months.map((m) => `${o}:${m}`));
  const rows = await Promise.all(
    ids.map((id) => driverCollection(db.analytics).findOne({ _id: id }) as Promise<AnalyticsMonthDoc | null>),
  );
  return rows.map((r, i) => {
    const [office, month] = (ids[i] as string).split(':') as [string, string];
    return {
      _id: ids[i] as string,
      office,
      month,
      tasks: r?.tasks ?? [],
      terms: r?.terms ?? [],
      cases: r?.cases ?? [],
      surveys: r?.surveys ?? [],
    };
  });
}

/** The p-th percentile (0–100) of some numbers, nearest rank; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** A share as a fraction with 3 decimals; null when nothing was counted. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
}
