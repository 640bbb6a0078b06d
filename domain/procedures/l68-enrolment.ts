/**
 * Enrolment in the targeted-placement lists (collocamento mirato, L. 68/1999 arts. 1, 8, 18 c.2; procedures.md
 * §3.1, §3.3): one case per person, from the request through the documents check and the service pact to the
 * years on the list (yearly confirmation of availability and income) and the day the person leaves it.
 */
import { z } from 'zod';
import type { IsoDate } from '../dates';
import { makeDate, parseIsoDate } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_MONTHS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { ProcedureDef, Refusal } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import { isoDate, longText, shortText, taxCode } from '../schemas';
import type { L68PersonRecord } from './l68-ranking';
import { L68_LISTS, PROTECTED_CATEGORIES } from './l68-ranking';
import { ageOn } from './public-hiring';
import { disabilityEligibility } from './targeted-placement';

export const L68I_CODE = 'L68I';

export interface EnrolmentLimits {
  /** Art. 1 c.1: people of working age, from the end of compulsory schooling. */
  minAge: number;
  /** The yearly confirmation is due this many months after 31 December (30 June) [UNVERIFIED for Tuscany]. */
  confirmationMonths: number;
}

export const ENROLMENT_LIMITS: readonly Dated<EnrolmentLimits>[] = [
  {
    validFrom: '2000-01-01',
    legalBasis:
      'L. 68/1999 arts. 1 c.1, 8 c.2; yearly confirmation by 30 June as in Lodi (open-items.md §2.1) — ' +
      'the Tuscan cycle is UNVERIFIED',
    value: { minAge: 15, confirmationMonths: 6 },
  },
];

export function enrolmentLimitsOn(on: IsoDate): EnrolmentLimits {
  return valueOn(ENROLMENT_LIMITS, on).value;
}

/** The yearly confirmation for `year` (the situation at 31 December before it), due by the limit's day. */
export function confirmationRule(year: number): DeadlineRule {
  const l = enrolmentLimitsOn(makeDate(year, 1, 1));
  return {
    ...CALENDAR_MONTHS,
    id: 'l68-yearly-confirmation',
    title: `Yearly confirmation of availability and income (${year})`,
    legalBasis: valueOn(ENROLMENT_LIMITS, makeDate(year, 1, 1)).legalBasis,
    trigger: `31 December ${year - 1}`,
    offset: l.confirmationMonths,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "Filed with the office, closed on Saturday; the person's term, which the office's suspension does not stop.",
    validFrom: '2000-01-01',
    confidence: 'UNVERIFIED',
  };
}

const document = z.object({ date: isoDate, reference: shortText.optional() }).strict();

export const enrolmentStartInput = z
  .object({
    person: z
      .object({ taxCode, name: shortText, birthDate: isoDate, municipality: shortText.optional() })
      .strict(),
    list: z.enum(L68_LISTS),
    /** Art. 1 list: the disability and its degree. */
    disability: z
      .object({
        category: z.enum(['civil-invalid', 'work-invalid', 'blind', 'deaf', 'war-or-service-invalid']),
        percentage: z.number().min(0).max(100).optional(),
        warCategory: z.int().min(1).max(8).optional(),
      })
      .strict()
      .optional(),
    /** Art. 18 c.2 list: the protected category. */
    protectedCategory: z.enum(PROTECTED_CATEGORIES).optional(),
    documents: z
      .object({
        /** The invalidity report (verbale) of the medical commission. */
        invalidityReport: document.optional(),
        /** The final functional report on residual capacities (relazione conclusiva, L. 104/1992 commission). */
        functionalReport: document.optional(),
        /** For the art. 18 list: the document proving the category. */
        categoryProof: document.optional(),
      })
      .strict(),
    /** The DID: enrolment requires being unemployed (art. 8 c.1). */
    unemployedSince: isoDate,
    /** The service pact (PSP), when already signed; otherwise the case asks for it. */
    servicePactSignedOn: isoDate.optional(),
    isee: z.number().min(0).max(10_000_000).optional(),
    dependants: z.int().min(0).max(20),
    requestedOn: isoDate,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.list === 'art1') {
      if (!v.disability)
        ctx.addIssue({ code: 'custom', path: ['disability'], message: 'required for the art. 1 list' });
      if (!v.documents.invalidityReport)
        ctx.addIssue({
          code: 'custom',
          path: ['documents', 'invalidityReport'],
          message: 'required for the art. 1 list',
        });
      if (!v.documents.functionalReport)
        ctx.addIssue({
          code: 'custom',
          path: ['documents', 'functionalReport'],
          message: 'required for the art. 1 list',
        });
    } else {
      if (!v.protectedCategory)
        ctx.addIssue({
          code: 'custom',
          path: ['protectedCategory'],
          message: 'required for the art. 18 list',
        });
      if (!v.documents.categoryProof)
        ctx.addIssue({
          code: 'custom',
          path: ['documents', 'categoryProof'],
          message: 'required for the art. 18 list',
        });
    }
  });
export type EnrolmentStartInput = z.infer<typeof enrolmentStartInput>;

export const personUnitKey = (taxCodeValue: string): string => `l68-person:${taxCodeValue}`;

/** Art. 1, art. 8 and the one-list rule: why an enrolment may not start, or null. */
export function enrolmentRefusal(
  i: EnrolmentStartInput,
  openEnrolments: readonly string[],
  today: IsoDate,
): Refusal | null {
  if (i.list === 'art1' && i.disability) {
    const v = disabilityEligibility(i.disability);
    if (!v.eligible)
      return {
        slug: 'not-eligible',
        detail: `Not eligible for the art. 1 list: ${v.reason}.`,
        rule: v.legalBasis,
      };
  }
  const minAge = enrolmentLimitsOn(i.requestedOn).minAge;
  const age = ageOn(i.person.birthDate, i.requestedOn);
  if (age < minAge) {
    return {
      slug: 'not-eligible',
      detail: `Enrolment is open from the age of ${minAge}: the person is ${age}.`,
      rule: 'L. 68/1999 art. 1 c.1 (working age, compulsory schooling done)',
      figures: { age, minAge },
    };
  }
  if (i.unemployedSince > i.requestedOn) {
    return {
      slug: 'not-eligible',
      detail: `The DID (${i.unemployedSince}) must come before the request (${i.requestedOn}).`,
      rule: 'L. 68/1999 art. 8 c.1: only people without work enrol',
    };
  }
  if (i.requestedOn > today) {
    return {
      slug: 'not-eligible',
      detail: `The request date ${i.requestedOn} is in the future.`,
      rule: 'L. 68/1999 art. 8',
    };
  }
  if (openEnrolments.length > 0) {
    return {
      slug: 'already-enrolled',
      detail: `${i.person.taxCode} is already on a list (case ${openEnrolments.join(', ')}): a person enrols on one list only.`,
      rule: 'L. 68/1999 art. 8 c.1 as amended by D.Lgs. 151/2015 [UNVERIFIED]',
      figures: { openEnrolments },
    };
  }
  return null;
}

export const enrolmentForms = {
  documents: {
    key: 'l68-check-documents',
    title: 'Check the enrolment documents and the eligibility',
    ...OFFICE_STAFF,
    outcomes: {
      confirmed: {
        title: 'Documents complete: enrol',
        schema: z.object({ note: longText.optional() }).strict(),
      },
      rejected: {
        title: 'Not eligible: reject (after the notice of grounds, art. 10-bis L. 241/1990)',
        schema: z.object({ reasons: longText, noticeOfGroundsOn: isoDate }).strict(),
      },
    },
  },
  servicePact: {
    key: 'l68-service-pact',
    title: 'Sign the service pact (PSP) with the person',
    ...OFFICE_STAFF,
    outcomes: {
      signed: { title: 'Signed', schema: z.object({ signedOn: isoDate }).strict() },
    },
  },
} as const;

export const confirmationNews = z
  .object({
    year: z.int().min(2000).max(2100),
    confirmedOn: isoDate,
    available: z.boolean(),
    isee: z.number().min(0).max(10_000_000).nullable(),
    dependants: z.int().min(0).max(20),
  })
  .strict();

export const declarationNews = z
  .object({
    from: isoDate,
    isee: z.number().min(0).max(10_000_000).nullable(),
    dependants: z.int().min(0).max(20),
  })
  .strict();

export const LEAVING_REASONS = ['own-request', 'employed', 'lost-requirements', 'moved', 'deceased'] as const;
export const leavingNews = z
  .object({ on: isoDate, reason: z.enum(LEAVING_REASONS), note: longText.optional() })
  .strict();

/** The record the ranking reads, built from the start input. */
export function personRecord(caseId: string, office: string, i: EnrolmentStartInput): L68PersonRecord {
  return {
    caseId,
    taxCode: i.person.taxCode,
    name: i.person.name,
    birthDate: i.person.birthDate,
    office,
    list: i.list,
    category: i.disability?.category ?? null,
    percentage: i.disability?.percentage ?? null,
    warCategory: i.disability?.warCategory ?? null,
    protectedCategory: i.protectedCategory ?? null,
    enrolledOn: null,
    leftOn: null,
    declarations: [{ from: i.requestedOn, isee: i.isee ?? null, dependants: i.dependants }],
    offRanking: [],
  };
}

export function yearOf(d: IsoDate): number {
  return parseIsoDate(d).getUTCFullYear();
}

export const enrolmentProcedure: ProcedureDef = {
  code: L68I_CODE,
  version: 2,
  title: 'Iscrizione al collocamento mirato (L. 68/1999 art. 8)',
  legalBasis: 'L. 68/1999 arts. 1, 8, 18 c.2; D.Lgs. 151/2015; D.Lgs. 150/2015 arts. 19–20 (DID, PSP)',
  description:
    'A person enrols on the art. 1 or the art. 18 list: eligibility by category and degree, the invalidity and ' +
    'functional reports, the DID and the service pact, then the years on the list — the yearly confirmation of ' +
    'availability and income, changes of income and dependants — until the person is placed or leaves.',
  workflowType: 'iscrizioneCollocamentoMirato',
  startSchema: enrolmentStartInput,
  tasks: Object.fromEntries(Object.values(enrolmentForms).map((f) => [f.key, f])),
  news: {
    'yearly-confirmation': {
      type: 'yearly-confirmation',
      title: 'Yearly confirmation of availability, income (ISEE) and dependants',
      from: 'person or office',
      relays: ['person'],
      schema: confirmationNews,
    },
    declaration: {
      type: 'declaration',
      title: 'A change of income (ISEE) or dependants',
      from: 'person or office',
      relays: ['person'],
      schema: declarationNews,
    },
    leaving: {
      type: 'leaving',
      title: 'The person leaves the list',
      from: 'person or office',
      relays: ['person'],
      schema: leavingNews,
    },
  },
  deadlineRules: [confirmationRule(2027)],
  admission: {
    unitKeys: (input) => [personUnitKey(String((input.person as { taxCode: string }).taxCode))],
    check: (input, ctx) => {
      const i = input as EnrolmentStartInput;
      return enrolmentRefusal(i, ctx.openCasesByUnit[personUnitKey(i.person.taxCode)] ?? [], ctx.today);
    },
  },
};
