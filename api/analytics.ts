/**
 * The office's figures (issue 14 §2), for the supervisors' dashboard, integrators and the regional statistics
 * office: attainment of the service target and of legal terms by month, lead times, the backlog as it stands, and
 * customer satisfaction, each also as CSV (`GET /v1/analytics/export`). Settled figures come from the summaries
 * the projection's facts feed (platform/analytics.ts); the backlog from each office's rows of open cases and tasks
 * (platform/backlog.ts), one range of ids each: no figure reads every case.
 */
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Principal } from './auth';
import { principalOf, requireRole } from './auth';
import { OFFICE_CODES } from '../domain/offices';
import type { Db } from '../platform/db';
import type { ProcedureFigures, Summary } from '../platform/analytics';
import {
  daySummary,
  histogramPercentile,
  mergeSummaries,
  monthOf,
  monthSummary,
  monthsBetween,
  share,
} from '../platform/analytics';
import { daysBetween, romeDate } from '../domain/dates';
import { officeBacklog } from '../platform/backlog';
import { HttpProblem, parse, problems } from './problem';
import type { RouteSpec } from './route-table';

const month = z
  .string()
  .regex(/^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$/, 'a month: YYYY-MM')
  .meta({ example: '2026-11' });

export const analyticsQuery = z
  .object({
    office: z.enum(OFFICE_CODES).optional().describe('one office (default: every office in your scope)'),
    from: month
      .optional()
      .describe(
        'first month (default: eleven months before `to`); not after `to`, and at most 36 months in all (422 otherwise)',
      ),
    to: month.optional().describe('last month (default: this month)'),
  })
  .strict();

export const ANALYTICS_TABLES = [
  'attainment',
  'attainment-by-procedure',
  'lead-times',
  'open-by-step',
  'backlog-age',
  'tasks',
  'officers',
  'satisfaction',
] as const;
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number];

export const exportQuery = analyticsQuery.extend({
  table: z.enum(ANALYTICS_TABLES).describe('which table of the dashboard'),
});

/** Who reads the figures: staff of their offices, integrators of the offices their token names, administrators. */
export const ANALYTICS_ROLES = ['officer', 'supervisor', 'admin', 'integrator'] as const;

const share3 = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .describe('a fraction (3 decimals); null when nothing counted');
const scopeOffice = z.string().describe('an office code, or "all" for every office asked');

const attainmentRow = z.object({
  office: scopeOffice,
  month: z.string(),
  tasksCompleted: z.int(),
  tasksWithinTarget: z.int(),
  shareWithinTarget: share3,
  termsSettled: z.int(),
  termsMet: z.int(),
  shareTermsMet: share3,
});
const windowRow = attainmentRow.omit({ month: true });
const procedureRow = windowRow.extend({ procedure: z.string() });

export const attainmentView = z.object({
  asOf: z.string(),
  from: z.string(),
  to: z.string(),
  last30Days: z.array(windowRow),
  last30DaysByProcedure: z.array(procedureRow),
  items: z.array(attainmentRow),
});

const leadRow = z.object({
  office: scopeOffice,
  procedure: z.string(),
  cases: z.int(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
});
export const leadTimesView = z.object({
  from: z.string(),
  to: z.string(),
  unit: z.literal('working days after the opening day, net of suspensions'),
  items: z.array(leadRow),
});

const AGE_BUCKETS = [
  { bucket: '0-1', maxDays: 1 },
  { bucket: '2-7', maxDays: 7 },
  { bucket: '8-30', maxDays: 30 },
  { bucket: '31-90', maxDays: 90 },
  { bucket: '91+', maxDays: null },
] as const;

export const backlogView = z.object({
  asOf: z.string(),
  openByStep: z.array(
    z.object({
      office: z.string(),
      procedure: z.string(),
      step: z.string(),
      status: z.string(),
      cases: z.int(),
    }),
  ),
  age: z.array(
    z.object({
      office: z.string(),
      bucket: z
        .enum(AGE_BUCKETS.map((b) => b.bucket) as [string, ...string[]])
        .describe('calendar days since the Italian day the case opened'),
      cases: z.int(),
    }),
  ),
  tasks: z.array(
    z.object({
      office: z.string(),
      open: z.int(),
      unassigned: z.int(),
      overdue: z.int(),
      escalated: z.int(),
    }),
  ),
  officers: z.array(z.object({ office: z.string(), assignee: z.string(), open: z.int(), overdue: z.int() })),
});

const satisfactionRow = z.object({
  office: scopeOffice,
  procedure: z.string(),
  answers: z.int(),
  average: z.number().nullable(),
  distribution: z.object({ 1: z.int(), 2: z.int(), 3: z.int(), 4: z.int(), 5: z.int() }),
});
export const satisfactionView = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(satisfactionRow),
});

export interface AnalyticsRoutes {
  attainment: RouteSpec;
  leadTimes: RouteSpec;
  backlog: RouteSpec;
  satisfaction: RouteSpec;
  export: RouteSpec;
}

/** The offices whose figures the caller may read, narrowed to one if asked. */
function officesOf(p: Principal, office: string | undefined): string[] {
  const mine = p.role === 'admin' ? OFFICE_CODES : p.offices;
  if (p.role === 'integrator' && mine.length === 0)
    throw problems.forbidden("The figures are per office: this integrator's token names no office.");
  if (office === undefined) return [...mine];
  if (!mine.includes(office)) throw problems.forbidden(`The office ${office} is not in your scope.`);
  return [office];
}

function window(
  q: { from?: string | undefined; to?: string | undefined },
  now: number,
): { from: string; to: string } {
  const to = q.to ?? monthOf(new Date(now).toISOString());
  const [y, m] = to.split('-').map(Number) as [number, number];
  const back = new Date(Date.UTC(y, m - 1 - 11, 1));
  const from = q.from ?? `${back.getUTCFullYear()}-${String(back.getUTCMonth() + 1).padStart(2, '0')}`;
  // Well-formed months that make no window: a rule (422), as the document says.
  const refuse = (message: string): never => {
    throw new HttpProblem(422, 'validation', 'Refused by a rule', 'The months asked make no window.', {
      errors: [{ path: 'from', message }],
    });
  };
  if (from > to) refuse('the first month is after the last (`to`)');
  if (monthsBetween(from, to).length > 36) refuse('at most 36 months at once');
  return { from, to };
}

type WindowRow = z.infer<typeof windowRow>;

/** The attainment figures of a summary (all procedures, or one). */
function attainmentOf(summary: Summary, procedure?: string): Omit<WindowRow, 'office'> {
  const parts = Object.entries(summary)
    .filter(([p]) => procedure === undefined || p === procedure)
    .map(([, f]) => f);
  const sum = (k: 'tasks' | 'within' | 'terms' | 'met'): number => parts.reduce((n, f) => n + f[k], 0);
  return {
    tasksCompleted: sum('tasks'),
    tasksWithinTarget: sum('within'),
    shareWithinTarget: share(sum('within'), sum('tasks')),
    termsSettled: sum('terms'),
    termsMet: sum('met'),
    shareTermsMet: share(sum('met'), sum('terms')),
  };
}

/** Each office asked, then all of them together ("all", when more than one). */
function perOffice<T>(
  offices: readonly string[],
  byOffice: ReadonlyMap<string, Summary>,
  f: (summary: Summary, office: string) => T[],
): T[] {
  const out = offices.flatMap((o) => f(byOffice.get(o) ?? {}, o));
  return offices.length > 1 ? [...out, ...f(mergeSummaries([...byOffice.values()]), 'all')] : out;
}

function proceduresOf(summary: Summary, has: (f: ProcedureFigures) => boolean): string[] {
  return Object.entries(summary)
    .filter(([, f]) => has(f))
    .map(([p]) => p)
    .sort();
}

export interface AnalyticsDeps {
  db: Db;
  /** The case engine's clock (the demo clock moves it). */
  now: () => Promise<number>;
}

/** Each office's summary of some months, merged. */
async function monthsOf(
  db: Db,
  offices: readonly string[],
  months: readonly string[],
): Promise<Map<string, Summary>> {
  const rows = await Promise.all(
    offices.map(async (o) => [o, await Promise.all(months.map((m) => monthSummary(db, o, m)))] as const),
  );
  return new Map(rows.map(([o, summaries]) => [o, mergeSummaries(summaries)]));
}

/** The 30 days ending today (Italian days). */
function last30Days(now: number): string[] {
  return Array.from({ length: 30 }, (_, i) => romeDate(now - (29 - i) * 86_400_000));
}

export async function attainment(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<z.infer<typeof attainmentView>> {
  const now = await deps.now();
  const offices = officesOf(p, q.office);
  const { from, to } = window(q, now);
  const months = monthsBetween(from, to);
  const days = last30Days(now);
  const [byMonth, recentByDay] = await Promise.all([
    Promise.all(
      offices.map(
        async (o) => [o, await Promise.all(months.map((m) => monthSummary(deps.db, o, m)))] as const,
      ),
    ),
    Promise.all(
      offices.map(
        async (o) =>
          [o, mergeSummaries(await Promise.all(days.map((d) => daySummary(deps.db, o, d))))] as const,
      ),
    ),
  ]);
  const recent = new Map(recentByDay);
  const items = months.flatMap((m, i) => {
    const ofMonth = new Map(byMonth.map(([o, summaries]) => [o, summaries[i] ?? {}]));
    return perOffice(offices, ofMonth, (summary, office) => [{ office, month: m, ...attainmentOf(summary) }]);
  });
  // Office by office, then by month (as the CSV reads best).
  items.sort(
    (a, b) => offices.indexOf(a.office) - offices.indexOf(b.office) || a.month.localeCompare(b.month),
  );
  return {
    asOf: new Date(now).toISOString(),
    from,
    to,
    last30Days: perOffice(offices, recent, (summary, office) => [{ office, ...attainmentOf(summary) }]),
    last30DaysByProcedure: perOffice(offices, recent, (summary, office) =>
      proceduresOf(summary, (f) => f.tasks + f.terms > 0).map((procedure) => ({
        office,
        procedure,
        ...attainmentOf(summary, procedure),
      })),
    ),
    items,
  };
}

/** The offices asked, the months' window and each office's summary of those months (lead times, satisfaction). */
async function settled(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<{ offices: string[]; from: string; to: string; byOffice: Map<string, Summary> }> {
  const offices = officesOf(p, q.office);
  const { from, to } = window(q, await deps.now());
  return { offices, from, to, byOffice: await monthsOf(deps.db, offices, monthsBetween(from, to)) };
}

export async function leadTimes(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<z.infer<typeof leadTimesView>> {
  const { offices, from, to, byOffice } = await settled(deps, p, q);
  const items = perOffice(offices, byOffice, (summary, office) =>
    proceduresOf(summary, (f) => Object.keys(f.lead).length > 0).map((procedure) => {
      const hist = summary[procedure]?.lead ?? {};
      return {
        office,
        procedure,
        cases: Object.values(hist).reduce((n, c) => n + c, 0),
        p50: histogramPercentile(hist, 50),
        p90: histogramPercentile(hist, 90),
      };
    }),
  );
  return { from, to, unit: 'working days after the opening day, net of suspensions', items };
}

export async function satisfaction(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<z.infer<typeof satisfactionView>> {
  const { offices, from, to, byOffice } = await settled(deps, p, q);
  const items = perOffice(offices, byOffice, (summary, office) =>
    proceduresOf(summary, (f) => Object.keys(f.scores).length > 0).map((procedure) => {
      const scores = summary[procedure]?.scores ?? {};
      const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
      let answers = 0;
      let total = 0;
      for (const [score, n] of Object.entries(scores)) {
        distribution[Number(score) as 1 | 2 | 3 | 4 | 5] += n;
        answers += n;
        total += Number(score) * n;
      }
      const average = answers === 0 ? null : Math.round((total / answers) * 100) / 100;
      return { office, procedure, answers, average, distribution };
    }),
  );
  return { from, to, items };
}

export async function backlog(
  deps: AnalyticsDeps,
  p: Principal,
  q: { office?: string | undefined },
): Promise<z.infer<typeof backlogView>> {
  const now = await deps.now();
  const nowIso = new Date(now).toISOString();
  const offices = officesOf(p, q.office);
  const today = romeDate(now);
  // Each office's counts, kept by bucket (platform/backlog.ts); ages and lateness against the clock here.
  const perOfficeRows = await Promise.all(
    offices.map(async (office) => {
      const counts = await officeBacklog(deps.db, office);
      const ages = AGE_BUCKETS.map((b, i) => {
        const newer = i === 0 ? -1 : (AGE_BUCKETS[i - 1]?.maxDays ?? -1);
        let n = 0;
        for (const { at, n: cases } of counts.opened) {
          if (!at) continue;
          const days = daysBetween(at, today);
          if (days > newer && (b.maxDays === null || days <= b.maxDays)) n += cases;
        }
        return { office, bucket: b.bucket, cases: n };
      });
      const late = (targets: readonly { at: string; n: number }[]): number =>
        targets.reduce((sum, t) => (t.at < nowIso ? sum + t.n : sum), 0);
      return {
        openByStep: counts.steps
          .map((x) => ({ office, ...x }))
          .sort((a, b) => a.procedure.localeCompare(b.procedure) || a.step.localeCompare(b.step)),
        age: ages,
        tasks: {
          office,
          open: counts.tasks.open,
          unassigned: counts.tasks.unassigned,
          overdue: late(counts.tasks.targets),
          escalated: counts.tasks.escalated,
        },
        officers: counts.officers
          .map((x) => ({ office, assignee: x.assignee, open: x.open, overdue: late(x.targets) }))
          .sort((a, b) => b.open - a.open || a.assignee.localeCompare(b.assignee)),
      };
    }),
  );
  return {
    asOf: nowIso,
    openByStep: perOfficeRows.flatMap((r) => r.openByStep),
    age: perOfficeRows.flatMap((r) => r.age),
    tasks: perOfficeRows.map((r) => r.tasks),
    officers: perOfficeRows.flatMap((r) => r.officers),
  };
}

/** A CSV cell: quoted when it holds a separator, a quote or a line break; formulas are neutralised. */
function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else s = JSON.stringify(v);
  if (/^[=+\-@]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of objects as CSV (RFC 4180, CRLF, UTF-8 with a BOM for spreadsheets); nested objects flattened (`a.b`). */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const flat = rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).flatMap(([k, v]) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.entries(v as Record<string, unknown>).map(([k2, v2]) => [`${k}.${k2}`, v2])
          : [[k, v]],
      ),
    ),
  );
  const header = columns ?? Object.keys(flat[0] ?? {});
  const lines = [header.map(cell).join(','), ...flat.map((r) => header.map((c) => cell(r[c])).join(','))];
  return `\uFEFF${lines.map((l) => `${l}\r\n`).join('')}`;
}

const COLUMNS: Record<AnalyticsTable, string[]> = {
  attainment: [
    'office',
    'month',
    'tasksCompleted',
    'tasksWithinTarget',
    'shareWithinTarget',
    'termsSettled',
    'termsMet',
    'shareTermsMet',
  ],
  'attainment-by-procedure': [
    'office',
    'procedure',
    'tasksCompleted',
    'tasksWithinTarget',
    'shareWithinTarget',
    'termsSettled',
    'termsMet',
    'shareTermsMet',
  ],
  'lead-times': ['office', 'procedure', 'cases', 'p50', 'p90'],
  'open-by-step': ['office', 'procedure', 'step', 'status', 'cases'],
  'backlog-age': ['office', 'bucket', 'cases'],
  tasks: ['office', 'open', 'unassigned', 'overdue', 'escalated'],
  officers: ['office', 'assignee', 'open', 'overdue'],
  satisfaction: [
    'office',
    'procedure',
    'answers',
    'average',
    'distribution.1',
    'distribution.2',
    'distribution.3',
    'distribution.4',
    'distribution.5',
  ],
};

async function tableRows(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof exportQuery>,
): Promise<Record<string, unknown>[]> {
  const { table, ...rest } = q;
  switch (table) {
    case 'attainment':
      return (await attainment(deps, p, rest)).items;
    case 'attainment-by-procedure':
      return (await attainment(deps, p, rest)).last30DaysByProcedure;
    case 'lead-times':
      return (await leadTimes(deps, p, rest)).items;
    case 'satisfaction':
      return (await satisfaction(deps, p, rest)).items;
    case 'open-by-step':
      return (await backlog(deps, p, rest)).openByStep;
    case 'backlog-age':
      return (await backlog(deps, p, rest)).age;
    case 'tasks':
      return (await backlog(deps, p, rest)).tasks;
    case 'officers':
      return (await backlog(deps, p, rest)).officers;
  }
}

export function mountAnalyticsRoutes(
  on: (spec: RouteSpec, handler: RequestHandler) => void,
  specs: AnalyticsRoutes,
  deps: AnalyticsDeps,
): void {
  const caller = (req: Request): Principal => requireRole(req, ANALYTICS_ROLES, "read the office's figures");
  on(specs.attainment, async (req: Request, res: Response) => {
    res.json(await attainment(deps, caller(req), parse(analyticsQuery, req.query)));
  });
  on(specs.leadTimes, async (req, res) => {
    res.json(await leadTimes(deps, caller(req), parse(analyticsQuery, req.query)));
  });
  on(specs.backlog, async (req, res) => {
    const q = parse(analyticsQuery.pick({ office: true }), req.query);
    res.json(await backlog(deps, caller(req), q));
  });
  on(specs.satisfaction, async (req, res) => {
    res.json(await satisfaction(deps, caller(req), parse(analyticsQuery, req.query)));
  });
  on(specs.export, async (req, res) => {
    const p = caller(req);
    const q = parse(exportQuery, req.query);
    const csv = toCsv(await tableRows(deps, p, q), COLUMNS[q.table]);
    const scope = q.office ?? (p.role === 'admin' ? 'all' : principalOf(req).offices.join('+'));
    res
      .type('text/csv; charset=utf-8')
      .attachment(`cpi-${q.table}-${scope || 'all'}.csv`)
      .send(csv);
  });
}
