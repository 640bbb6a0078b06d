/**
 * Targeted placement of people with disabilities (collocamento mirato): L. 68/1999 as amended by D.Lgs. 151/2015,
 * procedures.md §3. The arithmetic both sides share: who may enrol, the employer's quota and its computation base,
 * the amounts of the exemption and of the sanctions. The cases are in l68-enrolment.ts and l68-obligation.ts.
 */
import type { CalendarProfile } from '../calendar';
import { isWorkingDay } from '../calendar';
import type { IsoDate } from '../dates';
import { addDays, daysBetween } from '../dates';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';

// ---- who may enrol (art. 1, art. 18 c.2) ----

export type DisabilityCategory =
  'civil-invalid' | 'work-invalid' | 'blind' | 'deaf' | 'war-or-service-invalid';

export interface EligibilityInput {
  category: DisabilityCategory;
  /** Reduction of working capacity (civil), or invalidity degree (work, INAIL), in percent. */
  percentage?: number;
  /** War, civil war and service invalids: the category of DPR 915/1978 tables (1 = most severe). */
  warCategory?: number;
}

export interface EligibilityVerdict {
  eligible: boolean;
  list: 'art. 1' | null;
  reason: string;
  legalBasis: string;
}

/** Art. 1 c.1: the thresholds of each category. */
export function disabilityEligibility(i: EligibilityInput): EligibilityVerdict {
  const basis = 'L. 68/1999 art. 1 c.1';
  const verdict = (eligible: boolean, reason: string): EligibilityVerdict => ({
    eligible,
    list: eligible ? 'art. 1' : null,
    reason,
    legalBasis: basis,
  });
  switch (i.category) {
    case 'civil-invalid':
      return (i.percentage ?? 0) > 45
        ? verdict(true, `civil invalidity of ${i.percentage}%, above 45%`)
        : verdict(false, `civil invalidity must exceed 45% (${i.percentage ?? 0}% declared)`);
    case 'work-invalid':
      return (i.percentage ?? 0) > 33
        ? verdict(true, `work invalidity of ${i.percentage}%, above 33%`)
        : verdict(false, `work invalidity must exceed 33% (${i.percentage ?? 0}% declared)`);
    case 'war-or-service-invalid':
      return i.warCategory !== undefined && i.warCategory >= 1 && i.warCategory <= 8
        ? verdict(true, `category ${i.warCategory} of the DPR 915/1978 tables`)
        : verdict(false, 'war and service invalids must be in categories 1 to 8 (DPR 915/1978)');
    case 'blind':
    case 'deaf':
      return verdict(true, `${i.category} (art. 1 c.2)`);
  }
}

// ---- the quota (art. 3) ----

export interface QuotaRules {
  /** Below this computation base there is no obligation. */
  minBase: number;
  /** 15–35: one worker; 36–50: two; above: `percentAbove50` %. */
  oneUpTo: number;
  twoUpTo: number;
  percentAbove50: number;
  /** Art. 18 c.2: one worker from 51 to 150, then `art18Percent` %. */
  art18OneUpTo: number;
  art18Percent: number;
  /** Fractions above this count as a whole worker [LIKELY, DPR 333/2000 art. 3]. */
  roundUpAbove: number;
}

export const QUOTA_RULES: readonly Dated<QuotaRules>[] = [
  {
    validFrom: '2018-01-01',
    legalBasis:
      'L. 68/1999 arts. 3, 18 c.2 as amended by D.Lgs. 151/2015; DPR 333/2000 art. 3 [rounding LIKELY]',
    value: {
      minBase: 15,
      oneUpTo: 35,
      twoUpTo: 50,
      percentAbove50: 7,
      art18OneUpTo: 150,
      art18Percent: 1,
      roundUpAbove: 0.5,
    },
  },
];

export interface Quota {
  base: number;
  disabled: number;
  art18: number;
  explanation: string;
  legalBasis: string;
}

function roundQuota(x: number, above: number): number {
  const whole = Math.floor(x);
  return x - whole > above ? whole + 1 : whole;
}

/** The workers with disabilities (art. 3) and of the protected categories (art. 18 c.2) an employer must employ. */
export function quota(base: number, on: IsoDate): Quota {
  const { value: r, legalBasis } = valueOn(QUOTA_RULES, on);
  let disabled = 0;
  let rule = `under ${r.minBase}: no obligation`;
  if (base >= r.minBase && base <= r.oneUpTo) {
    disabled = 1;
    rule = `${r.minBase}–${r.oneUpTo}: one worker`;
  } else if (base > r.oneUpTo && base <= r.twoUpTo) {
    disabled = 2;
    rule = `${r.oneUpTo + 1}–${r.twoUpTo}: two workers`;
  } else if (base > r.twoUpTo) {
    disabled = roundQuota((base * r.percentAbove50) / 100, r.roundUpAbove);
    rule = `above ${r.twoUpTo}: ${r.percentAbove50}% of ${base} = ${((base * r.percentAbove50) / 100).toFixed(2)}`;
  }
  const art18 =
    base <= r.twoUpTo
      ? 0
      : base <= r.art18OneUpTo
        ? 1
        : roundQuota((base * r.art18Percent) / 100, r.roundUpAbove);
  return {
    base,
    disabled,
    art18,
    explanation: `Computation base ${base}: ${rule} → ${disabled}; art. 18 c.2 → ${art18}.`,
    legalBasis,
  };
}

/** The staff that does not count in the computation base (art. 4 c.1) [LIKELY list]. */
export interface Workforce {
  employees: number;
  fixedTermUpTo6Months: number;
  apprentices: number;
  managers: number;
  /** Workers already employed under L. 68 (disabled or art. 18): counted in the quota, not in the base. */
  alreadyCounted: number;
  other: number;
}

export function computationBase(w: Workforce): { base: number; excluded: Record<string, number> } {
  const excluded = {
    fixedTermUpTo6Months: w.fixedTermUpTo6Months,
    apprentices: w.apprentices,
    managers: w.managers,
    alreadyCounted: w.alreadyCounted,
    other: w.other,
  };
  const base = w.employees - Object.values(excluded).reduce((a, b) => a + b, 0);
  if (base < 0) throw new RangeError('the exclusions exceed the employees');
  return { base, excluded };
}

// ---- amounts (dated) ----

export interface L68Amounts {
  /** Art. 5 c.3: the daily exemption contribution per disabled worker not employed. */
  exemptionDaily: number;
  /** Art. 5 c.3: at most this share of the quota may be exempted. */
  exemptionMaxShare: number;
  /** Art. 15 c.4: the daily sanction is this many times the exemption contribution. */
  sanctionMultiplier: number;
  /** Art. 15 c.1: a late or missing return. */
  lateReturnBase: number;
  lateReturnDaily: number;
}

export const L68_AMOUNTS: readonly Dated<L68Amounts>[] = [
  {
    validFrom: '2016-01-01',
    validTo: '2021-12-31',
    legalBasis: 'L. 68/1999 arts. 5 c.3, 15 cc.1, 4; DM 357/2000 (updated amounts)',
    value: {
      exemptionDaily: 30.64,
      exemptionMaxShare: 0.6,
      sanctionMultiplier: 5,
      lateReturnBase: 702.43,
      lateReturnDaily: 34.02,
    },
  },
  {
    validFrom: '2022-01-01',
    legalBasis: 'L. 68/1999 arts. 5 c.3, 15 cc.1, 4; exemption contribution €39.21 from 2022',
    value: {
      exemptionDaily: 39.21,
      exemptionMaxShare: 0.6,
      sanctionMultiplier: 5,
      lateReturnBase: 702.43,
      lateReturnDaily: 34.02,
    },
  },
];

const cents = (x: number): number => Math.round(x * 100) / 100;

/** Art. 15 c.1: €702.43, plus €34.02 for each day of delay after the term (31 January). */
export function lateReturnSanction(
  due: IsoDate,
  filedOn: IsoDate,
): { amount: number; daysLate: number; legalBasis: string } {
  const { value, legalBasis } = valueOn(L68_AMOUNTS, due);
  const daysLate = Math.max(0, daysBetween(due, filedOn));
  return {
    amount: daysLate === 0 ? 0 : cents(value.lateReturnBase + value.lateReturnDaily * daysLate),
    daysLate,
    legalBasis,
  };
}

/** Whether a day falls in one of the periods (both ends included). */
export function inAnyPeriod(d: IsoDate, periods: readonly { from: IsoDate; to: IsoDate }[]): boolean {
  return periods.some((p) => p.from <= d && d <= p.to);
}

/**
 * Art. 15 c.4: for each working day of the office's calendar after the 60 days, and each worker missing, five times
 * the daily exemption contribution (the amount in force on each day). Days the obligation is suspended (art. 3 c.5)
 * do not count.
 */
export function uncoveredQuotaSanction(
  from: IsoDate,
  to: IsoDate,
  missingWorkers: number,
  calendar: CalendarProfile,
  suspended: readonly { from: IsoDate; to: IsoDate }[] = [],
): { amount: number; workingDays: number; perDay: number; legalBasis: string } {
  let amount = 0;
  let workingDays = 0;
  let perDay = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (!isWorkingDay(d, calendar) || inAnyPeriod(d, suspended)) continue;
    const { value } = valueOn(L68_AMOUNTS, d);
    perDay = value.exemptionDaily * value.sanctionMultiplier;
    workingDays += 1;
    amount += perDay * missingWorkers;
  }
  return {
    amount: cents(amount),
    workingDays,
    perDay: cents(perDay),
    legalBasis: valueOn(L68_AMOUNTS, from).legalBasis,
  };
}

/** Art. 5 c.3: the partial exemption may cover at most 60% of the quota; what it costs per working day. */
export function exemption(
  quotaWorkers: number,
  requested: number,
  on: IsoDate,
): { allowed: number; dailyCost: number } {
  const { value } = valueOn(L68_AMOUNTS, on);
  const allowed = Math.min(requested, Math.floor(quotaWorkers * value.exemptionMaxShare));
  return { allowed, dailyCost: cents(allowed * value.exemptionDaily) };
}
