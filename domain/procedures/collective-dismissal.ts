/**
 * Collective dismissal ("procedura di mobilità"): L. 223/1991 arts. 4, 5, 24; procedures.md §1. The Region (or
 * the Ministry) mediates and nobody authorises: the case follows the terms, checks what the law checks and then
 * takes every dismissed worker in charge (workflows/take-in-charge.ts). Pure rules and contracts.
 */
import { z } from 'zod';
import type { IsoDate } from '../dates';
import { addDays } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { LinkedCase, ProcedureDef, Refusal } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import { isoDate, longText, shortText, taxCode, text } from '../schemas';
import type { ProductionUnit } from './wage-guarantee';
import { employerSchema, productionUnitSchema, unitKeyOf } from './wage-guarantee';

export const MOB_CODE = 'MOB';

export interface MobLimits {
  /** Art. 24 c.1: the procedure applies to employers with more than this many workers… */
  minEmployeesExclusive: number;
  /** …planning at least this many dismissals within `windowDays` in one province. */
  minDismissals: number;
  windowDays: number;
  /** Art. 4 c.8: terms halved when fewer than this many redundancies are planned. */
  halvedBelow: number;
  /** L. 92/2012 art. 2 c.35: the NASpI levy is multiplied by this without a union agreement. */
  levyMultiplierWithoutAgreement: number;
}

export const MOB_LIMITS: readonly Dated<MobLimits>[] = [
  {
    validFrom: '2013-01-01',
    legalBasis: 'L. 223/1991 arts. 4, 24; L. 92/2012 art. 2 c.35',
    value: {
      minEmployeesExclusive: 15,
      minDismissals: 5,
      windowDays: 120,
      halvedBelow: 10,
      levyMultiplierWithoutAgreement: 3,
    },
  },
];

export function mobLimitsOn(on: IsoDate): MobLimits {
  return valueOn(MOB_LIMITS, on).value;
}

/** L. 234/2021 c.224–227: the prior notice of a site closure, and its term (90 days, 180 since L. 175/2022). */
export interface SiteClosureRule {
  minEmployees: number;
  minDismissals: number;
  noticeDays: number;
}

export const SITE_CLOSURE: readonly Dated<SiteClosureRule>[] = [
  {
    validFrom: '2022-01-01',
    validTo: '2022-11-17',
    legalBasis: 'L. 234/2021 art. 1 cc.224–227',
    value: { minEmployees: 250, minDismissals: 50, noticeDays: 90 },
  },
  {
    validFrom: '2022-11-18',
    legalBasis: 'L. 234/2021 art. 1 cc.224–227 as amended by art. 37 D.L. 144/2022 (conv. L. 175/2022)',
    value: { minEmployees: 250, minDismissals: 50, noticeDays: 180 },
  },
];

/** The condition under which the union and administrative terms are halved (art. 4 c.8). */
export const FEWER_THAN_10 = 'fewer-than-10-redundancies';

export const MOB_RULES = {
  examRequest: {
    ...CALENDAR_DAYS,
    id: 'mob-exam-request',
    title: "Unions' request for the joint examination",
    legalBasis: 'L. 223/1991 art. 4 c.5',
    trigger: "the unions' receipt of the opening notice",
    offset: 7,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The unions' request to the employer: no office is involved, and the office's suspension does not stop it.",
    validFrom: '1991-07-24',
    confidence: 'VERIFIED',
  },
  unionPhase: {
    ...CALENDAR_DAYS,
    id: 'mob-union-phase',
    title: 'Union phase ends',
    legalBasis: 'L. 223/1991 art. 4 cc.6, 8',
    trigger: "the unions' receipt of the opening notice",
    offset: 45,
    // The half of 45 days: rounded down (22 days), the conservative reading (procedures.md §1.3).
    halving: { condition: FEWER_THAN_10, rounding: 'down' },
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "Runs between the employer and the unions and ends by law: nothing is filed when it ends, and the office's suspension does not stop it.",
    validFrom: '1991-07-24',
    confidence: 'VERIFIED',
  },
  adminPhase: {
    ...CALENDAR_DAYS,
    id: 'mob-admin-phase',
    title: 'Administrative phase at the Region (or Ministry) ends',
    legalBasis: 'L. 223/1991 art. 4 cc.7, 8',
    trigger: "the Region's receipt of the employer's report",
    offset: 30,
    halving: { condition: FEWER_THAN_10, rounding: 'down' },
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The phase at the Region ends by law: nothing is filed when it ends, and the office's suspension does not stop it.",
    validFrom: '1991-07-24',
    confidence: 'VERIFIED',
  },
  dismissals: {
    ...CALENDAR_DAYS,
    id: 'mob-dismissals',
    title: 'Dismissals issued',
    legalBasis: 'D.L. 148/1993 art. 8 c.4 (conv. L. 236/1993)',
    trigger: 'end of the procedure',
    offset: 120,
    saturdayRollsForward: false,
    pausedBySuspension: false,
    countingWhy:
      "The employer's notices to the workers: no office is involved, and the office's suspension does not stop it.",
    validFrom: '1993-07-20',
    confidence: 'VERIFIED',
  },
  list: {
    ...CALENDAR_DAYS,
    id: 'mob-list',
    title: 'List of the dismissed workers sent to the Region',
    legalBasis: 'L. 223/1991 art. 4 c.9; Cass. ord. 14057/2022',
    trigger: 'notice of the dismissals',
    offset: 7,
    // A term of the employer, not of the office: it runs on the national calendar.
    calendarScope: 'NATIONAL',
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the Region, closed on Saturday; the employer's term, on the national calendar, which the office's suspension does not stop.",
    validFrom: '1991-07-24',
    confidence: 'VERIFIED',
  },
} satisfies Record<string, DeadlineRule>;

const position = z
  .object({
    unitId: text(64),
    profile: shortText,
    department: shortText.optional(),
    count: z.int().min(1).max(100_000),
  })
  .strict();

const recipient = z
  .object({
    kind: z.enum(['rsa-rsu', 'union', 'employers-association', 'region', 'ministry']),
    name: shortText,
    receivedOn: isoDate,
  })
  .strict();

export const mobStartInput = z
  .object({
    employer: employerSchema,
    productionUnits: z.array(productionUnitSchema).min(1).max(50),
    /** The employer's CIGS case, when the company on CIGS cannot re-employ everyone (art. 4 c.1). */
    cigsCaseId: text(64).optional(),
    /** Art. 4 c.3: what the opening notice must say, with the receipt date of each recipient. */
    openingNotice: z
      .object({
        sentOn: isoDate,
        reasons: longText,
        whyUnavoidable: longText,
        redundant: z.array(position).min(1).max(200),
        normallyEmployed: z.array(position).min(1).max(500),
        timetable: longText,
        socialMeasures: longText,
        extraPayments: longText,
        recipients: z.array(recipient).min(2).max(50),
      })
      .strict(),
    /** The staff before the procedure, for the checks of art. 5 c.2 (women) and L. 68/1999 art. 10 c.4 (quota). */
    workforce: z
      .object({
        total: z.int().min(1).max(1_000_000),
        women: z.int().min(0).max(1_000_000),
        disabledEmployed: z.int().min(0).max(1_000_000),
        disabledQuota: z.int().min(0).max(1_000_000),
      })
      .strict(),
    /** A site closure by an employer of at least 250 (L. 234/2021 c.224): the prior notice and the plan. */
    siteClosure: z.object({ noticeSentOn: isoDate, planSignedOn: isoDate.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const n = v.openingNotice;
    const unitIds = new Set(v.productionUnits.map((u) => u.id));
    n.redundant.forEach((p, i) => {
      if (!unitIds.has(p.unitId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['openingNotice', 'redundant', i, 'unitId'],
          message: 'is not one of the productionUnits',
        });
      }
    });
    n.recipients.forEach((r, i) => {
      if (r.receivedOn < n.sentOn) {
        ctx.addIssue({
          code: 'custom',
          path: ['openingNotice', 'recipients', i, 'receivedOn'],
          message: 'cannot precede the day the notice was sent',
        });
      }
    });
    // Art. 4 cc.2, 4: to the RSA/RSU or the unions, with a copy to the Region (the Ministry for several regions).
    if (!n.recipients.some((r) => r.kind === 'rsa-rsu' || r.kind === 'union')) {
      ctx.addIssue({
        code: 'custom',
        path: ['openingNotice', 'recipients'],
        message: 'must include the RSA/RSU or the category unions (L. 223/1991 art. 4 c.2)',
      });
    }
    const body = consultingBody(v.productionUnits);
    if (!n.recipients.some((r) => r.kind === body.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['openingNotice', 'recipients'],
        message: `must include the copy to the ${body.kind === 'region' ? 'Region' : 'Ministry of Labour (units in several regions)'} (L. 223/1991 art. 4 cc.4, 15)`,
      });
    }
    if (v.workforce.women > v.workforce.total) {
      ctx.addIssue({ code: 'custom', path: ['workforce', 'women'], message: 'cannot exceed the total' });
    }
    if (plannedDismissals(v) > v.workforce.total) {
      ctx.addIssue({
        code: 'custom',
        path: ['openingNotice', 'redundant'],
        message: 'more redundancies than workers employed',
      });
    }
  });
export type MobStartInput = z.infer<typeof mobStartInput>;

export function plannedDismissals(input: Pick<MobStartInput, 'openingNotice'>): number {
  return input.openingNotice.redundant.reduce((sum, p) => sum + p.count, 0);
}

/** The Region when every unit is in one region; the Ministry of Labour when several (art. 4 c.15). */
export function consultingBody(units: readonly ProductionUnit[]): {
  kind: 'region' | 'ministry';
  name: string;
} {
  const regions = [...new Set(units.map((u) => u.region))];
  return regions.length === 1
    ? { kind: 'region', name: `Regione ${regions[0] ?? ''}`.trim() }
    : { kind: 'ministry', name: 'Ministry of Labour' };
}

/** The day the union terms run from: the last union's receipt, so that every union has its full term. */
export function unionsReceipt(input: MobStartInput): IsoDate {
  const days = input.openingNotice.recipients
    .filter((r) => r.kind === 'rsa-rsu' || r.kind === 'union')
    .map((r) => r.receivedOn)
    .sort();
  return days[days.length - 1] ?? input.openingNotice.sentOn;
}

/** Whether the case looks like a site closure of L. 234/2021 (then its prior notice is a gate). */
export function closureScale(input: MobStartInput): boolean {
  const rule = valueOn(SITE_CLOSURE, input.openingNotice.sentOn).value;
  return (
    input.employer.averageEmployees >= rule.minEmployees && plannedDismissals(input) >= rule.minDismissals
  );
}

export function halvingConditions(input: MobStartInput): string[] {
  return plannedDismissals(input) < mobLimitsOn(input.openingNotice.sentOn).halvedBelow
    ? [FEWER_THAN_10]
    : [];
}

export function mobUnitKeys(input: MobStartInput): string[] {
  return input.productionUnits.map((u) => unitKeyOf(input.employer.taxCode, u));
}

/**
 * Art. 24 c.1 and art. 4 c.1: more than 15 employees and at least 5 dismissals in one province, or a company on
 * CIGS that cannot re-employ everyone (then even one). L. 234/2021 c.224–227: a site closure waits for its notice.
 */
export function mobRefusal(input: MobStartInput, cigs: LinkedCase | null | undefined): Refusal | null {
  const on = input.openingNotice.sentOn;
  const limits = mobLimitsOn(on);
  if (input.cigsCaseId !== undefined) {
    const ok =
      cigs?.procedure === 'CIGS' &&
      cigs.keys.employer === input.employer.taxCode &&
      cigs.status !== 'withdrawn' &&
      cigs.outcome !== 'rejected';
    if (!ok) {
      return {
        slug: 'cigs-link',
        detail: `Case ${input.cigsCaseId} is not a CIGS of this employer that was granted or is running.`,
        rule: 'L. 223/1991 art. 4 c.1',
        figures: { cigsCaseId: input.cigsCaseId },
      };
    }
  } else {
    if (input.employer.averageEmployees <= limits.minEmployeesExclusive) {
      return {
        slug: 'not-applicable',
        detail:
          `The collective-dismissal procedure applies to employers with more than ${limits.minEmployeesExclusive} ` +
          `workers (${input.employer.averageEmployees} declared), or to a company on CIGS.`,
        rule: 'L. 223/1991 art. 24 c.1',
        figures: { averageEmployees: input.employer.averageEmployees },
      };
    }
    const unitProvince = new Map(input.productionUnits.map((u) => [u.id, u.province]));
    const byProvince = new Map<string, number>();
    for (const p of input.openingNotice.redundant) {
      const prov = unitProvince.get(p.unitId) ?? '?';
      byProvince.set(prov, (byProvince.get(prov) ?? 0) + p.count);
    }
    const max = Math.max(...byProvince.values());
    if (max < limits.minDismissals) {
      return {
        slug: 'not-applicable',
        detail:
          `The procedure needs at least ${limits.minDismissals} dismissals within ${limits.windowDays} days in one ` +
          `province; at most ${max} are planned in one (${[...byProvince].map(([k, n]) => `${k}: ${n}`).join(', ')}). ` +
          'Individual dismissals follow their own rules.',
        rule: 'L. 223/1991 art. 24 c.1',
        figures: { byProvince: Object.fromEntries(byProvince) },
      };
    }
  }
  const closure = valueOn(SITE_CLOSURE, on);
  if (input.siteClosure !== undefined) {
    const earliest = addDays(input.siteClosure.noticeSentOn, closure.value.noticeDays);
    const signed = input.siteClosure.planSignedOn;
    const gateOpen = on >= earliest || (signed !== undefined && signed <= on);
    if (!gateOpen) {
      return {
        slug: 'site-closure-notice',
        detail:
          `A site closure needs its notice ${closure.value.noticeDays} days before the procedure opens ` +
          `(notice ${input.siteClosure.noticeSentOn}: not before ${earliest}), or a signed plan; ` +
          'dismissals made earlier are void.',
        rule: closure.legalBasis,
        figures: { noticeSentOn: input.siteClosure.noticeSentOn, earliest, openingNotice: on },
      };
    }
  }
  return null;
}

// ---- checks on the list of dismissed workers ----

export const dismissedWorker = z
  .object({
    taxCode,
    name: shortText,
    gender: z.enum(['F', 'M', 'X']),
    residence: shortText.optional(),
    qualification: shortText.optional(),
    level: shortText.optional(),
    age: z.int().min(14).max(90).optional(),
    dependants: z.int().min(0).max(20).optional(),
    /** How the selection criteria were applied to this worker (art. 4 c.9). */
    selectionExplanation: longText.optional(),
    /** Counted in the employer's L. 68/1999 quota. */
    disabledInQuota: z.boolean().default(false),
    /** The office that takes the worker in charge (default: the case's office). */
    office: text(64).optional(),
    naspiAppliedOn: isoDate.optional(),
  })
  .strict();
export type DismissedWorker = z.infer<typeof dismissedWorker>;

const LIST_FIELDS = [
  'residence',
  'qualification',
  'level',
  'age',
  'dependants',
  'selectionExplanation',
] as const;

export interface ListCheck {
  id: string;
  title: string;
  legalBasis: string;
  result: 'ok' | 'warning' | 'defect';
  explanation: string;
  figures: Record<string, unknown>;
}

/** The checks the law puts on the dismissals and their list (art. 4 c.9, art. 5; L. 68/1999 art. 10 c.4). */
export function listChecks(args: {
  input: MobStartInput;
  workers: readonly DismissedWorker[];
  dismissalsNotifiedOn: IsoDate;
  listSentOn: IsoDate;
  listDue: IsoDate;
  dismissalsDue: IsoDate;
  agreement: boolean;
  criteriaApplied: readonly string[];
}): ListCheck[] {
  const { input, workers } = args;
  const checks: ListCheck[] = [];
  const late = args.listSentOn > args.listDue;
  const missing = workers
    .map((w) => ({ taxCode: w.taxCode, missing: LIST_FIELDS.filter((f) => w[f] === undefined) }))
    .filter((x) => x.missing.length > 0);
  checks.push({
    id: 'list',
    title: 'List of dismissed workers: on time and complete',
    legalBasis: MOB_RULES.list.legalBasis,
    result: late || missing.length > 0 ? 'defect' : 'ok',
    explanation:
      (late
        ? `Sent on ${args.listSentOn}, after the term of ${args.listDue}. `
        : `Sent on ${args.listSentOn}, in time. `) +
      (missing.length > 0
        ? `${missing.length} line(s) lack required data (${[...new Set(missing.flatMap((m) => m.missing))].join(', ')}). `
        : '') +
      (late || missing.length > 0 ? 'The dismissals can be challenged as ineffective.' : ''),
    figures: { listSentOn: args.listSentOn, due: args.listDue, incomplete: missing },
  });
  const afterTerm = args.dismissalsNotifiedOn > args.dismissalsDue;
  checks.push({
    id: 'dismissals-term',
    title: 'Dismissals within the term after the procedure',
    legalBasis: MOB_RULES.dismissals.legalBasis,
    result: afterTerm ? 'defect' : 'ok',
    explanation: afterTerm
      ? `Notified on ${args.dismissalsNotifiedOn}, after ${args.dismissalsDue}: a new procedure was needed.`
      : `Notified on ${args.dismissalsNotifiedOn}, by ${args.dismissalsDue}.`,
    figures: { notifiedOn: args.dismissalsNotifiedOn, due: args.dismissalsDue },
  });
  const legal = ['dependants', 'seniority', 'organisational-needs'];
  const legalTogether = legal.every((c) => args.criteriaApplied.includes(c));
  checks.push({
    id: 'selection-criteria',
    title: 'Selection criteria',
    legalBasis: 'L. 223/1991 art. 5 c.1',
    result: args.agreement || legalTogether ? 'ok' : 'defect',
    explanation: args.agreement
      ? 'The criteria agreed with the unions apply.'
      : legalTogether
        ? 'Without an agreement, the three legal criteria were applied together.'
        : `Without an agreement the three legal criteria apply together; applied: ${args.criteriaApplied.join(', ') || 'none'}.`,
    figures: { agreement: args.agreement, criteriaApplied: args.criteriaApplied },
  });
  const dismissed = workers.length;
  const women = workers.filter((w) => w.gender === 'F').length;
  const shareBefore = input.workforce.women / input.workforce.total;
  const shareDismissed = dismissed === 0 ? 0 : women / dismissed;
  checks.push({
    id: 'women-share',
    title: 'Share of women among the dismissed',
    legalBasis: 'L. 223/1991 art. 5 c.2',
    result: shareDismissed > shareBefore + 1e-9 ? 'defect' : 'ok',
    explanation:
      `${women} of ${dismissed} dismissed are women (${pct(shareDismissed)}), against ${pct(shareBefore)} of the ` +
      `staff before the procedure` +
      (shareDismissed > shareBefore + 1e-9 ? ': the share of women employed would fall.' : '.'),
    figures: { women, dismissed, shareDismissed, shareBefore },
  });
  const disabledDismissed = workers.filter((w) => w.disabledInQuota).length;
  const remaining = input.workforce.disabledEmployed - disabledDismissed;
  checks.push({
    id: 'disability-quota',
    title: 'Disabled workers kept within the quota',
    legalBasis: 'L. 68/1999 art. 10 c.4',
    result: remaining < input.workforce.disabledQuota ? 'defect' : 'ok',
    explanation:
      `${disabledDismissed} disabled worker(s) in the quota dismissed; ${remaining} remain against a quota of ` +
      `${input.workforce.disabledQuota}` +
      (remaining < input.workforce.disabledQuota ? ': the dismissals breach the quota.' : '.'),
    figures: { disabledDismissed, remaining, quota: input.workforce.disabledQuota },
  });
  return checks;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** L. 92/2012 art. 2 c.35: without a union agreement the NASpI levy is tripled. */
export function levyMultiplier(agreement: boolean, on: IsoDate): number {
  return agreement ? 1 : mobLimitsOn(on).levyMultiplierWithoutAgreement;
}

// ---- task forms and news ----

const minutes = z
  .object({
    minutesDate: isoDate,
    /** The agreed selection criteria, incentives, redeployment (art. 4 c.11, art. 5 c.1). */
    selectionCriteria: longText.optional(),
    /** A term for the dismissals other than 120 days, when the agreement sets one. */
    agreedDismissalDays: z.int().min(1).max(365).optional(),
    summary: longText.optional(),
  })
  .strict();

export const mobForms = {
  examRequest: {
    key: 'mob-exam-request',
    title: 'Register whether the unions asked for the joint examination',
    ...OFFICE_STAFF,
    outcomes: {
      requested: { title: 'Requested', schema: z.object({ requestDate: isoDate }).strict() },
      not_requested: { title: 'Not requested', schema: z.object({}).strict() },
    },
  },
  unionPhase: {
    key: 'mob-union-phase',
    title: 'Record the outcome of the union phase',
    ...OFFICE_STAFF,
    outcomes: {
      agreement: { title: 'Union agreement', schema: minutes },
      no_agreement: {
        title: 'No agreement',
        schema: z.object({ minutesDate: isoDate, reasons: longText }).strict(),
      },
    },
  },
  report: {
    key: 'mob-employer-report',
    title: "Register the Region's receipt of the employer's report",
    ...OFFICE_STAFF,
    outcomes: {
      received: {
        title: 'Report received',
        schema: z.object({ receivedOn: isoDate, reasons: longText }).strict(),
      },
    },
  },
  adminPhase: {
    key: 'mob-admin-phase',
    title: 'Record the outcome of the administrative phase',
    ...OFFICE_STAFF,
    outcomes: {
      agreement: { title: 'Agreement signed at the Region', schema: minutes },
      failure: {
        title: 'Definitive failure (verbale di mancato accordo)',
        schema: z.object({ minutesDate: isoDate, reasons: longText }).strict(),
      },
    },
  },
  list: {
    key: 'mob-dismissals-list',
    title: 'Register the dismissals and the list of dismissed workers',
    ...OFFICE_STAFF,
    outcomes: {
      received: {
        title: 'List received',
        schema: z
          .object({
            dismissalsNotifiedOn: isoDate,
            listSentOn: isoDate,
            /** Without an agreement: which legal criteria were applied (all three together, art. 5 c.1). */
            criteriaApplied: z
              .array(z.enum(['dependants', 'seniority', 'organisational-needs']))
              .max(3)
              .default([]),
            workers: z.array(dismissedWorker).min(1).max(2000),
          })
          .strict()
          .superRefine((v, ctx) => {
            const seen = new Set<string>();
            v.workers.forEach((w, i) => {
              if (seen.has(w.taxCode))
                ctx.addIssue({ code: 'custom', path: ['workers', i, 'taxCode'], message: 'is listed twice' });
              seen.add(w.taxCode);
            });
            if (v.listSentOn < v.dismissalsNotifiedOn) {
              ctx.addIssue({
                code: 'custom',
                path: ['listSentOn'],
                message: 'cannot precede the dismissals',
              });
            }
          }),
      },
      none: {
        title: 'No dismissals were made',
        schema: z.object({ reason: longText }).strict(),
      },
    },
  },
} as const;

export const mobProcedure: ProcedureDef = {
  code: MOB_CODE,
  version: 2,
  title: 'Licenziamento collettivo (procedura di mobilità)',
  legalBasis: 'L. 223/1991 arts. 4, 5, 24',
  description:
    'Collective dismissal: the opening notice and its recipients, the union phase, the administrative phase at ' +
    'the Region or the Ministry, the dismissals within 120 days and their list within 7, the checks of art. 5 and ' +
    'L. 68/1999, and the take-in-charge of every dismissed worker by the office.',
  workflowType: 'licenziamentoCollettivo',
  startSchema: mobStartInput,
  tasks: Object.fromEntries(Object.values(mobForms).map((f) => [f.key, f])),
  news: {},
  deadlineRules: Object.values(MOB_RULES),
  admission: {
    unitKeys: () => [],
    linkedCaseIds: (input) => {
      const id = (input as MobStartInput).cigsCaseId;
      return id ? [id] : [];
    },
    check: (input, ctx) => {
      const i = input as MobStartInput;
      return mobRefusal(i, ctx.linked[i.cigsCaseId ?? '']);
    },
  },
};
