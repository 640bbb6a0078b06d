/**
 * The office's figures (issue 14 §2), for the supervisors' dashboard, integrators and the regional statistics
 * office: attainment of the service target and of legal terms by month, lead times, the backlog as it stands, and
 * customer satisfaction, each also as CSV (`GET /v1/analytics/export`). Settled figures come from the month rows
 * the projection keeps (platform/analytics.ts); the backlog from counts over open cases and tasks (`$group` with
 * `$sum` and `countDocuments` only, which FerretDB v1 runs too).
 */
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Principal } from './auth';
import { principalOf, requireRole } from './auth';
import { OFFICE_CODES } from '../domain/offices';
import type { Db } from '../platform/db';
import type { AnalyticsMonthDoc } from '../platform/analytics';
import { monthOf, monthsBetween, percentile, readMonths, share } from '../platform/analytics';
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
        .describe('calendar days open'),
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

type Facts = Pick<AnalyticsMonthDoc, 'tasks' | 'terms'>;
function attainmentOf(f: Facts): z.infer<typeof windowRow> & { office: string } {
  const within = f.tasks.filter((t) => t.within).length;
  const met = f.terms.filter((t) => t.met).length;
  return {
    office: '',
    tasksCompleted: f.tasks.length,
    tasksWithinTarget: within,
    shareWithinTarget: share(within, f.tasks.length),
    termsSettled: f.terms.length,
    termsMet: met,
    shareTermsMet: share(met, f.terms.length),
  };
}

function merge(rows: readonly AnalyticsMonthDoc[]): Omit<AnalyticsMonthDoc, '_id' | 'office' | 'month'> {
  return {
    tasks: rows.flatMap((r) => r.tasks),
    terms: rows.flatMap((r) => r.terms),
    cases: rows.flatMap((r) => r.cases),
    surveys: rows.flatMap((r) => r.surveys),
  };
}

/** Each office asked, then all of them together (when more than one). */
function perOffice<T>(
  offices: readonly string[],
  rows: readonly AnalyticsMonthDoc[],
  f: (rows: AnalyticsMonthDoc[], office: string) => T[],
): T[] {
  const out = offices.flatMap((o) =>
    f(
      rows.filter((r) => r.office === o),
      o,
    ),
  );
  return offices.length > 1 ? [...out, ...f([...rows], 'all')] : out;
}

function procedures(rows: readonly { procedure: string }[]): string[] {
  return [...new Set(rows.map((r) => r.procedure))].sort();
}

export interface AnalyticsDeps {
  db: Db;
  /** The case engine's clock (the demo clock moves it). */
  now: () => Promise<number>;
}

export async function attainment(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<z.infer<typeof attainmentView>> {
  const now = await deps.now();
  const offices = officesOf(p, q.office);
  const { from, to } = window(q, now);
  const since = new Date(now - 30 * 86_400_000).toISOString();
  const last30Months = monthsBetween(monthOf(since), monthOf(new Date(now).toISOString()));
  const months = [...new Set([...monthsBetween(from, to), ...last30Months])].sort();
  const rows = await readMonths(deps.db, offices, months);
  const inWindow = rows.filter((r) => r.month >= from && r.month <= to);
  const recent = rows.map((r) => ({
    ...r,
    tasks: r.tasks.filter((t) => t.at >= since),
    terms: r.terms.filter((t) => t.at >= since),
  }));
  const items = perOffice(offices, inWindow, (rs, office) =>
    monthsBetween(from, to).map((m) => {
      const { office: _o, ...row } = attainmentOf(merge(rs.filter((r) => r.month === m)));
      return { office, month: m, ...row };
    }),
  );
  const last30Days = perOffice(offices, recent, (rs, office) => [{ ...attainmentOf(merge(rs)), office }]);
  const last30DaysByProcedure = perOffice(offices, recent, (rs, office) => {
    const all = merge(rs);
    return procedures([...all.tasks, ...all.terms]).map((procedure) => ({
      ...attainmentOf({
        tasks: all.tasks.filter((t) => t.procedure === procedure),
        terms: all.terms.filter((t) => t.procedure === procedure),
      }),
      office,
      procedure,
    }));
  });
  return { asOf: new Date(now).toISOString(), from, to, last30Days, last30DaysByProcedure, items };
}

export async function leadTimes(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<z.infer<typeof leadTimesView>> {
  const offices = officesOf(p, q.office);
  const { from, to } = window(q, await deps.now());
  const rows = await readMonths(deps.db, offices, monthsBetween(from, to));
  const items = perOffice(offices, rows, (rs, office) => {
    const cases = merge(rs).cases.filter((c) => c.outcome !== 'withdrawn');
    return procedures(cases).map((procedure) => {
      const days = cases
        .filter((c) => c.procedure === procedure && c.leadDays !== null)
        .map((c) => c.leadDays as number);
      return { office, procedure, cases: days.length, p50: percentile(days, 50), p90: percentile(days, 90) };
    });
  });
  return { from, to, unit: 'working days after the opening day, net of suspensions', items };
}

export async function satisfaction(
  deps: AnalyticsDeps,
  p: Principal,
  q: z.infer<typeof analyticsQuery>,
): Promise<z.infer<typeof satisfactionView>> {
  const offices = officesOf(p, q.office);
  const { from, to } = window(q, await deps.now());
  const rows = await readMonths(deps.db, offices, monthsBetween(from, to));
  const items = perOffice(offices, rows, (rs, office) => {
    const answers = merge(rs).surveys;
    return procedures(answers).map((procedure) => {
      const scores = answers.filter((a) => a.procedure === procedure).map((a) => a.score);
      const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
      for (const s of scores) distribution[s as 1 | 2 | 3 | 4 | 5] += 1;
      const average =
        scores.length === 0
          ? null
          : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100;
      return { office, procedure, answers: scores.length, average, distribution };
    });
  });
  return { from, to, items };
}

/** Counts by groups of fields (`$group` with `$sum` only). */
async function countBy(
  model: Db['cases'] | Db['tasks'],
  match: Record<string, unknown>,
  fields: string[],
): Promise<{ key: Record<string, string | null>; n: number }[]> {
  const rows = (await model.collection
    .aggregate([
      { $match: match },
      { $group: { _id: Object.fromEntries(fields.map((f) => [f, `$${f}`])), n: { $sum: 1 } } },
    ])
    .toArray()) as { _id: Record<string, string | null>; n: number }[];
  return rows.map((r) => ({ key: r._id, n: r.n }));
}

export async function backlog(
  deps: AnalyticsDeps,
  p: Principal,
  q: { office?: string | undefined },
): Promise<z.infer<typeof backlogView>> {
  const now = await deps.now();
  const nowIso = new Date(now).toISOString();
  const offices = officesOf(p, q.office);
  const live = { $in: ['open', 'suspended'] };
  const perOfficeRows = await Promise.all(
    offices.map(async (office) => {
      const [byStep, ages, tasks, officers, overdueByOfficer] = await Promise.all([
        countBy(deps.db.cases, { office, status: live }, ['procedure', 'step', 'status']),
        Promise.all(
          AGE_BUCKETS.map(async (b, i) => {
            const newer = i === 0 ? null : (AGE_BUCKETS[i - 1]?.maxDays ?? null);
            const openedAt: Record<string, string> = {};
            if (b.maxDays !== null)
              openedAt.$gte = new Date(now - (b.maxDays + 1) * 86_400_000).toISOString();
            if (newer !== null) openedAt.$lt = new Date(now - (newer + 1) * 86_400_000).toISOString();
            const cases = await deps.db.cases.countDocuments({ office, status: live, openedAt });
            return { office, bucket: b.bucket, cases };
          }),
        ),
        Promise.all([
          deps.db.tasks.countDocuments({ office, status: 'open' }),
          deps.db.tasks.countDocuments({ office, status: 'open', assignee: null }),
          deps.db.tasks.countDocuments({ office, status: 'open', targetAt: { $lt: nowIso } }),
          deps.db.tasks.countDocuments({ office, status: 'open', escalated: true }),
        ]),
        countBy(deps.db.tasks, { office, status: 'open', assignee: { $ne: null } }, ['assignee']),
        countBy(
          deps.db.tasks,
          { office, status: 'open', assignee: { $ne: null }, targetAt: { $lt: nowIso } },
          ['assignee'],
        ),
      ]);
      const [open, unassigned, overdue, escalated] = tasks;
      return {
        openByStep: byStep
          .map((r) => ({
            office,
            procedure: r.key.procedure ?? '',
            step: r.key.step ?? '',
            status: r.key.status ?? '',
            cases: r.n,
          }))
          .sort((a, b) => a.procedure.localeCompare(b.procedure) || a.step.localeCompare(b.step)),
        age: ages,
        tasks: { office, open, unassigned, overdue, escalated },
        officers: officers
          .map((r) => ({
            office,
            assignee: r.key.assignee ?? '',
            open: r.n,
            overdue: overdueByOfficer.find((o) => o.key.assignee === r.key.assignee)?.n ?? 0,
          }))
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
