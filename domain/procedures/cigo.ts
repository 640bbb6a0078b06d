/**
 * CIG ordinaria (CIGO): D.Lgs. 148/2015 arts. 10–16, procedures.md §2.1–2.2.
 * Pure rules and contracts; the workflow in workflows/cigo.ts sequences them.
 */
import { z } from 'zod';
import type { IsoDate } from '../dates';
import { addDays, maxDate } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { ProcedureDef, Refusal } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import type { Period } from '../schemas';
import { isoDate, longText, period, shortText, text } from '../schemas';
import type { CapCheck, UsedPeriod } from './wage-guarantee';
import {
  capRefusal,
  countsScheme,
  overallCapCheck,
  schemeRefusal,
  suspensionRequest,
  unionDays,
  unitKeyOf,
  weeksCapCheck,
  weeksOf,
} from './wage-guarantee';

export const CIGO_CODE = 'CIGO';

export interface CigoLimits {
  /** Art. 12 c.1: up to 13 consecutive weeks per request. */
  maxWeeksPerRequest: number;
  /** Art. 12 c.2: at most 52 weeks in a rolling two-year window (biennio mobile) per production unit. */
  maxWeeksInWindow: number;
  windowYears: number;
  /** Employers up to this many employees have the shorter consultation (art. 14 c.3). */
  smallEmployerMax: number;
  /** Unavoidable events: a joint examination only when the cut exceeds this many hours a week (art. 14 c.4). */
  unavoidableExamHoursThreshold: number;
  /** A late application covers periods from this many days before filing (art. 15 c.3) [LIKELY]. */
  lateApplicationLookbackDays: number;
}

export const CIGO_LIMITS: readonly Dated<CigoLimits>[] = [
  {
    validFrom: '2015-09-24',
    legalBasis: 'D.Lgs. 148/2015 arts. 12, 14, 15',
    value: {
      maxWeeksPerRequest: 13,
      maxWeeksInWindow: 52,
      windowYears: 2,
      smallEmployerMax: 50,
      unavoidableExamHoursThreshold: 16,
      lateApplicationLookbackDays: 7,
    },
  },
];

export function cigoLimitsOn(on: IsoDate): CigoLimits {
  return valueOn(CIGO_LIMITS, on).value;
}

export const CIGO_RULES = {
  consultation: {
    ...CALENDAR_DAYS,
    id: 'cigo-consultation',
    title: 'Union consultation closes',
    legalBasis: 'D.Lgs. 148/2015 art. 14 c.3',
    trigger: 'union notice',
    offset: 25,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "Runs between the employer and the unions: nothing is filed with an office when it ends, and the office's suspension does not stop it.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  consultationSmall: {
    ...CALENDAR_DAYS,
    id: 'cigo-consultation-small',
    title: 'Union consultation closes (employer with up to 50 employees)',
    legalBasis: 'D.Lgs. 148/2015 art. 14 c.3',
    trigger: 'union notice',
    offset: 10,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "Runs between the employer and the unions: nothing is filed with an office when it ends, and the office's suspension does not stop it.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  unavoidableExamRequest: {
    ...CALENDAR_DAYS,
    id: 'cigo-eone-exam-request',
    title: 'Request for a joint examination (unavoidable event)',
    legalBasis: 'D.Lgs. 148/2015 art. 14 c.4',
    trigger: 'union notice',
    offset: 3,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The unions' request to the employer: no office is involved, and the office's suspension does not stop it.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  unavoidableExam: {
    ...CALENDAR_DAYS,
    id: 'cigo-eone-exam',
    title: 'Joint examination closes (unavoidable event)',
    legalBasis: 'D.Lgs. 148/2015 art. 14 c.4',
    trigger: 'request for the joint examination',
    offset: 5,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The joint examination between the parties: no office is involved, and the office's suspension does not stop it.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  application: {
    ...CALENDAR_DAYS,
    id: 'cigo-application',
    title: 'Application to INPS',
    legalBasis: 'D.Lgs. 148/2015 art. 15 c.2',
    trigger: 'start of the suspension or reduction',
    offset: 15,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with INPS, which is closed on Saturday (procedures.md §7.3.4); the employer's term, which the office's suspension does not stop.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  applicationUnavoidable: {
    ...CALENDAR_DAYS,
    id: 'cigo-application-eone',
    title: 'Application to INPS (unavoidable event): end of the following month',
    legalBasis: 'D.Lgs. 148/2015 art. 15 c.2, as amended by D.Lgs. 185/2016',
    trigger: 'the unavoidable event',
    offset: 1,
    unit: 'END_OF_MONTH',
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with INPS, which is closed on Saturday (procedures.md §7.3.4); the employer's term, which the office's suspension does not stop.",
    validFrom: '2016-10-08',
    confidence: 'VERIFIED',
  },
  integration: {
    ...CALENDAR_DAYS,
    id: 'cigo-integration',
    title: 'Missing documents supplied by the employer',
    legalBasis: 'L. 241/1990 art. 2 c.7 (one suspension of up to 30 days to obtain missing information)',
    trigger: 'request for missing documents',
    offset: 30,
    saturdayRollsForward: true,
    pausedBySuspension: true,
    countingWhy:
      'The documents are filed with the office, closed on Saturday; a term the office set within its own procedure (L. 241/1990 art. 2 c.7), so it stops while the case is suspended.',
    validFrom: '1990-08-18',
    confidence: 'LIKELY',
  },
  inpsDecision: {
    ...CALENDAR_DAYS,
    id: 'cigo-inps-decision',
    title: 'INPS decision expected (default term of an administrative procedure)',
    legalBasis: 'L. 241/1990 art. 2 c.2 (no specific term found for the CIGO decision)',
    trigger: 'application forwarded to INPS',
    offset: 30,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "A decision of INPS, closed on Saturday; INPS's own term, which the office's suspension does not stop.",
    validFrom: '1990-08-18',
    confidence: 'UNVERIFIED',
  },
  appeal: {
    ...CALENDAR_DAYS,
    id: 'cigo-appeal',
    title: 'Appeal to the INPS Comitato amministratore GPT against a rejection or partial acceptance',
    legalBasis: 'INPS Regolamento ricorsi (CdA delib. 8/2023) art. 5; INPS circ. 48/2023',
    trigger: 'receipt of the INPS decision',
    offset: 30,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with an INPS committee, closed on Saturday; the employer's term, which the office's suspension does not stop.",
    validFrom: '2023-05-17',
    confidence: 'VERIFIED',
  },
} satisfies Record<string, DeadlineRule>;

/** Causes of art. 11; the unavoidable ones (EONE) follow the special terms of arts. 14 c.4 and 15 c.2. */
export const CIGO_CAUSES = {
  temporary_market: { title: 'Temporary market situation', unavoidable: false },
  temporary_event: { title: 'Temporary event not attributable to employer or workers', unavoidable: false },
  weather: { title: 'Adverse weather (unavoidable event)', unavoidable: true },
  unavoidable_event: { title: 'Other objectively unavoidable event (EONE)', unavoidable: true },
} as const;
export type CigoCause = keyof typeof CIGO_CAUSES;

export const cigoStartInput = suspensionRequest(CIGO_CAUSES, 'D.Lgs. 148/2015 art. 14 c.1').superRefine(
  (v, ctx) => {
    const weeks = weeksOf(v.suspension);
    const limits = cigoLimitsOn(v.suspension.from);
    if (weeks > limits.maxWeeksPerRequest) {
      ctx.addIssue({
        code: 'custom',
        path: ['suspension'],
        message: `covers ${weeks} weeks; one request may cover at most ${limits.maxWeeksPerRequest} (D.Lgs. 148/2015 art. 12 c.1)`,
      });
    }
  },
);
export type CigoStartInput = z.infer<typeof cigoStartInput>;

export type { UsedPeriod } from './wage-guarantee';
export { weeksOf } from './wage-guarantee';

/** The CIGO check keeps the week-named figures integrators already read, beside the shared ones. */
export interface DurationCheck extends CapCheck {
  requestedWeeks: number;
  usedWeeks: number;
  totalWeeks: number;
  maxWeeks: number;
  /** Days of the window already used, counted once even where earlier periods overlap. */
  usedDays: number;
}

/**
 * Art. 12 c.2: CIGO may not exceed 52 weeks in a rolling two-year window per production unit. The window ends on
 * the last day of the requested period and looks back two years (Ministry circ. 17/2017 for the anchoring).
 * Earlier periods are those of other CIGO cases of the same unit that were not rejected or withdrawn.
 */
export function cigoDurationCheck(requested: Period, earlier: readonly UsedPeriod[]): DurationCheck {
  const limits = cigoLimitsOn(requested.from);
  const check = weeksCapCheck(
    {
      id: 'duration-biennio',
      title: `CIGO: ${limits.maxWeeksInWindow} weeks in a rolling ${limits.windowYears} years`,
      legalBasis: 'D.Lgs. 148/2015 art. 12 c.2; Ministry circ. 17/2017',
      maxWeeks: limits.maxWeeksInWindow,
      windowYears: limits.windowYears,
      counts: countsScheme(CIGO_CODE),
    },
    requested,
    earlier,
  );
  return {
    ...check,
    requestedWeeks: check.requested,
    usedWeeks: check.used,
    totalWeeks: check.total,
    maxWeeks: check.cap,
    usedDays: unionDays(check.counted),
  };
}

/**
 * A late application (after the 15-day term) covers only periods from a week before the filing date
 * (D.Lgs. 148/2015 art. 15 c.3) [LIKELY].
 */
export function coveredFromAfterLateFiling(suspensionFrom: IsoDate, filedOn: IsoDate): IsoDate {
  return maxDate(suspensionFrom, addDays(filedOn, -cigoLimitsOn(filedOn).lateApplicationLookbackDays));
}

export function isUnavoidable(input: CigoStartInput): boolean {
  return CIGO_CAUSES[input.cause].unavoidable;
}

/** What the art. 14 consultation depends on (shared by CIGO and FIS, art. 30 c.2). */
export type ConsultationFacts = Pick<
  CigoStartInput,
  'employer' | 'unionNoticeDate' | 'reductionHoursPerWeek' | 'suspension'
>;

/** Whether an unavoidable-event case has a joint examination at all (cut over 16 hours a week, art. 14 c.4). */
export function unavoidableExamApplies(input: ConsultationFacts): boolean {
  return input.reductionHoursPerWeek > cigoLimitsOn(input.suspension.from).unavoidableExamHoursThreshold;
}

export function consultationRule(input: ConsultationFacts): DeadlineRule {
  return input.employer.averageEmployees <= cigoLimitsOn(input.unionNoticeDate).smallEmployerMax
    ? CIGO_RULES.consultationSmall
    : CIGO_RULES.consultation;
}

// ---- task forms and news ----

const minutes = z.object({ minutesDate: isoDate, summary: longText.optional() }).strict();

export const cigoForms = {
  examRequest: {
    key: 'exam-request',
    title: 'Record whether a joint examination was requested (unavoidable event)',
    ...OFFICE_STAFF,
    outcomes: {
      requested: {
        title: 'A joint examination was requested',
        schema: z.object({ requestDate: isoDate, requestedBy: z.enum(['unions', 'employer']) }).strict(),
      },
      not_requested: { title: 'No joint examination was requested', schema: z.object({}).strict() },
    },
  },
  consultation: {
    key: 'union-consultation',
    title: 'Record the outcome of the union consultation',
    ...OFFICE_STAFF,
    outcomes: {
      agreement: { title: 'Concluded with an agreement', schema: minutes },
      no_agreement: { title: 'Concluded without agreement (not required for CIGO)', schema: minutes },
      not_requested: { title: 'Neither side asked for a joint examination', schema: z.object({}).strict() },
    },
  },
  application: {
    key: 'inps-application',
    title: 'Register the application filed with INPS',
    ...OFFICE_STAFF,
    outcomes: {
      filed: {
        title: 'The employer filed the application',
        schema: z
          .object({
            filedOn: isoDate,
            inpsProtocol: text(64),
            hoursRequested: z.number().positive().max(10_000_000),
            technicalReport: z.boolean(),
          })
          .strict(),
      },
      not_filed: {
        title: 'The employer will not apply',
        schema: z.object({ reason: longText }).strict(),
      },
    },
  },
  completeness: {
    key: 'completeness-check',
    title: 'Check the application is complete',
    ...OFFICE_STAFF,
    outcomes: {
      complete: {
        title: 'Complete: forward to INPS',
        schema: z.object({ note: longText.optional() }).strict(),
      },
      incomplete: {
        title: 'Incomplete: ask the employer for the missing documents',
        schema: z.object({ missing: z.array(shortText).min(1).max(20) }).strict(),
      },
    },
  },
  chase: {
    key: 'chase-inps',
    title: 'INPS has not decided: solicit the decision',
    ...OFFICE_STAFF,
    outcomes: {
      solicited: { title: 'Solicited INPS', schema: z.object({ note: longText.optional() }).strict() },
    },
  },
} as const;

export const inpsDecisionNews = z
  .object({
    decision: z.enum(['authorised', 'partial', 'rejected']),
    decidedOn: isoDate,
    protocol: text(64),
    authorised: period.optional(),
    hoursAuthorised: z.number().positive().optional(),
    reasons: longText.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision !== 'rejected' && v.authorised === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['authorised'],
        message: 'required when the decision authorises',
      });
    }
    if (v.decision === 'rejected' && v.authorised !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['authorised'], message: 'must be absent for a rejection' });
    }
    if (v.decision !== 'authorised' && v.reasons === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['reasons'],
        message: 'required for a partial or rejected decision',
      });
    }
  });
export type InpsDecisionNews = z.infer<typeof inpsDecisionNews>;

export const documentsSupplementedNews = z
  .object({ documents: z.array(shortText).min(1).max(20), receivedOn: isoDate })
  .strict();

export function cigoUnitKey(input: CigoStartInput): string {
  return unitKeyOf(input.employer.taxCode, input.productionUnit);
}

/** Why a CIGO start is refused: the scheme (art. 10), the biennio (art. 12 c.2), the overall cap (art. 4). */
export function cigoRefusal(
  input: CigoStartInput,
  earlier: readonly UsedPeriod[],
  today: IsoDate,
): Refusal | null {
  return (
    schemeRefusal('CIGO', input.employer, today) ??
    capRefusal(cigoDurationCheck(input.suspension, earlier), { cut: false }) ??
    capRefusal(overallCapCheck(input.employer.sector, input.suspension, null, earlier), { cut: false })
  );
}

/** What an application to INPS waits for (CIGO, and FIS by art. 30 c.2). */
export const INPS_APPLICATION_NEWS: ProcedureDef['news'] = {
  'inps-decision': {
    type: 'inps-decision',
    title: 'Decision of INPS on the application',
    from: 'INPS',
    relays: ['inps'],
    schema: inpsDecisionNews,
  },
  'documents-supplemented': {
    type: 'documents-supplemented',
    title: 'The employer supplied the missing documents',
    from: 'employer',
    relays: ['employer'],
    schema: documentsSupplementedNews,
  },
};

export const cigoProcedure: ProcedureDef = {
  code: CIGO_CODE,
  version: 2,
  title: 'Cassa integrazione guadagni ordinaria (CIGO)',
  legalBasis: 'D.Lgs. 148/2015 arts. 10–16',
  description:
    'Ordinary wage guarantee for industry: union notice and optional joint examination, application to INPS ' +
    "within the legal term, the office's completeness check, the INPS decision and the duration limits per " +
    'production unit.',
  workflowType: 'cigOrdinaria',
  startSchema: cigoStartInput,
  tasks: Object.fromEntries(Object.values(cigoForms).map((f) => [f.key, f])),
  news: INPS_APPLICATION_NEWS,
  deadlineRules: Object.values(CIGO_RULES),
  admission: {
    unitKeys: (input) => [cigoUnitKey(input as CigoStartInput)],
    check: (input, ctx) => {
      const i = input as CigoStartInput;
      return cigoRefusal(i, ctx.periodsByUnit[cigoUnitKey(i)] ?? [], ctx.today);
    },
  },
};
