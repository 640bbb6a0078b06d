/**
 * Taking an unemployed worker in charge (presa in carico): D.Lgs. 150/2015 arts. 19–21, procedures.md §5. The
 * DID (or the NASpI application, which counts as one), the first contact, the convocation when the worker does
 * not come, profiling with a GOL path, the service pact, and the conditionality ladder for missed appointments.
 * Opened by a collective-dismissal case for each dismissed worker, or on its own by an office.
 */
import { z } from 'zod';
import type { IsoDate } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { ProcedureDef } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import { isoDate, longText, shortText, taxCode, text } from '../schemas';

export const PIC_CODE = 'PIC';

export const PIC_RULES = {
  naspiApplication: {
    ...CALENDAR_DAYS,
    id: 'pic-naspi-application',
    title: 'NASpI application to INPS (the application counts as the DID)',
    legalBasis: 'D.Lgs. 22/2015 art. 6 c.1; D.Lgs. 150/2015 art. 21 c.1',
    trigger: 'end of employment',
    offset: 68,
    calendarScope: 'NATIONAL',
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with INPS, closed on Saturday; the person's term, on the national calendar, which the office's suspension does not stop.",
    validFrom: '2015-05-01',
    confidence: 'LIKELY',
  },
  firstContactNaspi: {
    ...CALENDAR_DAYS,
    id: 'pic-first-contact-naspi',
    title: 'The NASpI recipient contacts the office',
    legalBasis: 'D.Lgs. 150/2015 art. 21 c.2',
    trigger: 'NASpI application',
    offset: 15,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "The person contacts the office, closed on Saturday; the person's term, which the office's suspension does not stop.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  firstContactDid: {
    ...CALENDAR_DAYS,
    id: 'pic-first-contact-did',
    title: 'The unemployed person contacts the office',
    legalBasis: 'D.Lgs. 150/2015 art. 20 c.1',
    trigger: 'DID',
    offset: 30,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "The person contacts the office, closed on Saturday; the person's term, which the office's suspension does not stop.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  convocation: {
    ...CALENDAR_DAYS,
    id: 'pic-convocation',
    title: 'The office convokes the worker who did not come',
    legalBasis:
      'D.Lgs. 150/2015 arts. 20 c.1, 21 c.2; term of DM 4/2018 not found (open-items.md §3: default 60 days)',
    trigger: 'DID',
    offset: 60,
    saturdayRollsForward: true,
    pausedBySuspension: true,
    countingWhy:
      "An act of the office, closed on Saturday; the office's own term, which stops while the case is suspended.",
    validFrom: '2018-01-11',
    confidence: 'UNVERIFIED',
  },
} satisfies Record<string, DeadlineRule>;

export interface ConditionalityStep {
  /** The number of unjustified absences that triggers the step. */
  afterAbsences: number;
  sanction: 'cut-quarter-month' | 'cut-one-month' | 'loss-of-benefit-and-status';
  title: string;
}

/** Art. 21 c.7 a): missed convocations or appointments without a justified reason [structure VERIFIED, scale LIKELY]. */
export const APPOINTMENT_LADDER: readonly Dated<readonly ConditionalityStep[]>[] = [
  {
    validFrom: '2015-09-24',
    legalBasis: 'D.Lgs. 150/2015 art. 21 c.7 a)',
    value: [
      { afterAbsences: 1, sanction: 'cut-quarter-month', title: 'Cut of a quarter of one monthly payment' },
      { afterAbsences: 2, sanction: 'cut-one-month', title: 'Cut of one monthly payment' },
      {
        afterAbsences: 3,
        sanction: 'loss-of-benefit-and-status',
        title: 'Loss of the benefit and of the status',
      },
    ],
  },
];

export function appointmentSanction(
  absences: number,
  on: IsoDate,
): ConditionalityStep & { legalBasis: string } {
  const ladder = valueOn(APPOINTMENT_LADDER, on);
  let step = ladder.value[0];
  for (const s of ladder.value) if (absences >= s.afterAbsences) step = s;
  if (!step) throw new RangeError('empty ladder');
  return { ...step, legalBasis: ladder.legalBasis };
}

/** Without a benefit there is nothing to cut: after this many unjustified absences the case closes unconfirmed. */
export const MAX_ABSENCES_WITHOUT_BENEFIT = 3;

/** GOL paths (PNRR programme "Garanzia di occupabilità dei lavoratori"). */
export const GOL_PATHS = {
  1: 'Re-employment',
  2: 'Upskilling',
  3: 'Reskilling',
  4: 'Work and inclusion',
  5: 'Collective re-employment',
} as const;

export const STAGES = [
  'awaiting-did',
  'first-contact',
  'convoked',
  'profiling',
  'service-pact',
  'pact-signed',
  'status-lost',
  'not-reached',
  'no-did',
] as const;
export type Stage = (typeof STAGES)[number];

/** The first day these rules apply (D.Lgs. 150/2015, in force 24 September 2015). */
export const PIC_RULES_FROM = '2015-09-24';

export const picStartInput = z
  .object({
    worker: z
      .object({
        taxCode,
        name: shortText,
        /** The last day of employment. */
        dismissedOn: isoDate,
        naspiAppliedOn: isoDate.optional(),
        /** A DID given without NASpI. */
        didOn: isoDate.optional(),
      })
      .strict(),
    employerName: shortText.optional(),
    /** The collective-dismissal case that opened this one: it is told each change of stage. */
    parentCaseId: text(80).optional(),
    /** The GOL path suggested by the context (5, collective re-employment, after a collective dismissal). */
    suggestedGolPath: z.int().min(1).max(5).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // The status, the DID and the service pact as these rules count them exist from D.Lgs. 150/2015 (in force 24
    // September 2015): an earlier end of employment is not a case of this procedure.
    for (const key of ['dismissedOn', 'naspiAppliedOn', 'didOn'] as const) {
      const day = v.worker[key];
      if (day !== undefined && day < PIC_RULES_FROM)
        ctx.addIssue({
          code: 'custom',
          path: ['worker', key],
          message: `must be on or after ${PIC_RULES_FROM} (D.Lgs. 150/2015 in force)`,
        });
    }
    if (v.worker.naspiAppliedOn !== undefined && v.worker.didOn !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['worker', 'didOn'],
        message: 'give the NASpI application or the DID',
      });
    }
  });
export type PicStartInput = z.infer<typeof picStartInput>;

/** The DID, or the NASpI application that counts as one (art. 21 c.1). */
export const didNews = z
  .object({ date: isoDate, naspi: z.boolean(), note: longText.optional() })
  .strict()
  .meta({ description: 'The DID or the NASpI application (which counts as the DID)' });

export const picForms = {
  firstContact: {
    key: 'pic-first-contact',
    title: 'Register the worker coming to the office',
    ...OFFICE_STAFF,
    outcomes: { came: { title: 'The worker came', schema: z.object({ date: isoDate }).strict() } },
  },
  convocation: {
    key: 'pic-convocation',
    title: 'Convoke the worker',
    ...OFFICE_STAFF,
    outcomes: {
      convoked: {
        title: 'Convocation sent',
        schema: z
          .object({
            sentOn: isoDate,
            appointmentOn: isoDate,
            channel: z.enum(['pec', 'email', 'sms', 'letter']),
          })
          .strict()
          .refine((v) => v.appointmentOn >= v.sentOn, {
            message: 'cannot precede the convocation',
            path: ['appointmentOn'],
          }),
      },
    },
  },
  appointment: {
    key: 'pic-appointment',
    title: 'Record whether the worker came to the appointment',
    ...OFFICE_STAFF,
    outcomes: {
      attended: { title: 'Came', schema: z.object({}).strict() },
      absent_justified: {
        title: 'Absent with a justified reason',
        schema: z.object({ reason: longText }).strict(),
      },
      absent_unjustified: { title: 'Absent without a justified reason', schema: z.object({}).strict() },
    },
  },
  profiling: {
    key: 'pic-profiling',
    title: 'Profile the worker and assign the GOL path',
    ...OFFICE_STAFF,
    outcomes: {
      profiled: {
        title: 'Profiled',
        schema: z
          .object({
            golPath: z.int().min(1).max(5),
            profilingIndex: z.number().min(0).max(1).optional(),
            notes: longText.optional(),
          })
          .strict(),
      },
    },
  },
  pact: {
    key: 'pic-service-pact',
    title: 'Sign the personal service pact (PSP)',
    ...OFFICE_STAFF,
    outcomes: {
      signed: {
        title: 'Signed',
        schema: z
          .object({
            signedOn: isoDate,
            caseManager: shortText,
            measures: z.array(shortText).min(1).max(20),
            contactEveryDays: z.int().min(7).max(180),
          })
          .strict(),
      },
    },
  },
} as const;

export const picProcedure: ProcedureDef = {
  code: PIC_CODE,
  version: 2,
  title: 'Presa in carico (DID, profiling and service pact)',
  legalBasis: 'D.Lgs. 150/2015 arts. 19–21',
  description:
    'Taking an unemployed worker in charge: the DID or NASpI application, the first contact in 15 or 30 days, ' +
    'the convocation, profiling with the GOL path and the personal service pact, with the conditionality ladder ' +
    'for missed appointments.',
  workflowType: 'presaInCarico',
  startSchema: picStartInput,
  tasks: Object.fromEntries(Object.values(picForms).map((f) => [f.key, f])),
  news: {
    did: {
      type: 'did',
      title: 'DID or NASpI application registered',
      from: 'INPS or the national portal',
      relays: ['national-portal', 'inps'],
      schema: didNews,
    },
  },
  deadlineRules: Object.values(PIC_RULES),
};
