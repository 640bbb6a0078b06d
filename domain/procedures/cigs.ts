/**
 * CIG straordinaria (CIGS): D.Lgs. 148/2015 arts. 19–25-ter, procedures.md §2.3. Joint examination at the
 * Region (one region) or the Ministry (several), application to the Ministry, the decree, the caps per cause and
 * overall, the transition agreement (art. 22-ter) and the training conditionality of art. 25-ter.
 * Pure rules and contracts; the workflow in workflows/cigs.ts sequences them.
 */
import { z } from 'zod';
import type { MemberRow } from '../case-model';
import type { IsoDate } from '../dates';
import { addDays, addMonths, maxDate, minDate } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { LinkedCase, ProcedureDef, Refusal } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import type { Period } from '../schemas';
import { isoDate, longText, period, shortText, taxCode, text } from '../schemas';
import { inpsDecisionNews } from './cigo';
import type { CapCheck, ProductionUnit, UsedPeriod } from './wage-guarantee';
import {
  capRefusal,
  causeCapCheck,
  employerSchema,
  overallCapCheck,
  productionUnitSchema,
  schemeRefusal,
  unitKeyOf,
} from './wage-guarantee';

export const CIGS_CODE = 'CIGS';

export interface CigsCauseDef {
  title: string;
  /** Maximum duration per production unit in a rolling five years (art. 22), or per agreement (art. 22-ter). */
  months: number;
  legalBasis: string;
}

export interface CigsLimits {
  causes: Record<'reorganisation' | 'crisis' | 'solidarity' | 'transition', CigsCauseDef>;
  /** Employers up to this many employees have the 10-day consultation (art. 24 c.5). */
  smallEmployerMax: number;
  /** Art. 25 c.2–3: the suspension (or, after a late filing, the benefit) starts no earlier than this day after filing. */
  startNotBeforeDayAfterFiling: number;
}

export const CIGS_LIMITS: readonly Dated<CigsLimits>[] = [
  {
    validFrom: '2022-01-01',
    legalBasis: 'D.Lgs. 148/2015 arts. 21, 22, 22-ter, 24, 25 as amended by L. 234/2021',
    value: {
      causes: {
        reorganisation: {
          title: 'Company reorganisation',
          months: 24,
          legalBasis: 'D.Lgs. 148/2015 art. 21 c.1 a), art. 22 c.1',
        },
        crisis: {
          title: 'Company crisis',
          months: 12,
          legalBasis: 'D.Lgs. 148/2015 art. 21 c.1 b), art. 22 c.2',
        },
        solidarity: {
          title: 'Solidarity contract',
          months: 24,
          legalBasis: 'D.Lgs. 148/2015 art. 21 c.1 c), art. 22 c.3 [LIKELY]',
        },
        transition: {
          title: 'Transition agreement (accordo di transizione occupazionale)',
          months: 12,
          legalBasis: 'D.Lgs. 148/2015 art. 22-ter (L. 234/2021)',
        },
      },
      smallEmployerMax: 50,
      startNotBeforeDayAfterFiling: 30,
    },
  },
];

export function cigsLimitsOn(on: IsoDate): CigsLimits {
  return valueOn(CIGS_LIMITS, on).value;
}

export const CIGS_CAUSE_CODES = ['reorganisation', 'crisis', 'solidarity', 'transition'] as const;
export type CigsCause = (typeof CIGS_CAUSE_CODES)[number];

export const CIGS_RULES = {
  examRequest: {
    ...CALENDAR_DAYS,
    id: 'cigs-exam-request',
    title: 'Request for the joint examination (Region or Ministry)',
    legalBasis: 'D.Lgs. 148/2015 art. 24 c.2',
    trigger: 'union notice',
    offset: 3,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the Region or the Ministry, closed on Saturday; the parties' term, which the office's suspension does not stop.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  consultation: {
    ...CALENDAR_DAYS,
    id: 'cigs-consultation',
    title: 'Joint examination closes',
    legalBasis: 'D.Lgs. 148/2015 art. 24 c.5',
    trigger: 'request for the joint examination',
    offset: 25,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The joint examination between the parties ends by law: nothing is filed when it ends, and the office's suspension does not stop it.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  consultationSmall: {
    ...CALENDAR_DAYS,
    id: 'cigs-consultation-small',
    title: 'Joint examination closes (employer with up to 50 employees)',
    legalBasis: 'D.Lgs. 148/2015 art. 24 c.5',
    trigger: 'request for the joint examination',
    offset: 10,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The joint examination between the parties ends by law: nothing is filed when it ends, and the office's suspension does not stop it.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  regionOpinion: {
    ...CALENDAR_DAYS,
    id: 'cigs-region-opinion',
    title: "The Region's reasoned opinion to the Ministry",
    legalBasis:
      'D.Lgs. 148/2015 art. 24 (opinion within 20 days of the end of the consultation; procedures.md §2.3)',
    trigger: 'end of the consultation',
    offset: 20,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "An act of the Region, closed on Saturday; the Region's own term, which the office's suspension does not stop.",
    validFrom: '2015-09-24',
    confidence: 'VERIFIED',
  },
  application: {
    ...CALENDAR_DAYS,
    id: 'cigs-application',
    title: 'Application to the Ministry of Labour, with the list of workers and the programme',
    legalBasis: 'D.Lgs. 148/2015 art. 25 c.1',
    trigger: 'end of the union consultation (or signature of the solidarity agreement)',
    offset: 7,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the Ministry of Labour, closed on Saturday; the employer's term, which the office's suspension does not stop.",
    validFrom: '2015-11-01',
    confidence: 'VERIFIED',
  },
  decree: {
    ...CALENDAR_DAYS,
    id: 'cigs-decree',
    title: 'Ministry decree expected (default term of an administrative procedure)',
    legalBasis: 'L. 241/1990 art. 2 c.2 (no specific term found for the CIGS decree)',
    trigger: 'application filed with the Ministry',
    offset: 30,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "An act of the Ministry, closed on Saturday; the Ministry's own term, which the office's suspension does not stop.",
    validFrom: '1990-08-18',
    confidence: 'UNVERIFIED',
  },
  appealTar: {
    ...CALENDAR_DAYS,
    id: 'cigs-appeal-tar',
    title: 'Appeal to the regional administrative court (TAR Lazio) against the decree',
    legalBasis: 'D.Lgs. 104/2010 art. 29 (general administrative law)',
    trigger: 'notification of the decree',
    offset: 60,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "A court term: Saturday moves it (art. 52 c.5 c.p.a., as art. 155 c.5 c.p.c.); the employer's term, which the office's suspension does not stop.",
    validFrom: '2010-09-16',
    confidence: 'LIKELY',
  },
  appealHeadOfState: {
    ...CALENDAR_DAYS,
    id: 'cigs-appeal-head-of-state',
    title: 'Extraordinary appeal to the Head of State against the decree',
    legalBasis: 'D.P.R. 1199/1971 art. 9 (general administrative law)',
    trigger: 'notification of the decree',
    offset: 120,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the Ministry, closed on Saturday; the employer's term, which the office's suspension does not stop.",
    validFrom: '1971-12-30',
    confidence: 'LIKELY',
  },
} satisfies Record<string, DeadlineRule>;

const worker = z
  .object({ taxCode, name: shortText })
  .strict()
  .meta({ description: 'A worker on the list sent with the application' });

export const cigsStartInput = z
  .object({
    employer: employerSchema,
    /** The production units of the programme; the caps count per unit, the regions decide who hosts the examination. */
    productionUnits: z.array(productionUnitSchema).min(1).max(50),
    cause: z.enum(CIGS_CAUSE_CODES),
    causeDescription: longText,
    /** The programme's summary (reorganisation or crisis plan, or the solidarity agreement). */
    programme: longText,
    period,
    workersConcerned: z.int().min(1).max(1_000_000),
    unionNoticeDate: isoDate,
    /** For a transition agreement (art. 22-ter): the reorganisation or crisis CIGS it follows. */
    previousCaseId: text(64).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // Art. 24 c.1: the union notice opens the procedure, before the suspension.
    if (v.unionNoticeDate > v.period.from) {
      ctx.addIssue({
        code: 'custom',
        path: ['unionNoticeDate'],
        message: 'the union notice must precede the suspension (D.Lgs. 148/2015 art. 24 c.1)',
      });
    }
    const ids = v.productionUnits.map((u) => u.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) {
        ctx.addIssue({ code: 'custom', path: ['productionUnits', i, 'id'], message: 'is listed twice' });
      }
    });
    if (v.cause === 'transition' && v.previousCaseId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['previousCaseId'],
        message:
          'a transition agreement follows a reorganisation or crisis CIGS: give its case id (art. 22-ter)',
      });
    }
    if (v.cause !== 'transition' && v.previousCaseId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['previousCaseId'], message: 'only for a transition agreement' });
    }
    const cause = cigsLimitsOn(v.period.from).causes[v.cause];
    // One request may not ask for more than the cause's maximum (art. 22; art. 22-ter for transition).
    if (v.period.to >= addMonths(v.period.from, cause.months)) {
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message: `may last at most ${cause.months} months for ${cause.title.toLowerCase()} (${cause.legalBasis})`,
      });
    }
    if (v.workersConcerned > v.employer.averageEmployees * 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['workersConcerned'],
        message: 'is implausibly larger than the average headcount',
      });
    }
  });
export type CigsStartInput = z.infer<typeof cigsStartInput>;

export function cigsUnitKeys(input: CigsStartInput): string[] {
  return input.productionUnits.map((u) => unitKeyOf(input.employer.taxCode, u));
}

/** Art. 24 c.2: the Region hosts the examination when the units are in one region, the Ministry when in several. */
export function examinationBody(units: readonly ProductionUnit[]): { body: string; regions: string[] } {
  const regions = [...new Set(units.map((u) => u.region))].sort();
  return regions.length === 1
    ? { body: `Regione ${regions[0] ?? ''}`.trim(), regions }
    : { body: 'Ministry of Labour', regions };
}

export function consultationRuleFor(input: CigsStartInput): DeadlineRule {
  return input.employer.averageEmployees <= cigsLimitsOn(input.unionNoticeDate).smallEmployerMax
    ? CIGS_RULES.consultationSmall
    : CIGS_RULES.consultation;
}

/** The caps of every unit: the cause's own (art. 22) and, except for a transition agreement, the overall one (art. 4). */
export function cigsCapChecks(
  input: CigsStartInput,
  periodsByUnit: Readonly<Record<string, UsedPeriod[]>>,
  requested: Period = input.period,
): { unit: string; checks: CapCheck[] }[] {
  const cause = cigsLimitsOn(input.period.from).causes[input.cause];
  return cigsUnitKeys(input).map((unit) => {
    const earlier = periodsByUnit[unit] ?? [];
    const checks = [causeCapCheck({ code: input.cause, ...cause }, requested, earlier)];
    // Art. 22-ter: the transition months are granted in derogation of arts. 4 and 22.
    if (input.cause !== 'transition') {
      checks.push(overallCapCheck(input.employer.sector, requested, input.cause, earlier));
    }
    return { unit, checks };
  });
}

/** The last day every cap of every unit allows (the request is cut to it), or null when one allows nothing. */
export function cigsFitsUntil(perUnit: readonly { checks: CapCheck[] }[], requested: Period): IsoDate | null {
  let until: IsoDate = requested.to;
  for (const u of perUnit) {
    for (const c of u.checks) {
      if (c.fitsUntil === null) return null;
      until = minDate(until, c.fitsUntil);
    }
  }
  return until;
}

/** Art. 22-ter: a transition agreement follows an authorised reorganisation or crisis CIGS of the same employer. */
export function transitionRefusal(
  input: CigsStartInput,
  previous: LinkedCase | null | undefined,
): Refusal | null {
  if (input.cause !== 'transition') return null;
  const rule = 'D.Lgs. 148/2015 art. 22-ter';
  const id = input.previousCaseId ?? '';
  const refuse = (why: string): Refusal => ({
    slug: 'transition-not-allowed',
    detail: `A transition agreement needs an authorised reorganisation or crisis CIGS of the same employer: ${why}.`,
    rule,
    figures: { previousCaseId: id },
  });
  if (!previous) return refuse(`case ${id} was not found`);
  if (previous.procedure !== CIGS_CODE) return refuse(`case ${id} is a ${previous.procedure} case`);
  if (previous.keys.employer !== input.employer.taxCode) return refuse(`case ${id} is another employer's`);
  const cause = previous.facts.cigsCause;
  if (cause !== 'reorganisation' && cause !== 'crisis') return refuse(`case ${id} is for ${String(cause)}`);
  if (previous.outcome !== 'authorised' && previous.outcome !== 'partially-authorised') {
    const state = previous.outcome ?? previous.status;
    const authorisedPeriod = previous.facts.authorisedPeriod;
    // The earlier CIGS may still be running its authorised period: that counts as authorised.
    if (!(previous.status === 'open' && authorisedPeriod)) return refuse(`case ${id} is ${state}`);
  }
  return null;
}

/** Why a CIGS start is refused, given the caps of its units (`cigsCapChecks`), computed once by the caller. */
export function cigsRefusal(
  input: CigsStartInput,
  perUnit: readonly { unit: string; checks: CapCheck[] }[],
  linked: Readonly<Record<string, LinkedCase | null>>,
  today: IsoDate,
): Refusal | null {
  const scheme = schemeRefusal('CIGS', input.employer, today);
  if (scheme) return scheme;
  const transition = transitionRefusal(input, linked[input.previousCaseId ?? '']);
  if (transition) return transition;
  for (const u of perUnit) {
    for (const c of u.checks) {
      const r = capRefusal(c, { cut: true });
      if (r) return { ...r, detail: `Production unit ${u.unit}: ${r.detail}` };
    }
  }
  return null;
}

/** Art. 25 c.2–3: the suspension starts, and a late filing's benefit runs, from the 30th day after filing. */
export function earliestStartAfterFiling(filedOn: IsoDate): IsoDate {
  return addDays(filedOn, cigsLimitsOn(filedOn).startNotBeforeDayAfterFiling);
}

export function coveredAfterFiling(p: Period, filedOn: IsoDate): Period | null {
  const from = maxDate(p.from, earliestStartAfterFiling(filedOn));
  return from <= p.to ? { from, to: p.to } : null;
}

// ---- conditionality (art. 25-ter) ----

export interface SanctionStep {
  /** The number of unjustified absences that triggers the step. */
  afterAbsences: number;
  sanction: 'loss-of-one-month' | 'loss-of-benefit';
  title: string;
}

/** The sanction ladder for unjustified absences from training [LIKELY for the exact steps; a dated parameter]. */
export const CIGS_SANCTION_LADDER: readonly Dated<readonly SanctionStep[]>[] = [
  {
    validFrom: '2022-01-01',
    legalBasis: 'D.Lgs. 148/2015 art. 25-ter c.2 (L. 234/2021); DMs of 2 Aug 2022',
    value: [
      { afterAbsences: 1, sanction: 'loss-of-one-month', title: 'Loss of one month of benefit' },
      { afterAbsences: 2, sanction: 'loss-of-benefit', title: 'Loss of the benefit' },
    ],
  },
];

/** The sanction an unjustified absence brings, given how many the worker now has. */
export function sanctionFor(unjustifiedAbsences: number, on: IsoDate): SanctionStep & { legalBasis: string } {
  const ladder = valueOn(CIGS_SANCTION_LADDER, on);
  const steps = [...ladder.value].sort((a, b) => a.afterAbsences - b.afterAbsences);
  let step = steps[0];
  for (const s of steps) if (unjustifiedAbsences >= s.afterAbsences) step = s;
  if (!step) throw new RangeError('empty sanction ladder');
  return { ...step, legalBasis: ladder.legalBasis };
}

export interface TrainingObligation {
  courseCode: string;
  title: string;
  provider: string;
  hours: number;
}

/**
 * A worker of a CIGS case as the case follows them: what the conditionality rules need (art. 25-ter). Their
 * attendance and sanctions are entries of their row (`CigsWorker` is the row as the API shows it).
 */
export interface CigsWorkerState {
  taxCode: string;
  name: string;
  status: 'active' | 'benefit-lost';
  golProgramme: boolean;
  /** The codes of the courses of the training plan the worker must attend. */
  courses: string[];
  unjustifiedAbsences: number;
  /** How many sanctions were applied. */
  sanctions: number;
}

/** The worker's row in the case's member list (without the entries added to its lists). */
export function cigsWorkerRow(w: CigsWorkerState, office: string, courses: TrainingObligation[]): MemberRow {
  return {
    key: w.taxCode,
    name: w.name,
    office,
    memberCaseId: null,
    stage: w.status,
    details: {
      golProgramme: w.golProgramme,
      obligations: courses.filter((c) => w.courses.includes(c.courseCode)),
      unjustifiedAbsences: w.unjustifiedAbsences,
    },
  };
}

export interface CigsWorker {
  taxCode: string;
  name: string;
  status: 'active' | 'benefit-lost';
  /** Art. 22-ter c.2: workers of a transition agreement enter the GOL programme. */
  golProgramme: boolean;
  obligations: TrainingObligation[];
  attendance: {
    courseCode: string;
    sessionDate: IsoDate;
    attended: boolean;
    justified: boolean;
    note: string | null;
  }[];
  sanctions: {
    step: number;
    sanction: string;
    title: string;
    date: IsoDate;
    legalBasis: string;
    reference: string | null;
  }[];
  unjustifiedAbsences: number;
}

// ---- task forms and news ----

const minutesFields = {
  minutesDate: isoDate,
  /** Who is suspended first, and why (art. 24 c.3). */
  selectionCriteria: longText,
  rotation: z.boolean(),
  rotationNotPossibleBecause: longText.optional(),
  /** The parties state that a solidarity contract is not feasible (art. 24 c.3, except construction). */
  solidarityNotFeasible: z.boolean(),
  summary: longText.optional(),
};
const minutes = z
  .object(minutesFields)
  .strict()
  .superRefine((v, ctx) => {
    if (!v.rotation && v.rotationNotPossibleBecause === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rotationNotPossibleBecause'],
        message: 'required when workers do not rotate (art. 24 c.3)',
      });
    }
  });

export const cigsForms = {
  examRequest: {
    key: 'cigs-exam-request',
    title: 'Register the request for the joint examination',
    ...OFFICE_STAFF,
    outcomes: {
      requested: {
        title: 'The joint examination was requested',
        schema: z.object({ requestDate: isoDate, requestedBy: z.enum(['unions', 'employer']) }).strict(),
      },
      not_requested: { title: 'Nobody asked for the joint examination', schema: z.object({}).strict() },
    },
  },
  examination: {
    key: 'cigs-examination',
    title: 'Record the outcome of the joint examination',
    ...OFFICE_STAFF,
    outcomes: {
      agreement: { title: 'Concluded with an agreement', schema: minutes },
      no_agreement: { title: 'Concluded without agreement', schema: minutes },
    },
  },
  application: {
    key: 'cigs-application',
    title: 'Register the application filed with the Ministry',
    ...OFFICE_STAFF,
    outcomes: {
      filed: {
        title: 'The employer filed the application',
        schema: z
          .object({
            filedOn: isoDate,
            protocol: text(64),
            programmeAttached: z.literal(true, { message: 'the programme must be attached (art. 25 c.1)' }),
            workers: z.array(worker).min(1).max(2000),
          })
          .strict()
          .superRefine((v, ctx) => {
            const seen = new Set<string>();
            v.workers.forEach((w, i) => {
              if (seen.has(w.taxCode))
                ctx.addIssue({ code: 'custom', path: ['workers', i, 'taxCode'], message: 'is listed twice' });
              seen.add(w.taxCode);
            });
          }),
      },
      not_filed: { title: 'The employer will not apply', schema: z.object({ reason: longText }).strict() },
    },
  },
  chase: {
    key: 'chase-ministry',
    title: 'The Ministry has not decided: solicit the decree',
    ...OFFICE_STAFF,
    outcomes: {
      solicited: {
        title: 'Solicited the Ministry',
        schema: z.object({ note: longText.optional() }).strict(),
      },
    },
  },
  trainingPlan: {
    key: 'cigs-training-plan',
    title: 'Plan the training the workers must attend (art. 25-ter)',
    ...OFFICE_STAFF,
    outcomes: {
      planned: {
        title: 'Training planned',
        schema: z
          .object({
            courses: z
              .array(
                z
                  .object({
                    courseCode: z
                      .string()
                      .min(1)
                      .max(32)
                      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
                    title: shortText,
                    provider: shortText,
                    hours: z.number().positive().max(2000),
                    /** Tax codes of the workers who must attend; absent: every worker on the list. */
                    workers: z.array(taxCode).min(1).max(2000).optional(),
                  })
                  .strict(),
              )
              .min(1)
              .max(50),
          })
          .strict(),
      },
    },
  },
} as const;

export const regionOpinionNews = z
  .object({
    opinion: z.enum(['favourable', 'unfavourable']),
    issuedOn: isoDate,
    reference: text(64),
    reasons: longText,
  })
  .strict();

export const ministryDecreeNews = inpsDecisionNews;

export const trainingAttendanceNews = z
  .object({
    workerTaxCode: taxCode,
    courseCode: text(32),
    sessionDate: isoDate,
    attended: z.boolean(),
    /** For an absence: whether the worker gave a justified reason. */
    justified: z.boolean().optional(),
    note: longText.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.attended && v.justified === undefined) {
      ctx.addIssue({ code: 'custom', path: ['justified'], message: 'required for an absence' });
    }
    if (v.attended && v.justified !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['justified'], message: 'only for an absence' });
    }
  });
export type TrainingAttendance = z.infer<typeof trainingAttendanceNews>;

/** The employer brings the workers back before the authorised period ends: what is left no longer counts. */
export const suspensionEndedNews = z.object({ endedOn: isoDate, reason: longText }).strict();

export const cigsProcedure: ProcedureDef = {
  code: CIGS_CODE,
  version: 2,
  title: 'Cassa integrazione guadagni straordinaria (CIGS)',
  legalBasis: 'D.Lgs. 148/2015 arts. 19–25-ter',
  description:
    'Extraordinary wage guarantee for reorganisation, crisis, solidarity contracts and transition agreements: ' +
    "union notice, joint examination at the Region or the Ministry, the Region's opinion, application to the " +
    "Ministry with the workers' list, the decree, the caps per cause and overall, and the training obligations " +
    'of the workers with their sanctions.',
  workflowType: 'cigStraordinaria',
  startSchema: cigsStartInput,
  tasks: Object.fromEntries(Object.values(cigsForms).map((f) => [f.key, f])),
  news: {
    'region-opinion': {
      type: 'region-opinion',
      title: "The Region's reasoned opinion",
      from: 'Region',
      relays: ['region'],
      schema: regionOpinionNews,
    },
    'ministry-decree': {
      type: 'ministry-decree',
      title: 'Decree of the Ministry of Labour on the application',
      from: 'Ministry of Labour',
      relays: ['ministry'],
      schema: ministryDecreeNews,
    },
    'training-attendance': {
      type: 'training-attendance',
      title: 'Attendance of a worker at a training session',
      from: 'training body or office',
      relays: ['training-body', 'employer'],
      schema: trainingAttendanceNews,
    },
    'suspension-ended': {
      type: 'suspension-ended',
      title: 'The employer ended the suspension before the end of the authorised period',
      from: 'employer',
      relays: ['employer'],
      schema: suspensionEndedNews,
    },
  },
  deadlineRules: Object.values(CIGS_RULES),
  admission: {
    unitKeys: (input) => cigsUnitKeys(input as CigsStartInput),
    linkedCaseIds: (input) => {
      const id = (input as CigsStartInput).previousCaseId;
      return id ? [id] : [];
    },
    check: (input, ctx) => {
      const i = input as CigsStartInput;
      return cigsRefusal(i, cigsCapChecks(i, ctx.periodsByUnit), ctx.linked, ctx.today);
    },
  },
};
