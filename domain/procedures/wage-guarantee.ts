/**
 * What the wage-guarantee schemes share (D.Lgs. 148/2015; procedures.md §2): the employer and production-unit
 * contracts, the choice of scheme, and the duration caps counted over a production unit's earlier cases.
 * Pure code: the API and the workflows both call it.
 */
import { z } from 'zod';
import type { CheckView } from '../case-model';
import type { IsoDate } from '../dates';
import { addDays, addMonths, addYears, daysBetween, maxDate, minDate } from '../dates';
import type { Dated } from '../parameters';
import type { Refusal } from '../procedure';
import { valueOn } from '../parameters';
import type { Period } from '../schemas';
import { isoDate, longText, period, shortText, taxCode } from '../schemas';

// ---- sectors, funds and schemes ----

export const SECTORS = {
  industry: { title: 'Industry (manufacturing)', cigo: true, longCap: false, cigsAnySize: false },
  construction: { title: 'Construction', cigo: true, longCap: true, cigsAnySize: false },
  quarrying: { title: 'Quarrying', cigo: true, longCap: true, cigsAnySize: false },
  commerce: { title: 'Commerce', cigo: false, longCap: false, cigsAnySize: false },
  services: { title: 'Services', cigo: false, longCap: false, cigsAnySize: false },
  crafts: { title: 'Crafts', cigo: false, longCap: false, cigsAnySize: false },
  air_transport: { title: 'Air transport', cigo: false, longCap: false, cigsAnySize: true },
  political_party: {
    title: 'Political parties and movements',
    cigo: false,
    longCap: false,
    cigsAnySize: true,
  },
} as const;
export type Sector = keyof typeof SECTORS;
export const SECTOR_CODES = Object.keys(SECTORS) as [Sector, ...Sector[]];

/**
 * The solidarity fund the employer belongs to: none (then FIS covers it outside CIGO), a bilateral fund (art. 26)
 * or an alternative one such as FSBA for crafts or FSTA for agency work (art. 27). Those funds run their own rules.
 */
export const SOLIDARITY_FUNDS = ['none', 'bilateral', 'alternative'] as const;
export type SolidarityFund = (typeof SOLIDARITY_FUNDS)[number];

export const employerSchema = z
  .object({
    taxCode,
    name: shortText,
    sector: z.enum(SECTOR_CODES),
    /** Average headcount of the previous semester: decides the schemes, terms and caps. */
    averageEmployees: z.int().min(1).max(1_000_000),
    solidarityFund: z.enum(SOLIDARITY_FUNDS).default('none'),
  })
  .strict();
export type Employer = z.infer<typeof employerSchema>;

export const unitId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore');

export const productionUnitSchema = z
  .object({
    /** The unit's stable identifier: the duration caps are counted per unit. */
    id: unitId,
    address: shortText,
    municipality: shortText,
    province: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter province code'),
    /** The region of the unit: one region means the Region hosts the CIGS examination, several the Ministry. */
    region: shortText.default('Toscana'),
  })
  .strict();
export type ProductionUnit = z.infer<typeof productionUnitSchema>;

export function unitKeyOf(employerTaxCode: string, unit: { id: string }): string {
  return `${employerTaxCode}/${unit.id}`;
}

export type SchemeCode = 'CIGO' | 'CIGS' | 'FIS' | 'FUND';

export interface SchemeVerdict {
  scheme: SchemeCode;
  title: string;
  applies: boolean;
  legalBasis: string;
  reason: string;
  /** Whether this system runs the scheme's procedure (a bilateral fund runs its own). */
  handledHere: boolean;
}

export interface SchemeLimits {
  /** CIGS covers employers above this average headcount (art. 20 as amended by L. 234/2021). */
  cigsMinEmployeesExclusive: number;
  /** FIS pays extraordinary causes only for employers up to this headcount (art. 29 c.3-bis, L. 234/2021). */
  fisExtraordinaryMaxEmployees: number;
}

export const SCHEME_LIMITS: readonly Dated<SchemeLimits>[] = [
  {
    validFrom: '2022-01-01',
    legalBasis: 'D.Lgs. 148/2015 arts. 20 and 29 as amended by L. 234/2021',
    value: { cigsMinEmployeesExclusive: 15, fisExtraordinaryMaxEmployees: 15 },
  },
];

/** Which schemes cover an employer (procedures.md §2.2–2.4), each with the rule that decides it. */
export function schemesFor(employer: Employer, on: IsoDate): SchemeVerdict[] {
  const limits = valueOn(SCHEME_LIMITS, on).value;
  const sector = SECTORS[employer.sector];
  const fund = employer.solidarityFund !== 'none';
  const big = employer.averageEmployees > limits.cigsMinEmployeesExclusive;
  const cigs = sector.cigsAnySize || (big && !fund);
  return [
    {
      scheme: 'CIGO',
      title: 'CIG ordinaria',
      applies: sector.cigo,
      legalBasis: 'D.Lgs. 148/2015 art. 10',
      reason: sector.cigo
        ? `${sector.title} is an industrial sector covered by CIGO`
        : `CIGO covers industrial employers (manufacturing, construction, quarrying), not ${sector.title.toLowerCase()}`,
      handledHere: true,
    },
    {
      scheme: 'CIGS',
      title: 'CIG straordinaria',
      applies: cigs,
      legalBasis: 'D.Lgs. 148/2015 art. 20 as amended by L. 234/2021',
      reason: sector.cigsAnySize
        ? `${sector.title} is covered by CIGS whatever its size`
        : cigs
          ? `more than ${limits.cigsMinEmployeesExclusive} employees on average in the previous semester and no solidarity fund`
          : fund
            ? 'employers covered by a bilateral or alternative solidarity fund are outside CIGS'
            : `CIGS needs more than ${limits.cigsMinEmployeesExclusive} employees on average in the previous semester (${employer.averageEmployees} declared)`,
      handledHere: true,
    },
    {
      scheme: 'FIS',
      title: 'Fondo di integrazione salariale (assegno di integrazione salariale)',
      applies: !sector.cigo && !fund,
      legalBasis: 'D.Lgs. 148/2015 art. 29 as amended by L. 234/2021',
      reason: sector.cigo
        ? 'FIS covers employers outside CIGO; this sector is covered by CIGO'
        : fund
          ? 'the employer belongs to a solidarity fund, which takes the place of FIS'
          : `employers with at least 1 employee outside CIGO and without a solidarity fund; extraordinary causes only up to ${limits.fisExtraordinaryMaxEmployees} employees`,
      handledHere: true,
    },
    {
      scheme: 'FUND',
      title: 'Bilateral or alternative solidarity fund',
      applies: fund,
      legalBasis: 'D.Lgs. 148/2015 arts. 26, 27 and 40',
      reason: fund
        ? 'the fund pays the benefit under its own rules; apply to the fund'
        : 'the employer declared no solidarity fund',
      handledHere: false,
    },
  ];
}

/** The verdict for one scheme; used to refuse a start under a scheme that does not apply. */
export function schemeVerdict(scheme: SchemeCode, employer: Employer, on: IsoDate): SchemeVerdict {
  const v = schemesFor(employer, on).find((s) => s.scheme === scheme);
  if (!v) throw new RangeError(`unknown scheme ${scheme}`);
  return v;
}

// ---- periods already used by a production unit ----

export interface UsedPeriod {
  caseId: string;
  from: IsoDate;
  to: IsoDate;
  /** The procedure of the case (CIGO, CIGS, FIS); absent in older records, which were all CIGO. */
  scheme?: string;
  /** The CIGS cause (reorganisation, crisis, solidarity, transition), when there is one. */
  cause?: string | null;
}

export interface Span {
  from: IsoDate;
  to: IsoDate;
}

export function clip(p: Span, from: IsoDate, to: IsoDate): Span | null {
  const f = maxDate(p.from, from);
  const t = minDate(p.to, to);
  return f <= t ? { from: f, to: t } : null;
}

/** Days covered by a set of periods, each day counted once where they overlap. */
export function unionDays(periods: readonly Span[]): number {
  const sorted = [...periods].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let total = 0;
  let cur: Span | null = null;
  for (const p of sorted) {
    if (cur === null || p.from > addDays(cur.to, 1)) {
      if (cur !== null) total += daysBetween(cur.from, cur.to) + 1;
      cur = { ...p };
    } else if (p.to > cur.to) {
      cur.to = p.to;
    }
  }
  if (cur !== null) total += daysBetween(cur.from, cur.to) + 1;
  return total;
}

/** Weeks of a period, a started week counting whole. */
export function weeksOf(p: Period): number {
  return Math.ceil((daysBetween(p.from, p.to) + 1) / 7);
}

/** The days of a span of `months` calendar months ending on `anchor` (so 12 months is 365 or 366 days). */
export function monthsAsDays(months: number, anchor: IsoDate): number {
  return daysBetween(addMonths(anchor, -months), anchor);
}

export interface CountedPeriod {
  caseId: string;
  from: IsoDate;
  to: IsoDate;
  days: number;
  scheme: string;
  cause: string | null;
  /** Counted at half (solidarity contracts, art. 22 c.5). */
  half: boolean;
}

/** The arithmetic of one cap, shown on the case and in a refusal. */
export interface CapCheck {
  id: string;
  title: string;
  legalBasis: string;
  windowFrom: IsoDate;
  windowTo: IsoDate;
  unit: 'days' | 'weeks';
  cap: number;
  used: number;
  requested: number;
  total: number;
  ok: boolean;
  /**
   * When the request exceeds the cap: the last day that still fits (the request is cut to it), or null when
   * nothing fits and the request is refused.
   */
  fitsUntil: IsoDate | null;
  counted: CountedPeriod[];
  explanation: string;
}

function inWindow(
  earlier: readonly UsedPeriod[],
  from: IsoDate,
  to: IsoDate,
  half: (p: UsedPeriod) => boolean,
) {
  return earlier
    .map((p) => ({ p, c: clip(p, from, to) }))
    .filter((x): x is { p: UsedPeriod; c: Span } => x.c !== null)
    .map(({ p, c }): CountedPeriod => ({
      caseId: p.caseId,
      ...c,
      days: daysBetween(c.from, c.to) + 1,
      scheme: p.scheme ?? 'CIGO',
      cause: p.cause ?? null,
      half: half(p),
    }));
}

/**
 * The last `to` in [from, requested.to] for which `fits` holds. Scanned day by day: shortening a request also
 * moves its window back, which can bring older periods into it, so fitting is not monotone.
 */
function lastFittingDay(requested: Period, fits: (to: IsoDate) => boolean): IsoDate | null {
  for (let to = requested.to; to >= requested.from; to = addDays(to, -1)) if (fits(to)) return to;
  return null;
}

// ---- weeks in a rolling window (CIGO art. 12 c.2, FIS art. 30 c.1) ----

export interface WeeksCapRule {
  id: string;
  title: string;
  legalBasis: string;
  maxWeeks: number;
  windowYears: number;
  /** Which earlier periods count. */
  counts: (p: UsedPeriod) => boolean;
}

/**
 * Weeks used in a rolling window that ends on the last day of the requested period (Ministry circ. 17/2017),
 * each day counted once where periods overlap and a started week counting whole.
 */
export function weeksCapCheck(
  rule: WeeksCapRule,
  requested: Period,
  earlier: readonly UsedPeriod[],
): CapCheck {
  const evaluate = (to: IsoDate) => {
    const windowFrom = addDays(addYears(to, -rule.windowYears), 1);
    const counted = inWindow(earlier.filter(rule.counts), windowFrom, to, () => false);
    const usedDays = unionDays(counted);
    const total = Math.ceil(unionDays([...counted, { from: requested.from, to }]) / 7);
    return { windowFrom, counted, usedDays, total };
  };
  const e = evaluate(requested.to);
  const used = Math.ceil(e.usedDays / 7);
  const requestedWeeks = weeksOf(requested);
  const ok = e.total <= rule.maxWeeks;
  const fitsUntil = ok
    ? requested.to
    : lastFittingDay(requested, (to) => evaluate(to).total <= rule.maxWeeks);
  const explanation =
    `Window ${e.windowFrom} – ${requested.to}: ${used} week(s) already used in ${e.counted.length} earlier case(s), ` +
    `${requestedWeeks} requested, ${e.total} in all against a maximum of ${rule.maxWeeks}` +
    (ok ? '.' : ': the request exceeds the limit.');
  return {
    id: rule.id,
    title: rule.title,
    legalBasis: rule.legalBasis,
    windowFrom: e.windowFrom,
    windowTo: requested.to,
    unit: 'weeks',
    cap: rule.maxWeeks,
    used,
    requested: requestedWeeks,
    total: e.total,
    ok,
    fitsUntil,
    counted: e.counted,
    explanation,
  };
}

// ---- months in a rolling five years (art. 4 for CIGO + CIGS, art. 22 per CIGS cause) ----

export interface CapLimits {
  /** Art. 4 c.1: CIGO + CIGS per production unit in a rolling five years. */
  overallMonths: number;
  /** Art. 4 c.2: construction and quarrying. */
  overallMonthsLongSectors: number;
  windowYears: number;
  /** Art. 22 c.5: solidarity-contract time counts at half up to this many months, in full beyond. */
  solidarityHalfUpToMonths: number;
}

export const CAP_LIMITS: readonly Dated<CapLimits>[] = [
  {
    validFrom: '2015-09-24',
    legalBasis: 'D.Lgs. 148/2015 arts. 4 and 22 c.5; Ministry circ. 17/2017',
    value: { overallMonths: 24, overallMonthsLongSectors: 30, windowYears: 5, solidarityHalfUpToMonths: 24 },
  },
];

export function capLimitsOn(on: IsoDate): CapLimits {
  return valueOn(CAP_LIMITS, on).value;
}

interface MonthsCapRule {
  id: string;
  title: string;
  legalBasis: string;
  months: number;
  windowYears: number;
  counts: (p: UsedPeriod) => boolean;
  /** Solidarity time counts at half up to this many months (art. 22 c.5); absent: all in full. */
  halfFor?: { isHalf: (p: UsedPeriod) => boolean; upToMonths: number };
  requestedIsHalf: boolean;
}

function monthsCapCheck(rule: MonthsCapRule, requested: Period, earlier: readonly UsedPeriod[]): CapCheck {
  const half = rule.halfFor;
  const evaluate = (to: IsoDate) => {
    const windowFrom = addDays(addYears(to, -rule.windowYears), 1);
    const counted = inWindow(earlier.filter(rule.counts), windowFrom, to, (p) => half?.isHalf(p) ?? false);
    const req: CountedPeriod = {
      caseId: 'requested',
      from: requested.from,
      to,
      days: daysBetween(requested.from, to) + 1,
      scheme: '',
      cause: null,
      half: rule.requestedIsHalf && half !== undefined,
    };
    const weigh = (ps: readonly CountedPeriod[]): number => {
      const fullDays = unionDays(ps.filter((p) => !p.half));
      const halfDays = unionDays(ps.filter((p) => p.half));
      if (!half) return fullDays + halfDays;
      const limit = monthsAsDays(half.upToMonths, to);
      return fullDays + Math.ceil(Math.min(halfDays, limit) / 2) + Math.max(0, halfDays - limit);
    };
    const cap = monthsAsDays(rule.months, to);
    return { windowFrom, counted, used: weigh(counted), total: weigh([...counted, req]), cap };
  };
  const e = evaluate(requested.to);
  const ok = e.total <= e.cap;
  const fitsUntil = ok
    ? requested.to
    : lastFittingDay(requested, (to) => {
        const x = evaluate(to);
        return x.total <= x.cap;
      });
  const halves = e.counted.filter((c) => c.half).length + (rule.requestedIsHalf && half ? 1 : 0);
  const explanation =
    `Window ${e.windowFrom} – ${requested.to}: ${e.used} day(s) already used in ${e.counted.length} earlier case(s), ` +
    `${e.total - e.used} more requested, ${e.total} in all against ${rule.months} months = ${e.cap} days` +
    (halves > 0 ? ' (solidarity-contract days counted at half)' : '') +
    (ok
      ? '.'
      : fitsUntil
        ? `: the request exceeds the limit and is cut to end on ${fitsUntil}.`
        : ': the limit is already reached; nothing can be granted.');
  return {
    id: rule.id,
    title: rule.title,
    legalBasis: rule.legalBasis,
    windowFrom: e.windowFrom,
    windowTo: requested.to,
    unit: 'days',
    cap: e.cap,
    used: e.used,
    requested: e.total - e.used,
    total: e.total,
    ok,
    fitsUntil,
    counted: e.counted,
    explanation,
  };
}

/** Which earlier periods belong to a scheme (older records without one were all CIGO). */
export const countsScheme =
  (scheme: string) =>
  (p: UsedPeriod): boolean =>
    (p.scheme ?? 'CIGO') === scheme;

/**
 * Art. 4: CIGO and CIGS together at most 24 months (30 in construction and quarrying) in a rolling five years per
 * production unit, the window ending on the last day of the requested period (circ. 17/2017). Solidarity
 * contracts count at half (art. 22 c.5); a transition agreement (art. 22-ter) derogates from the cap.
 */
export function overallCapCheck(
  sector: Sector,
  requested: Period,
  requestedCause: string | null,
  earlier: readonly UsedPeriod[],
): CapCheck {
  const limits = capLimitsOn(requested.from);
  const months = SECTORS[sector].longCap ? limits.overallMonthsLongSectors : limits.overallMonths;
  return monthsCapCheck(
    {
      id: 'overall-cap',
      title: `CIGO and CIGS: ${months} months in a rolling ${limits.windowYears} years`,
      legalBasis: 'D.Lgs. 148/2015 art. 4 cc.1–2, art. 22 c.5; Ministry circ. 17/2017',
      months,
      windowYears: limits.windowYears,
      counts: (p) => {
        const scheme = p.scheme ?? 'CIGO';
        return scheme === 'CIGO' || (scheme === 'CIGS' && p.cause !== 'transition');
      },
      halfFor: { isHalf: (p) => p.cause === 'solidarity', upToMonths: limits.solidarityHalfUpToMonths },
      requestedIsHalf: requestedCause === 'solidarity',
    },
    requested,
    earlier,
  );
}

/** Art. 22: each CIGS cause has its own maximum in a rolling five years per production unit. */
export function causeCapCheck(
  cause: { code: string; title: string; months: number; legalBasis: string },
  requested: Period,
  earlier: readonly UsedPeriod[],
): CapCheck {
  const limits = capLimitsOn(requested.from);
  return monthsCapCheck(
    {
      id: 'cause-cap',
      title: `CIGS for ${cause.title.toLowerCase()}: ${cause.months} months in a rolling ${limits.windowYears} years`,
      legalBasis: cause.legalBasis,
      months: cause.months,
      windowYears: limits.windowYears,
      counts: (p) => countsScheme('CIGS')(p) && p.cause === cause.code,
      requestedIsHalf: false,
    },
    requested,
    earlier,
  );
}

/** A cap check as shown on the case: `over` is the result when the cap is exceeded (refused, or cut = warning). */
export function capCheckView(check: CapCheck, over: 'refused' | 'warning', prefix = ''): CheckView {
  return {
    id: prefix + check.id,
    title: check.title,
    legalBasis: check.legalBasis,
    result: check.ok ? 'ok' : over,
    explanation: check.explanation,
    figures: { ...check },
  };
}

/** A start under a scheme that does not cover the employer is refused, naming the rule. */
export function schemeRefusal(scheme: SchemeCode, employer: Employer, on: IsoDate): Refusal | null {
  const v = schemeVerdict(scheme, employer, on);
  if (v.applies) return null;
  const others = schemesFor(employer, on)
    .filter((s) => s.applies)
    .map((s) => s.scheme);
  return {
    slug: 'scheme-not-applicable',
    detail: `${v.title} does not apply: ${v.reason} (${v.legalBasis}).${others.length ? ` Applicable: ${others.join(', ')}.` : ''}`,
    rule: v.legalBasis,
    figures: { scheme, applicable: others },
  };
}

/** A cap that is exceeded refuses the start; `cut` lets a request that partly fits go on, shortened. */
export function capRefusal(check: CapCheck, opts: { cut: boolean }): Refusal | null {
  if (check.ok || (opts.cut && check.fitsUntil !== null)) return null;
  const hint = check.fitsUntil ? ` A request ending on ${check.fitsUntil} would fit.` : '';
  return {
    slug: 'duration-limit',
    detail: check.explanation + hint,
    rule: check.legalBasis,
    figures: { check },
  };
}

/**
 * The start of a suspension paid through an application to INPS (CIGO, arts. 14–15; FIS, art. 30 c.2): the same
 * fields and checks, each scheme with its causes. `noticeBasis` names the rule that puts the notice first.
 */
export function suspensionRequest<K extends string>(
  causes: Record<K, { title: string; unavoidable: boolean }>,
  noticeBasis: string,
) {
  return z
    .object({
      employer: employerSchema,
      productionUnit: productionUnitSchema,
      cause: z.enum(Object.keys(causes) as [K, ...K[]]),
      causeDescription: longText,
      /** The day of the unavoidable event, when the cause is one (defaults to the start of the suspension). */
      eventDate: isoDate.optional(),
      suspension: period,
      workersConcerned: z.int().min(1).max(1_000_000),
      reductionHoursPerWeek: z.number().min(0).max(48),
      unionNoticeDate: isoDate,
    })
    .strict()
    .superRefine((v, ctx) => {
      const unavoidable = causes[v.cause].unavoidable;
      // The union notice comes before the suspension (unavoidable events: as soon as possible).
      if (!unavoidable && v.unionNoticeDate > v.suspension.from) {
        ctx.addIssue({
          code: 'custom',
          path: ['unionNoticeDate'],
          message: `the union notice must precede the suspension (${noticeBasis})`,
        });
      }
      if (v.eventDate !== undefined && !unavoidable) {
        ctx.addIssue({ code: 'custom', path: ['eventDate'], message: 'only for unavoidable events' });
      }
      if (v.workersConcerned > v.employer.averageEmployees * 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['workersConcerned'],
          message: 'is implausibly larger than the average headcount',
        });
      }
    });
}
