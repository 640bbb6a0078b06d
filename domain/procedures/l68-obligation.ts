/**
 * An employer's targeted-placement obligation for one year (L. 68/1999 arts. 3, 5, 7, 9, 11, 12, 12-bis, 15, 17;
 * D.Lgs. 276/2003 art. 14; procedures.md §3.2, §3.4): the annual return, the quota and what covers it, the 60-day
 * term, the ways to comply, the sanctions and the compliance certificate. The arithmetic lives here, pure; the
 * workflow (`workflows/l68-obligation.ts`) feeds it what happens during the year.
 */
import { z } from 'zod';
import type { CalendarProfile } from '../calendar';
import { isWorkingDay } from '../calendar';
import type { IsoDate } from '../dates';
import { addDays, makeDate, maxDate, minDate } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS, CALENDAR_MONTHS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { ProcedureDef, Refusal } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import { isoDate, longText, shortText, taxCode } from '../schemas';
import type { Quota } from './targeted-placement';
import { L68_AMOUNTS, computationBase, exemption, inAnyPeriod, quota } from './targeted-placement';

export const L68O_CODE = 'L68O';

export const employerUnitKey = (employer: string, year: number): string => `l68-employer:${employer}:${year}`;

export const OBLIGATION_RULES = {
  annualReturn: {
    ...CALENDAR_MONTHS,
    id: 'l68-annual-return',
    title: 'Annual return (prospetto informativo), on the situation at 31 December',
    legalBasis: 'L. 68/1999 art. 9 c.6: by 31 January, when something changed since the last return',
    trigger: '31 December of the previous year',
    offset: 1,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the public system of the returns, run by offices closed on Saturday; the employer's term, which the office's suspension does not stop.",
    validFrom: '2000-01-01',
    confidence: 'VERIFIED',
  },
  sixtyDays: {
    ...CALENDAR_DAYS,
    id: 'l68-sixty-days',
    title: 'Hire, or ask the office, within 60 days of the obligation',
    legalBasis: 'L. 68/1999 arts. 7 c.1, 9 c.1',
    trigger: 'the obligation arises',
    offset: 60,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "A hire, or a request filed with the office, closed on Saturday; the employer's term, which the office's suspension does not stop.",
    validFrom: '2000-01-01',
    confidence: 'VERIFIED',
  },
  agreementStep: {
    ...CALENDAR_DAYS,
    id: 'l68-agreement-step',
    title: 'Hires due under the agreement schedule',
    legalBasis: 'L. 68/1999 art. 11 cc.1–2: the agreement sets the times of the hires',
    trigger: 'the day the schedule sets',
    offset: 0,
    rollForwardIfHoliday: false,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The day the agreement's schedule sets for a hire, kept as written; the employer's term, which the office's suspension does not stop.",
    validFrom: '2000-01-01',
    confidence: 'LIKELY',
  },
  yearEnd: {
    ...CALENDAR_DAYS,
    id: 'l68-year-end',
    title: 'End of the obligation year: sanctions and contributions are settled',
    legalBasis: 'L. 68/1999 arts. 5 c.3, 15 c.4',
    trigger: '31 December',
    offset: 0,
    rollForwardIfHoliday: false,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The calendar year ends on 31 December whatever day it is; nothing is filed then, and the office's suspension does not stop it.",
    validFrom: '2000-01-01',
    confidence: 'LIKELY',
  },
} satisfies Record<string, DeadlineRule>;

/** Parameters of the employer side that are practice rather than statute, dated so that they can change. */
export interface ObligationLimits {
  /** A fixed-term hire counts towards the quota from this many months (Brescia and ER practice) [UNVERIFIED]. */
  fixedTermMonthsToCount: number;
  /** How long a clearance (nulla osta) for a nominative hire is valid (Brescia: 30 days) [UNVERIFIED for ARTI]. */
  clearanceValidDays: number;
}

export const OBLIGATION_LIMITS: readonly Dated<ObligationLimits>[] = [
  {
    validFrom: '2000-01-01',
    legalBasis: 'DM 43/2022 §4.1 (nulla osta); Brescia and Emilia-Romagna practice (open-items.md §2.1)',
    value: { fixedTermMonthsToCount: 6, clearanceValidDays: 30 },
  },
];

// ---- agreements ----

export const AGREEMENT_TYPES = ['art11', 'art11-c4', 'art12', 'art12-bis', 'art14-276'] as const;
export type AgreementType = (typeof AGREEMENT_TYPES)[number];

interface AgreementTypeDef {
  title: string;
  legalBasis: string;
  /** The computation base must exceed this (art. 12-bis: more than 50 employees). */
  baseAbove: number;
  /** The share of the quota the agreement may cover, dated (art. 12-bis: 10%, 60% from 31 Dec 2025). */
  maxShare: readonly Dated<number>[];
}

const WHOLE_QUOTA: readonly Dated<number>[] = [
  { validFrom: '2000-01-01', legalBasis: 'no statutory cap', value: 1 },
];

export const AGREEMENTS: Record<AgreementType, AgreementTypeDef> = {
  art11: {
    title: 'Programme of staged hires',
    legalBasis: 'L. 68/1999 art. 11 c.1',
    baseAbove: 0,
    maxShare: WHOLE_QUOTA,
  },
  'art11-c4': {
    title: 'Work-integration agreement for people hard to place',
    legalBasis: 'L. 68/1999 art. 11 c.4',
    baseAbove: 0,
    maxShare: WHOLE_QUOTA,
  },
  art12: {
    title: 'Temporary placement with a social cooperative or disabled freelancer',
    legalBasis: 'L. 68/1999 art. 12',
    baseAbove: 0,
    maxShare: WHOLE_QUOTA,
  },
  'art12-bis': {
    title: 'Work orders to a receiving body that hires the worker',
    legalBasis: 'L. 68/1999 art. 12-bis (as amended by L. 198/2025 art. 14-bis)',
    baseAbove: 50,
    maxShare: [
      {
        validFrom: '2000-01-01',
        validTo: '2025-12-30',
        legalBasis: 'L. 68/1999 art. 12-bis c.3',
        value: 0.1,
      },
      { validFrom: '2025-12-31', legalBasis: 'L. 198/2025 art. 14-bis: up to 60%', value: 0.6 },
    ],
  },
  'art14-276': {
    title: 'Work orders to a type-B social cooperative under a framework agreement',
    legalBasis: 'D.Lgs. 276/2003 art. 14 (coverage limits set by the framework agreement) [LIKELY]',
    baseAbove: 0,
    maxShare: WHOLE_QUOTA,
  },
};

/** Why an agreement may not be signed for that many workers, or null (nearest unit, L. 198/2025 art. 14-bis). */
export function agreementRefusal(
  type: AgreementType,
  workers: number,
  scheduled: number,
  q: Quota,
  on: IsoDate,
): string | null {
  const def = AGREEMENTS[type];
  if (q.base <= def.baseAbove)
    return `${def.legalBasis} needs a computation base above ${def.baseAbove} (${q.base})`;
  const share = valueOn(def.maxShare, on);
  const cap = Math.round(q.disabled * share.value);
  if (workers > cap)
    return `${def.legalBasis} covers at most ${share.value * 100}% of the quota of ${q.disabled}: ${cap} (${share.legalBasis})`;
  if (scheduled !== workers) return `the schedule plans ${scheduled} hire(s) for ${workers} worker(s)`;
  return null;
}

// ---- the position ----

export interface CountedHire {
  taxCode: string;
  name: string;
  hiredOn: IsoDate;
  via: 'nominative' | 'referral' | 'agreement';
  agreementNo: string | null;
}

export interface AgreementState {
  agreementNo: string;
  type: AgreementType;
  workers: number;
  schedule: { by: IsoDate; hires: number }[];
  status: 'proposed' | 'active' | 'breached' | 'refused' | 'fulfilled';
  signedOn: IsoDate | null;
  breachedOn: IsoDate | null;
}

export interface ExemptionState {
  workers: number;
  from: IsoDate;
  to: IsoDate;
}

export interface Position {
  required: number;
  employed: number;
  byAgreements: number;
  exempted: number;
  offset: number;
  uncovered: number;
  explanation: string;
}

/**
 * What covers the quota on a day: the workers employed (the return's, plus the year's counted hires), the workers
 * still to come under active agreements, the exempted share (art. 5 c.3) and the surplus offset from other units
 * (art. 5 c.8). The rest is uncovered.
 */
export function position(
  q: Quota,
  employedAtReturn: number,
  hires: readonly CountedHire[],
  agreements: readonly AgreementState[],
  exemptionState: ExemptionState | null,
  offsetting: number,
  on: IsoDate,
): Position {
  const employed = employedAtReturn + hires.filter((h) => h.hiredOn <= on).length;
  const byAgreements = agreements
    .filter((a) => a.status === 'active')
    .reduce(
      (s, a) => s + Math.max(0, a.workers - hires.filter((h) => h.agreementNo === a.agreementNo).length),
      0,
    );
  const exempted =
    exemptionState && exemptionState.from <= on && on <= exemptionState.to ? exemptionState.workers : 0;
  const offset = Math.max(0, offsetting);
  const uncovered = Math.max(0, q.disabled - employed - byAgreements - exempted - offset);
  return {
    required: q.disabled,
    employed,
    byAgreements,
    exempted,
    offset,
    uncovered,
    explanation:
      `quota ${q.disabled} − employed ${employed} − agreements ${byAgreements} − exempted ${exempted} − ` +
      `offset ${offset} = ${uncovered} uncovered`,
  };
}

/** Art. 11: the hires an agreement should have made by a day, and whether it is behind. */
export function agreementBehind(a: AgreementState, hires: readonly CountedHire[], on: IsoDate): number {
  const due = a.schedule.filter((s) => s.by <= on).reduce((s, x) => s + x.hires, 0);
  const made = hires.filter((h) => h.agreementNo === a.agreementNo && h.hiredOn <= on).length;
  return Math.max(0, due - made);
}

// ---- money ----

export interface Period {
  from: IsoDate;
  to: IsoDate;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/** Art. 5 c.3: the exemption contribution, per working day and per exempted worker, over the authorised days. */
export function exemptionContribution(
  e: ExemptionState,
  to: IsoDate,
  calendar: CalendarProfile,
): { amount: number; workingDays: number } {
  let amount = 0;
  let workingDays = 0;
  for (let d = e.from; d <= minDate(e.to, to); d = addDays(d, 1)) {
    if (!isWorkingDay(d, calendar)) continue;
    workingDays += 1;
    amount += valueOn(L68_AMOUNTS, d).value.exemptionDaily * e.workers;
  }
  return { amount: cents(amount), workingDays };
}

/** The days of `p` that fall inside the suspensions, counted once. */
export function suspendedDays(p: Period, suspended: readonly Period[]): number {
  let n = 0;
  for (let d = p.from; d <= p.to; d = addDays(d, 1)) if (inAnyPeriod(d, suspended)) n += 1;
  return n;
}

/**
 * Art. 3 c.5: the days of a term that fall in a suspension do not count, so the term is `days` unsuspended days
 * after it arose. Returns the offset in calendar days (the fixed point: lengthening can meet more suspension).
 */
export function unsuspendedTerm(arisesOn: IsoDate, days: number, suspended: readonly Period[]): number {
  let offset = days;
  for (;;) {
    const next =
      days + suspendedDays({ from: addDays(arisesOn, 1), to: addDays(arisesOn, offset) }, suspended);
    if (next === offset) return offset;
    offset = next;
  }
}

/** The suspensions clipped to a year, merged when they touch. */
export function suspensionsIn(year: number, list: readonly Period[]): Period[] {
  const y0 = makeDate(year, 1, 1);
  const y1 = makeDate(year, 12, 31);
  const clipped = list
    .filter((p) => p.to >= y0 && p.from <= y1)
    .map((p) => ({ from: maxDate(p.from, y0), to: minDate(p.to, y1) }))
    .sort((a, b) => (a.from < b.from ? -1 : 1));
  const out: Period[] = [];
  for (const p of clipped) {
    const last = out[out.length - 1];
    if (last && p.from <= addDays(last.to, 1)) last.to = maxDate(last.to, p.to);
    else out.push({ ...p });
  }
  return out;
}

// ---- inputs ----

export const EMPLOYER_KINDS = ['private', 'public-economic', 'public'] as const;

export const obligationStartInput = z
  .object({
    employer: z
      .object({ taxCode, name: shortText, kind: z.enum(EMPLOYER_KINDS), ateco: shortText.optional() })
      .strict(),
    year: z.int().min(2018).max(2100),
    /** The day the obligation (or its change) arose: the 60 days run from it. Default: 1 January of the year. */
    obligationArisesOn: isoDate.optional(),
    /** Last year's situation, carried over by the January campaign. */
    previous: z
      .object({
        caseId: shortText.optional(),
        base: z.int().min(0).max(1_000_000),
        employedDisabled: z.int().min(0).max(100_000),
        employedArt18: z.int().min(0).max(100_000),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.obligationArisesOn !== undefined && !v.obligationArisesOn.startsWith(`${v.year}-`))
      ctx.addIssue({ code: 'custom', path: ['obligationArisesOn'], message: `must fall in ${v.year}` });
  });
export type ObligationStartInput = z.infer<typeof obligationStartInput>;

const count = z.int().min(0).max(1_000_000);

export const returnNews = z
  .object({
    filedOn: isoDate,
    /** The situation the return describes: 31 December of the previous year. */
    referenceDate: isoDate,
    /** Whether anything changed since the last return that affects the quota (art. 9 c.6). */
    changed: z.boolean(),
    workforce: z
      .object({
        employees: count,
        fixedTermUpTo6Months: count,
        apprentices: count,
        managers: count,
        other: count,
      })
      .strict(),
    employedDisabled: count,
    employedArt18: count,
    vacancies: z
      .array(z.object({ profile: shortText, count: z.int().min(1).max(1000) }).strict())
      .max(50)
      .default([]),
    /** Art. 5 c.8: surplus (+) or deficit (−) in the employer's other units or group companies. */
    offsetting: z
      .array(z.object({ unit: shortText, region: shortText, delta: z.int().min(-1000).max(1000) }).strict())
      .max(50)
      .default([]),
  })
  .strict();
export type ReturnNews = z.infer<typeof returnNews>;

export const nominativeRequestNews = z
  .object({ taxCode, name: shortText, qualification: shortText, requestedOn: isoDate })
  .strict();

export const hireNews = z
  .object({
    taxCode,
    name: shortText,
    hiredOn: isoDate,
    contract: z.enum(['permanent', 'fixed-term']),
    months: z.int().min(1).max(120).optional(),
    via: z.enum(['nominative', 'agreement']),
    agreementNo: shortText.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.contract === 'fixed-term' && v.months === undefined)
      ctx.addIssue({ code: 'custom', path: ['months'], message: 'required for a fixed-term hire' });
    if (v.via === 'agreement' && v.agreementNo === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['agreementNo'],
        message: 'required for a hire under an agreement',
      });
  });

export const REFERRAL_OUTCOMES = ['hired', 'unsuitable', 'refused', 'absent'] as const;
export const referralOutcomeNews = z
  .object({ taxCode, outcome: z.enum(REFERRAL_OUTCOMES), date: isoDate, note: longText.optional() })
  .strict();

export const agreementNews = z
  .object({
    type: z.enum(AGREEMENT_TYPES),
    workers: z.int().min(1).max(1000),
    schedule: z
      .array(z.object({ by: isoDate, hires: z.int().min(1).max(1000) }).strict())
      .min(1)
      .max(24),
    partner: shortText.optional(),
    proposedOn: isoDate,
  })
  .strict();

export const exemptionRequestNews = z
  .object({ workers: z.int().min(1).max(1000), reason: longText, requestedOn: isoDate })
  .strict();

export const certificateRequestNews = z.object({ requestedOn: isoDate, purpose: shortText }).strict();

export const obligationForms = {
  chaseReturn: {
    key: 'l68-chase-return',
    title: 'No annual return by 31 January: remind the employer',
    ...OFFICE_STAFF,
    outcomes: { reminded: { title: 'Reminded', schema: z.object({ note: longText.optional() }).strict() } },
  },
  clearance: {
    key: 'l68-clearance',
    title: 'Nominative request: check the person and grant or refuse the clearance (nulla osta)',
    ...OFFICE_STAFF,
    outcomes: {
      granted: { title: 'Clearance granted', schema: z.object({ note: longText.optional() }).strict() },
      refused: { title: 'Clearance refused', schema: z.object({ reasons: longText }).strict() },
    },
  },
  agreement: {
    key: 'l68-agreement',
    title: 'Sign or refuse the proposed agreement',
    ...OFFICE_STAFF,
    outcomes: {
      signed: { title: 'Signed', schema: z.object({ signedOn: isoDate }).strict() },
      refused: { title: 'Refused', schema: z.object({ reasons: longText }).strict() },
    },
  },
  exemption: {
    key: 'l68-exemption',
    title: 'Decide the request for a partial exemption (art. 5 c.3)',
    ...OFFICE_STAFF,
    outcomes: {
      authorised: {
        title: 'Authorised',
        schema: z
          .object({ workers: z.int().min(1).max(1000), from: isoDate, to: isoDate })
          .strict()
          .refine((v) => v.from <= v.to, { message: 'must not end before it starts', path: ['to'] }),
      },
      refused: { title: 'Refused', schema: z.object({ reasons: longText }).strict() },
    },
  },
  exhausted: {
    key: 'l68-ranking-exhausted',
    title: 'No one left to refer: agree another qualification with the employer (art. 7 c.1-bis)',
    ...OFFICE_STAFF,
    outcomes: { noted: { title: 'Noted', schema: z.object({ note: longText.optional() }).strict() } },
  },
} as const;

/** Art. 17: whether the certificate can be issued on a day, and why not. */
export function certificateVerdict(
  p: Position | null,
  termDue: IsoDate | null,
  suspended: boolean,
  on: IsoDate,
): { issued: boolean; reason: string } {
  if (p === null) return { issued: false, reason: 'no annual return and no earlier situation on record' };
  if (p.uncovered === 0) return { issued: true, reason: `the quota is covered (${p.explanation})` };
  if (suspended) return { issued: true, reason: 'the obligation is suspended (art. 3 c.5)' };
  if (termDue !== null && on <= termDue)
    return {
      issued: true,
      reason: `within the 60-day term ending ${termDue} (${p.uncovered} still to hire)`,
    };
  return {
    issued: false,
    reason: `${p.uncovered} worker(s) missing after the 60-day term (${p.explanation})`,
  };
}

/** The business key of an employer's obligation case for a year, used as its id by the January campaign. */
export function l68ObligationCaseId(year: number, employerTaxCode: string): string {
  return `${L68O_CODE}-${year}-${employerTaxCode}`;
}

export function admissionRefusal(i: ObligationStartInput, open: readonly string[]): Refusal | null {
  if (open.length === 0) return null;
  return {
    slug: 'already-open',
    detail: `${i.employer.taxCode} already has an obligation case for ${i.year}: ${open.join(', ')}.`,
    rule: 'one obligation case per employer and year',
    figures: { openCases: open },
  };
}

export const obligationProcedure: ProcedureDef = {
  code: L68O_CODE,
  version: 2,
  title: "Obbligo di assunzione dei disabili: la posizione dell'anno (L. 68/1999)",
  legalBasis: 'L. 68/1999 arts. 3, 5, 7, 9, 11, 12, 12-bis, 15, 17; D.Lgs. 276/2003 art. 14',
  description:
    "An employer's year: the annual return by 31 January (late-return sanction), the quota from the computation " +
    'base, suspensions while on CIGS or in a collective dismissal, the 60-day term; nominative requests with ' +
    'clearance, numeric referrals in ranking order with replacements, agreements with a monitored schedule, partial ' +
    'exemption, territorial offsetting; the daily sanction reported to the labour inspectorate; the art. 17 certificate.',
  workflowType: 'obbligoCollocamentoMirato',
  startSchema: obligationStartInput,
  tasks: Object.fromEntries(Object.values(obligationForms).map((f) => [f.key, f])),
  news: {
    return: {
      type: 'return',
      title: 'The annual return (prospetto informativo)',
      from: 'employer',
      relays: ['employer'],
      schema: returnNews,
    },
    'nominative-request': {
      type: 'nominative-request',
      title: 'A nominative request for an enrolled person',
      from: 'employer',
      relays: ['employer'],
      schema: nominativeRequestNews,
    },
    hire: {
      type: 'hire',
      title: 'A hire (compulsory communication)',
      from: 'employer',
      relays: ['employer'],
      schema: hireNews,
    },
    'referral-outcome': {
      type: 'referral-outcome',
      title: 'The outcome of a numeric referral',
      from: 'employer or office',
      relays: ['employer'],
      schema: referralOutcomeNews,
    },
    agreement: {
      type: 'agreement',
      title: 'A proposed agreement',
      from: 'employer',
      relays: ['employer'],
      schema: agreementNews,
    },
    'exemption-request': {
      type: 'exemption-request',
      title: 'A request for a partial exemption',
      from: 'employer',
      relays: ['employer'],
      schema: exemptionRequestNews,
    },
    'certificate-request': {
      type: 'certificate-request',
      title: 'A request for the compliance certificate (art. 17)',
      from: 'employer or contracting authority',
      relays: ['employer', 'public-body'],
      schema: certificateRequestNews,
    },
  },
  deadlineRules: Object.values(OBLIGATION_RULES),
  admission: {
    unitKeys: (input) => {
      const i = input as ObligationStartInput;
      return [employerUnitKey(i.employer.taxCode, i.year)];
    },
    check: (input, ctx) => {
      const i = input as ObligationStartInput;
      return admissionRefusal(i, ctx.openCasesByUnit[employerUnitKey(i.employer.taxCode, i.year)] ?? []);
    },
  },
};

/** The computation base and quota the return declares (art. 4 exclusions; the L. 68 workers leave the base). */
export function quotaFromReturn(
  r: ReturnNews,
  on: IsoDate,
): { quota: Quota; excluded: Record<string, number> } {
  const { base, excluded } = computationBase({
    ...r.workforce,
    alreadyCounted: r.employedDisabled + r.employedArt18,
  });
  return { quota: quota(base, on), excluded };
}

export function obligationLimitsOn(on: IsoDate): ObligationLimits {
  return valueOn(OBLIGATION_LIMITS, on).value;
}

/** Whether a hire counts towards the quota: permanent, or fixed-term for at least the months the practice asks. */
export function hireCounts(
  contract: 'permanent' | 'fixed-term',
  months: number | undefined,
  on: IsoDate,
): boolean {
  return contract === 'permanent' || (months ?? 0) >= obligationLimitsOn(on).fixedTermMonthsToCount;
}

/** Art. 5 c.3: how many workers an exemption request may cover. */
export function exemptionCap(q: Quota, requested: number, on: IsoDate): number {
  return exemption(q.disabled, requested, on).allowed;
}
