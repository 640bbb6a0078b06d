/**
 * Assegno di integrazione salariale of the Fondo di integrazione salariale (FIS): D.Lgs. 148/2015 arts. 29–30 as
 * amended by L. 234/2021, procedures.md §2.4. The consultation of art. 14 applies as for CIGO; the application
 * window and the caps are FIS's own. The workflow in workflows/fis.ts sequences these rules.
 */
import type { z } from 'zod';
import type { IsoDate } from '../dates';
import { addDays } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { ProcedureDef, Refusal } from '../procedure';
import { CIGO_CAUSES, CIGO_RULES, INPS_APPLICATION_NEWS, cigoForms } from './cigo';
import type { CapCheck, UsedPeriod } from './wage-guarantee';
import {
  SCHEME_LIMITS,
  capRefusal,
  countsScheme,
  schemeRefusal,
  suspensionRequest,
  unitKeyOf,
  weeksCapCheck,
} from './wage-guarantee';

export const FIS_CODE = 'FIS';

export interface FisLimits {
  /** Art. 30 c.1: employers up to this many employees have the shorter cap. */
  smallEmployerMax: number;
  weeksSmall: number;
  weeksLarge: number;
  windowYears: number;
  /** Art. 30 c.2: the application is filed no earlier than this many days before the suspension starts. */
  applicationOpensDaysBefore: number;
  /** A late application covers periods from this many days before filing (as art. 15 c.3 for CIGO) [LIKELY]. */
  lateApplicationLookbackDays: number;
}

export const FIS_LIMITS: readonly Dated<FisLimits>[] = [
  {
    validFrom: '2022-01-01',
    legalBasis: 'D.Lgs. 148/2015 art. 30 cc.1–2 as amended by L. 234/2021',
    value: {
      smallEmployerMax: 5,
      weeksSmall: 13,
      weeksLarge: 26,
      windowYears: 2,
      applicationOpensDaysBefore: 30,
      lateApplicationLookbackDays: 7,
    },
  },
];

export function fisLimitsOn(on: IsoDate): FisLimits {
  return valueOn(FIS_LIMITS, on).value;
}

/** Ordinary causes as CIGO (art. 11); extraordinary ones (art. 21) only for employers up to 15 employees (art. 29). */
export const FIS_CAUSES = {
  ...CIGO_CAUSES,
  reorganisation: { title: 'Company reorganisation (extraordinary cause)', unavoidable: false },
  crisis: { title: 'Company crisis (extraordinary cause)', unavoidable: false },
} as const;
export type FisCause = keyof typeof FIS_CAUSES;
const EXTRAORDINARY: readonly FisCause[] = ['reorganisation', 'crisis'];

export const FIS_RULES = {
  application: {
    ...CALENDAR_DAYS,
    id: 'fis-application',
    title: 'Application to INPS (assegno di integrazione salariale)',
    legalBasis: 'D.Lgs. 148/2015 art. 30 c.2',
    trigger: 'start of the suspension or reduction',
    offset: 15,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with INPS, which is closed on Saturday (procedures.md §7.3.4); the employer's term, which the office's suspension does not stop.",
    validFrom: '2022-01-01',
    confidence: 'LIKELY',
  },
  appeal: {
    ...CALENDAR_DAYS,
    id: 'fis-appeal',
    title: 'Appeal to the INPS committee of the FIS against a rejection or partial acceptance',
    legalBasis: 'INPS Regolamento ricorsi (CdA delib. 8/2023) art. 5 [LIKELY for FIS]',
    trigger: 'receipt of the INPS decision',
    offset: 30,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the INPS committee of the FIS, closed on Saturday; the employer's term, which the office's suspension does not stop.",
    validFrom: '2023-05-17',
    confidence: 'LIKELY',
  },
} satisfies Record<string, DeadlineRule>;

export const fisStartInput = suspensionRequest(FIS_CAUSES, 'D.Lgs. 148/2015 art. 14 c.1, by art. 30 c.2');
export type FisStartInput = z.infer<typeof fisStartInput>;

export function fisUnitKey(input: FisStartInput): string {
  return unitKeyOf(input.employer.taxCode, input.productionUnit);
}

/** The first day an application may be filed (art. 30 c.2: not earlier than 30 days before the start). */
export function fisApplicationOpens(input: FisStartInput): IsoDate {
  return addDays(input.suspension.from, -fisLimitsOn(input.suspension.from).applicationOpensDaysBefore);
}

/** Art. 30 c.1: 13 weeks in a rolling two years up to 5 employees, 26 above, counted over the unit's FIS cases. */
export function fisCapCheck(input: FisStartInput, earlier: readonly UsedPeriod[]): CapCheck {
  const limits = fisLimitsOn(input.suspension.from);
  const small = input.employer.averageEmployees <= limits.smallEmployerMax;
  const maxWeeks = small ? limits.weeksSmall : limits.weeksLarge;
  return weeksCapCheck(
    {
      id: 'fis-biennio',
      title: `FIS: ${maxWeeks} weeks in a rolling ${limits.windowYears} years (${small ? 'up to' : 'more than'} ${limits.smallEmployerMax} employees)`,
      legalBasis: 'D.Lgs. 148/2015 art. 30 c.1 as amended by L. 234/2021; Ministry circ. 17/2017',
      maxWeeks,
      windowYears: limits.windowYears,
      counts: countsScheme(FIS_CODE),
    },
    input.suspension,
    earlier,
  );
}

/** Why a FIS start is refused: the scheme (art. 29), an extraordinary cause above 15 employees, the cap (`fisCapCheck`). */
export function fisRefusal(input: FisStartInput, cap: CapCheck, today: IsoDate): Refusal | null {
  const scheme = schemeRefusal('FIS', input.employer, today);
  if (scheme) return scheme;
  const max = valueOn(SCHEME_LIMITS, today).value.fisExtraordinaryMaxEmployees;
  if (EXTRAORDINARY.includes(input.cause) && input.employer.averageEmployees > max) {
    return {
      slug: 'cause-not-covered',
      detail:
        `FIS pays extraordinary causes (${input.cause}) only to employers with up to ${max} employees; ` +
        `with ${input.employer.averageEmployees} the cause belongs to CIGS.`,
      rule: 'D.Lgs. 148/2015 art. 29 c.3-bis as amended by L. 234/2021',
      figures: { averageEmployees: input.employer.averageEmployees, max },
    };
  }
  return capRefusal(cap, { cut: false });
}

export const fisProcedure: ProcedureDef = {
  code: FIS_CODE,
  version: 2,
  title: 'Assegno di integrazione salariale (FIS)',
  legalBasis: 'D.Lgs. 148/2015 arts. 29–30 as amended by L. 234/2021',
  description:
    'Wage guarantee of the Fondo di integrazione salariale for employers outside CIGO without a solidarity fund: ' +
    "union consultation as for CIGO, application to INPS in its window, the office's completeness check, the INPS " +
    'decision and the 13/26-week cap per production unit.',
  workflowType: 'fisAssegno',
  startSchema: fisStartInput,
  tasks: Object.fromEntries(Object.values(cigoForms).map((f) => [f.key, f])),
  news: INPS_APPLICATION_NEWS,
  deadlineRules: [
    ...Object.values(FIS_RULES),
    // Art. 30 c.2 applies the CIGO consultation (art. 14); the office's own terms are the same as for CIGO.
    CIGO_RULES.consultation,
    CIGO_RULES.consultationSmall,
    CIGO_RULES.unavoidableExamRequest,
    CIGO_RULES.unavoidableExam,
    CIGO_RULES.integration,
    CIGO_RULES.inpsDecision,
  ],
  admission: {
    unitKeys: (input) => [fisUnitKey(input as FisStartInput)],
    check: (input, ctx) => {
      const i = input as FisStartInput;
      return fisRefusal(i, fisCapCheck(i, ctx.periodsByUnit[fisUnitKey(i)] ?? []), ctx.today);
    },
  },
};
