/**
 * The ranking of the people enrolled in the targeted-placement lists (L. 68/1999 art. 8 c.2; procedures.md §3.3,
 * open-items.md §2). The Tuscan scoring text was not read, so the score is a versioned rule set that an
 * administrator publishes; the shipped default is documented below and is NOT the Tuscan rule.
 *
 * A ranking is reproducible: the people's records keep their history (enrolment, leaving, every declaration with
 * the day it applies from, the periods off the ranking), so the same records, rule version and day always give the
 * same ranking.
 */
import { z } from 'zod';
import type { IsoDate } from '../dates';
import { daysBetween, parseIsoDate } from '../dates';
import { isoDate, longText, shortText } from '../schemas';
import type { DisabilityCategory } from './targeted-placement';

export const L68_LISTS = ['art1', 'art18'] as const;
export type L68List = (typeof L68_LISTS)[number];

/** Art. 18 c.2 and later laws: who is on the protected-categories list (procedures.md §3.1). */
export const PROTECTED_CATEGORIES = [
  'work-war-service-death-orphan-or-spouse',
  'major-invalid-spouse-or-child',
  'repatriated-refugee',
  'terrorism-or-organised-crime-victim',
  'duty-victim',
  'domestic-crime-orphan',
  'infrastructure-collapse-victim',
] as const;
export type ProtectedCategory = (typeof PROTECTED_CATEGORIES)[number];

export const L68_TIE_BREAKS = [
  'longer-enrolment',
  'younger',
  'older',
  'more-dependants',
  'lower-isee',
] as const;
export type L68TieBreak = (typeof L68_TIE_BREAKS)[number];

const points = z.number().min(-1000).max(1000);

/** A version of the L. 68 score, as an administrator publishes it: every number here is data. */
export const l68ScoringRuleSchema = z
  .object({
    title: shortText,
    basis: longText,
    validFrom: isoDate,
    /** `higher-first` (per-offer rankings, Emilia-Romagna style) or `lower-first` (DPR 487/1994 table). */
    order: z.enum(['higher-first', 'lower-first']),
    base: points,
    invalidity: z
      .object({
        /** Points per percent of civil or work invalidity (0 when the rule ignores the degree). */
        perPercent: z.number().min(-10).max(10),
        blind: points,
        deaf: points,
        /** War and service invalids: points for categories 1 to 8, in order. */
        warCategory: z.array(points).length(8),
      })
      .strict(),
    seniority: z
      .object({ perMonth: z.number().min(-100).max(100), maxPoints: z.number().min(0).max(1000) })
      .strict(),
    income: z
      .object({
        /** Points at an ISEE of zero; each full `stepEuro` changes them by `perStep`, never below `floor`. */
        atZero: points,
        stepEuro: z.number().min(1).max(100_000),
        perStep: z.number().min(-100).max(100),
        floor: points,
        /** Points when no valid ISEE is declared. */
        missing: points,
      })
      .strict(),
    dependants: z
      .object({ perPerson: z.number().min(-100).max(100), maxPoints: z.number().min(0).max(1000) })
      .strict(),
    /** Art. 18 list: categories ranked before anyone else, in this order, whatever their score. */
    precedence: z.array(z.enum(PROTECTED_CATEGORIES)).max(PROTECTED_CATEGORIES.length),
    tieBreaks: z.array(z.enum(L68_TIE_BREAKS)).min(1).max(5),
  })
  .strict();
export type L68ScoringRule = z.infer<typeof l68ScoringRuleSchema>;

export interface PublishedL68Rule extends L68ScoringRule {
  scope: 'l68';
  version: number;
  publishedAt: string;
  publishedBy: string;
}

/**
 * The default shipped with the system: the Emilia-Romagna per-offer formula (open-items.md §2.1, verified for ER
 * only) plus a dependants component the national criteria name (art. 8 c.2; the 2 points are our choice), with
 * the precedence of L. 407/1998 and L. 244/2007 on the art. 18 list. Publish the Tuscan text as version 2.
 */
export const DEFAULT_L68_RULE: PublishedL68Rule = {
  scope: 'l68',
  version: 1,
  publishedAt: '2026-01-01T00:00:00.000Z',
  publishedBy: 'system',
  title: 'Default: Emilia-Romagna per-offer formula with dependants (not the Tuscan text)',
  basis:
    'L. 68/1999 art. 8 c.2 (seniority, income, dependants, invalidity); open-items.md §2.1: ER formula ' +
    '(invalidity %, 2 points per month up to 72, ISEE 25 points at zero minus 0.5 per €500); 2 points per ' +
    'dependant up to 10 (our choice); L. 407/1998 art. 1 c.2 and L. 244/2007 art. 3 c.123 precedence. ' +
    'Replace with Reg. Toscana 7/R/2004 arts. 25–27-bis once read.',
  validFrom: '2000-01-01',
  order: 'higher-first',
  base: 0,
  invalidity: { perPercent: 1, blind: 100, deaf: 80, warCategory: [100, 90, 80, 75, 70, 60, 50, 40] },
  seniority: { perMonth: 2, maxPoints: 72 },
  income: { atZero: 25, stepEuro: 500, perStep: -0.5, floor: 0, missing: 0 },
  dependants: { perPerson: 2, maxPoints: 10 },
  precedence: ['terrorism-or-organised-crime-victim', 'work-war-service-death-orphan-or-spouse'],
  tieBreaks: ['longer-enrolment', 'younger'],
};

/** What a ranking reads of one enrolled person; the history makes a past ranking reproducible. */
export interface L68PersonRecord {
  caseId: string;
  taxCode: string;
  name: string;
  birthDate: IsoDate;
  office: string;
  list: L68List;
  category: DisabilityCategory | null;
  percentage: number | null;
  warCategory: number | null;
  protectedCategory: ProtectedCategory | null;
  /** The day seniority counts from; null while the documents are being checked. */
  enrolledOn: IsoDate | null;
  /** The day the person left the list (placed, own request, lost requirements); null while on it. */
  leftOn: IsoDate | null;
  /** Each declaration of income and dependants, with the day it applies from (oldest first). */
  declarations: { from: IsoDate; isee: number | null; dependants: number }[];
  /** Periods off the ranking (yearly confirmation missing), `to` null while still off. */
  offRanking: { from: IsoDate; to: IsoDate | null; reason: string }[];
}

export interface L68Component {
  component: 'base' | 'invalidity' | 'seniority' | 'income' | 'dependants';
  input: string | number | null;
  points: number;
  rule: string;
}

export interface L68Score {
  total: number;
  components: L68Component[];
  /** Index in the rule's precedence list (art. 18 list), or null. */
  precedence: number | null;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function monthsOfEnrolment(enrolledOn: IsoDate, on: IsoDate): number {
  const a = parseIsoDate(enrolledOn);
  const b = parseIsoDate(on);
  let months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (b.getUTCDate() < a.getUTCDate()) months -= 1;
  return Math.max(0, months);
}

/** The declaration in force on a day: the latest whose `from` is not after it. */
export function declarationOn(p: L68PersonRecord, on: IsoDate): { isee: number | null; dependants: number } {
  const found = p.declarations.filter((d) => d.from <= on).pop();
  return found ?? { isee: null, dependants: 0 };
}

/** Whether the person is on the ranking that day: enrolled, not left, not off for a missing confirmation. */
export function onRanking(p: L68PersonRecord, on: IsoDate): boolean {
  if (p.enrolledOn === null || p.enrolledOn > on) return false;
  if (p.leftOn !== null && p.leftOn <= on) return false;
  return !p.offRanking.some((o) => o.from <= on && (o.to === null || on < o.to));
}

/** The score of one person on a day, component by component (art. 8 c.2 criteria). */
export function l68Score(rule: L68ScoringRule, p: L68PersonRecord, on: IsoDate): L68Score {
  const parts: L68Component[] = [
    { component: 'base', input: null, points: rule.base, rule: `base ${rule.base}` },
  ];
  if (p.list === 'art1') {
    let pts = 0;
    let why = '';
    if (p.category === 'civil-invalid' || p.category === 'work-invalid') {
      pts = (p.percentage ?? 0) * rule.invalidity.perPercent;
      why = `${rule.invalidity.perPercent} per percent of invalidity`;
    } else if (p.category === 'blind' || p.category === 'deaf') {
      pts = rule.invalidity[p.category];
      why = `${p.category}: ${pts}`;
    } else if (p.category === 'war-or-service-invalid') {
      pts = rule.invalidity.warCategory[(p.warCategory ?? 8) - 1] ?? 0;
      why = `war or service category ${p.warCategory ?? '?'}: ${pts}`;
    }
    parts.push({
      component: 'invalidity',
      input: p.percentage ?? p.warCategory ?? p.category,
      points: round2(pts),
      rule: why,
    });
  }
  const months = monthsOfEnrolment(p.enrolledOn ?? on, on);
  const raw = months * rule.seniority.perMonth;
  parts.push({
    component: 'seniority',
    input: months,
    points: round2(Math.sign(raw) * Math.min(Math.abs(raw), rule.seniority.maxPoints)),
    rule: `${rule.seniority.perMonth} per month of enrolment (since ${p.enrolledOn ?? on}), at most ${rule.seniority.maxPoints}`,
  });
  const d = declarationOn(p, on);
  if (d.isee === null) {
    parts.push({
      component: 'income',
      input: null,
      points: rule.income.missing,
      rule: 'no valid ISEE declared',
    });
  } else {
    const steps = Math.floor(d.isee / rule.income.stepEuro);
    const value = rule.income.atZero + steps * rule.income.perStep;
    parts.push({
      component: 'income',
      input: d.isee,
      points: round2(Math.max(value, rule.income.floor)),
      rule: `${rule.income.atZero} at ISEE 0, ${rule.income.perStep} per full €${rule.income.stepEuro} (${steps}), never below ${rule.income.floor}`,
    });
  }
  const dep = d.dependants * rule.dependants.perPerson;
  parts.push({
    component: 'dependants',
    input: d.dependants,
    points: round2(Math.sign(dep) * Math.min(Math.abs(dep), rule.dependants.maxPoints)),
    rule: `${rule.dependants.perPerson} per dependant, at most ${rule.dependants.maxPoints}`,
  });
  const prec = p.protectedCategory === null ? -1 : rule.precedence.indexOf(p.protectedCategory);
  return {
    total: round2(parts.reduce((s, x) => s + x.points, 0)),
    components: parts,
    precedence: p.list === 'art18' && prec >= 0 ? prec : null,
  };
}

export interface L68RankingRow {
  position: number;
  caseId: string;
  taxCode: string;
  name: string;
  office: string;
  score: number;
  precedence: ProtectedCategory | null;
  enrolledOn: IsoDate;
  components: L68Component[];
}

export interface L68Ranking {
  list: L68List;
  referenceDate: IsoDate;
  ruleVersion: number;
  ruleTitle: string;
  order: L68ScoringRule['order'];
  tieBreaks: string[];
  rows: L68RankingRow[];
}

/**
 * The ranking of one list on a day: precedence classes first (art. 18 list), then the score in the rule's order,
 * then the rule's tie-breaks, and at last the tax code, so that no two runs can differ.
 */
export function l68Rank(
  rule: PublishedL68Rule,
  people: readonly L68PersonRecord[],
  list: L68List,
  on: IsoDate,
): L68Ranking {
  const scored = people
    .filter((p) => p.list === list && onRanking(p, on))
    .map((p) => ({ p, s: l68Score(rule, p, on) }));
  const dir = rule.order === 'higher-first' ? 1 : -1;
  const key = (t: L68TieBreak, p: L68PersonRecord): number => {
    if (t === 'longer-enrolment') return daysBetween(p.enrolledOn ?? on, on);
    if (t === 'younger') return parseIsoDate(p.birthDate).getTime();
    if (t === 'older') return -parseIsoDate(p.birthDate).getTime();
    if (t === 'more-dependants') return declarationOn(p, on).dependants;
    return -(declarationOn(p, on).isee ?? Number.MAX_SAFE_INTEGER);
  };
  scored.sort((x, y) => {
    const px = x.s.precedence ?? Number.MAX_SAFE_INTEGER;
    const py = y.s.precedence ?? Number.MAX_SAFE_INTEGER;
    if (px !== py) return px - py;
    if (x.s.total !== y.s.total) return dir * (y.s.total - x.s.total);
    for (const t of rule.tieBreaks) {
      const d = key(t, y.p) - key(t, x.p);
      if (d !== 0) return d;
    }
    return x.p.taxCode < y.p.taxCode ? -1 : x.p.taxCode > y.p.taxCode ? 1 : 0;
  });
  return {
    list,
    referenceDate: on,
    ruleVersion: rule.version,
    ruleTitle: rule.title,
    order: rule.order,
    tieBreaks: [...rule.tieBreaks, 'tax code (last resort)'],
    rows: scored.map(({ p, s }, i) => ({
      position: i + 1,
      caseId: p.caseId,
      taxCode: p.taxCode,
      name: p.name,
      office: p.office,
      score: s.total,
      precedence: s.precedence === null ? null : (rule.precedence[s.precedence] ?? null),
      enrolledOn: p.enrolledOn ?? on,
      components: s.components,
    })),
  };
}
