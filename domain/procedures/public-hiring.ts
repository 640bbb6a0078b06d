/**
 * Hiring into public bodies from the office's ranking ("avviamento a selezione"): art. 16 L. 56/1987, DPR 487/1994
 * arts. 23–32, Reg. Toscana 7/R/2004 arts. 31 ff.; procedures.md §4 and open-items.md §1. The score is a versioned
 * rule set (data an administrator publishes), so that the Tuscan text, once read, is a new version and not code.
 */
import { z } from 'zod';
import type { IsoDate } from '../dates';
import { daysBetween, parseIsoDate } from '../dates';
import type { DeadlineRule } from '../deadlines';
import { CALENDAR_DAYS } from '../deadlines';
import type { Dated } from '../parameters';
import { valueOn } from '../parameters';
import type { ProcedureDef } from '../procedure';
import { OFFICE_STAFF } from '../procedure';
import { isoDate, longText, shortText, taxCode, text } from '../schemas';

export const ART16_CODE = 'ART16';

export interface Art16Limits {
  /** Minimum days the notice stays open (Tuscany: 15 permanent, 8 fixed-term) [LIKELY]. */
  windowDaysPermanent: number;
  windowDaysFixedTerm: number;
  /** Candidates referred per ordinary post (DPR 487/1994 art. 25 c.1). */
  referralRatio: number;
  /** Days for objections against the provisional ranking [UNVERIFIED for Tuscany]. */
  objectionDays: number;
  /** Days the body has to convene the referred candidates (DPR 487/1994 art. 27 c.1). */
  convocationDays: number;
}

export const ART16_LIMITS: readonly Dated<Art16Limits>[] = [
  {
    validFrom: '2004-02-04',
    legalBasis: 'Reg. Toscana 7/R/2004 arts. 32–34 [LIKELY]; DPR 487/1994 arts. 25, 27',
    value: {
      windowDaysPermanent: 15,
      windowDaysFixedTerm: 8,
      referralRatio: 2,
      objectionDays: 10,
      convocationDays: 10,
    },
  },
];

export function art16LimitsOn(on: IsoDate): Art16Limits {
  return valueOn(ART16_LIMITS, on).value;
}

export function applicationWindowRule(contract: 'permanent' | 'fixed-term', on: IsoDate): DeadlineRule {
  const l = art16LimitsOn(on);
  const permanent = contract === 'permanent';
  return {
    ...CALENDAR_DAYS,
    id: permanent ? 'art16-window-permanent' : 'art16-window-fixed-term',
    title: `Applications open (${permanent ? 'permanent' : 'fixed-term'} posts)`,
    legalBasis: 'Reg. Toscana 7/R/2004 arts. 32–33 [LIKELY]',
    trigger: 'publication of the notice',
    offset: permanent ? l.windowDaysPermanent : l.windowDaysFixedTerm,
    saturdayRollsForward: true,
    pausedBySuspension: true,
    countingWhy:
      "Applications are filed with the office, closed on Saturday; the notice is the office's own procedure, so its window stops while the case is suspended.",
    validFrom: '2004-02-04',
    confidence: 'LIKELY',
  };
}

export const ART16_RULES = {
  objections: {
    ...CALENDAR_DAYS,
    id: 'art16-objections',
    title: 'Objections against the provisional ranking',
    legalBasis: 'Reg. Toscana 7/R/2004 art. 34 [UNVERIFIED: 10 days is the common practice]',
    trigger: 'publication of the provisional ranking',
    offset: 10,
    saturdayRollsForward: true,
    pausedBySuspension: true,
    countingWhy:
      "Objections are filed with the office, closed on Saturday; a term of the office's own procedure, which stops while the case is suspended.",
    validFrom: '2004-02-04',
    confidence: 'UNVERIFIED',
  },
  convocation: {
    ...CALENDAR_DAYS,
    id: 'art16-convocation',
    title: 'The body convenes the referred candidates for the suitability test',
    legalBasis: 'DPR 487/1994 art. 27 c.1',
    trigger: 'receipt of the referral',
    offset: 10,
    saturdayRollsForward: true,
    pausedBySuspension: false,
    countingWhy:
      "An act of the public body, closed on Saturday; the body's own term, which the office's suspension does not stop.",
    validFrom: '1994-07-24',
    confidence: 'VERIFIED',
  },
} satisfies Record<string, DeadlineRule>;

// ---- the scoring rule set ----

export const TIE_BREAKS = [
  'younger',
  'more-dependants',
  'longer-unemployment',
  'earlier-application',
] as const;
export type TieBreak = (typeof TIE_BREAKS)[number];

/** A version of the score, as an administrator publishes it: every number here is data. */
export const scoringRuleSchema = z
  .object({
    title: shortText,
    /** Where the numbers come from, shown with every score. */
    basis: longText,
    validFrom: isoDate,
    base: z.number().min(0).max(1000),
    isee: z
      .object({
        /** Points per full €1,000 of ISEE (negative lowers the score). */
        pointsPerThousand: z.number().min(-100).max(100),
        /** How the thousands are counted: `floor` counts full thousands, `half-up` rounds at €500. */
        rounding: z.enum(['floor', 'half-up']),
        /** The largest change ISEE may bring, in absolute points. */
        maxPoints: z.number().min(0).max(1000),
        /** Points when no valid ISEE is declared. */
        missingPoints: z.number().min(-1000).max(1000),
      })
      .strict(),
    unemployment: z
      .object({
        /** Points for a DID given before the notice was published. */
        didBeforeNotice: z.number().min(0).max(1000),
        perMonth: z.number().min(0).max(100),
        perMonthMax: z.number().min(0).max(1000),
      })
      .strict(),
    dependants: z
      .object({ perPerson: z.number().min(0).max(100), perDisabledPerson: z.number().min(0).max(100) })
      .strict(),
    /** Points by age on the publication day, for unemployed candidates only when `unemployedOnly`. */
    age: z
      .object({
        unemployedOnly: z.boolean(),
        steps: z
          .array(z.object({ fromAge: z.int().min(14).max(80), points: z.number().min(0).max(100) }).strict())
          .max(10),
      })
      .strict(),
    tieBreaks: z.array(z.enum(TIE_BREAKS)).min(1).max(4),
  })
  .strict();
export type ScoringRule = z.infer<typeof scoringRuleSchema>;

export interface PublishedScoringRule extends ScoringRule {
  scope: 'art16';
  version: number;
  publishedAt: string;
  publishedBy: string;
}

/**
 * The default shipped with the system: the shape of procedures.md §4.3 with the Emilia-Romagna numbers and the
 * Campania month and dependant components. It is NOT the Tuscan rule (Reg. 7/R/2004 art. 34 was not read): an
 * administrator publishes the Tuscan version with POST /v1/scoring-rules once its text is confirmed.
 */
export const DEFAULT_SCORING_RULE: PublishedScoringRule = {
  scope: 'art16',
  version: 1,
  publishedAt: '2026-01-01T00:00:00.000Z',
  publishedBy: 'system',
  title: 'Default of the §4.3 shape (not the Tuscan text)',
  basis:
    'procedures.md §4.3 and open-items.md §1.3: Emilia-Romagna base, ISEE and age components; Campania months of ' +
    'unemployment and dependants. Replace with Reg. Toscana 7/R/2004 art. 34 once read.',
  validFrom: '2004-02-04',
  base: 100,
  isee: { pointsPerThousand: -1, rounding: 'half-up', maxPoints: 25, missingPoints: -25 },
  unemployment: { didBeforeNotice: 5, perMonth: 0.1, perMonthMax: 6 },
  dependants: { perPerson: 1, perDisabledPerson: 1.5 },
  age: {
    unemployedOnly: true,
    steps: [
      { fromAge: 40, points: 2 },
      { fromAge: 45, points: 4 },
      { fromAge: 50, points: 6 },
    ],
  },
  tieBreaks: ['younger', 'more-dependants', 'longer-unemployment', 'earlier-application'],
};

// ---- applications ----

export const CITIZENSHIP = [
  'IT',
  'EU',
  'EU-family',
  'long-term-resident',
  'refugee',
  'subsidiary-protection',
  'other',
] as const;

export const candidateSchema = z
  .object({
    taxCode,
    name: shortText,
    birthDate: isoDate,
    citizenship: z.enum(CITIZENSHIP),
    /** The day the person entered the rolls (elenchi anagrafici) of a CPI, and the CPI's region. */
    registeredOn: isoDate,
    registeredRegion: shortText,
    compulsorySchooling: z.boolean(),
    /** The general requirements for public employment (DPR 487/1994 art. 2), self-declared. */
    generalRequirements: z.boolean(),
    /** The DID, when the candidate is unemployed. */
    unemployedSince: isoDate.optional(),
    /** ISEE in euro; absent when no valid ISEE is declared. */
    isee: z.number().min(0).max(10_000_000).optional(),
    dependants: z.int().min(0).max(20),
    disabledDependants: z.int().min(0).max(20),
    /** Enrolled in the L. 68/1999 lists: eligible for the reserved posts. */
    l68Enrolled: z.boolean().default(false),
  })
  .strict()
  .refine((c) => c.disabledDependants <= c.dependants, {
    message: 'cannot exceed the dependants',
    path: ['disabledDependants'],
  });
export type Candidate = z.infer<typeof candidateSchema>;

export const applicationNews = z
  .object({ candidate: candidateSchema, submittedOn: isoDate, channel: z.enum(['portal', 'office']) })
  .strict();

/** Art. 38 D.Lgs. 165/2001 as amended by L. 97/2013: who besides Italians may hold these posts. */
const ADMITTED_CITIZENSHIP = new Set<string>(CITIZENSHIP.filter((c) => c !== 'other'));

/** Why a candidate may not be ranked (Reg. 7/R/2004 art. 31; DPR 487/1994 art. 2); empty when eligible. */
export function ineligibility(c: Candidate, publishedOn: IsoDate, region: string): string[] {
  const reasons: string[] = [];
  if (c.registeredOn > publishedOn || c.registeredRegion !== region) {
    reasons.push(
      `not registered with a CPI of ${region} on ${publishedOn}, the day the notice was published`,
    );
  }
  if (!c.compulsorySchooling) reasons.push('compulsory schooling not declared');
  if (!c.generalRequirements) reasons.push('general requirements for public employment not declared');
  if (!ADMITTED_CITIZENSHIP.has(c.citizenship))
    reasons.push('citizenship not admitted (art. 38 D.Lgs. 165/2001)');
  if (ageOn(c.birthDate, publishedOn) < 18) reasons.push('under 18 on the publication day');
  return reasons;
}

export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const b = parseIsoDate(birthDate);
  const d = parseIsoDate(on);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (
    d.getUTCMonth() < b.getUTCMonth() ||
    (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())
  ) {
    age -= 1;
  }
  return age;
}

export function monthsBetween(from: IsoDate, to: IsoDate): number {
  return Math.max(0, Math.floor(daysBetween(from, to) / 30));
}

// ---- the score ----

export interface ScoreComponent {
  component: 'base' | 'isee' | 'unemployment' | 'months-unemployed' | 'dependants' | 'age';
  input: string | number | null;
  points: number;
  rule: string;
}

export interface Score {
  total: number;
  components: ScoreComponent[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The score of one candidate on the publication day, component by component. */
export function score(rule: ScoringRule, c: Candidate, publishedOn: IsoDate): Score {
  const parts: ScoreComponent[] = [
    { component: 'base', input: null, points: rule.base, rule: `base ${rule.base}` },
  ];
  if (c.isee === undefined) {
    parts.push({
      component: 'isee',
      input: null,
      points: rule.isee.missingPoints,
      rule: 'no valid ISEE declared',
    });
  } else {
    const thousands =
      rule.isee.rounding === 'floor' ? Math.floor(c.isee / 1000) : Math.floor((c.isee + 499.99) / 1000);
    const raw = thousands * rule.isee.pointsPerThousand;
    const points = Math.sign(raw) * Math.min(Math.abs(raw), rule.isee.maxPoints);
    parts.push({
      component: 'isee',
      input: c.isee,
      points: round2(points),
      rule: `${rule.isee.pointsPerThousand} per ${rule.isee.rounding === 'floor' ? 'full ' : ''}€1,000 (${thousands}), at most ${rule.isee.maxPoints}`,
    });
  }
  const unemployed = c.unemployedSince !== undefined && c.unemployedSince <= publishedOn;
  if (unemployed) {
    parts.push({
      component: 'unemployment',
      input: c.unemployedSince ?? null,
      points: rule.unemployment.didBeforeNotice,
      rule: 'DID before the notice',
    });
    const months = monthsBetween(c.unemployedSince ?? publishedOn, publishedOn);
    if (rule.unemployment.perMonth > 0) {
      parts.push({
        component: 'months-unemployed',
        input: months,
        points: round2(Math.min(months * rule.unemployment.perMonth, rule.unemployment.perMonthMax)),
        rule: `${rule.unemployment.perMonth} per month, at most ${rule.unemployment.perMonthMax}`,
      });
    }
  }
  const plain = c.dependants - c.disabledDependants;
  const dep = plain * rule.dependants.perPerson + c.disabledDependants * rule.dependants.perDisabledPerson;
  parts.push({
    component: 'dependants',
    input: c.dependants,
    points: round2(dep),
    rule: `${rule.dependants.perPerson} each, ${rule.dependants.perDisabledPerson} if disabled (${c.disabledDependants})`,
  });
  if (!rule.age.unemployedOnly || unemployed) {
    const age = ageOn(c.birthDate, publishedOn);
    const step = [...rule.age.steps].sort((a, b) => b.fromAge - a.fromAge).find((s) => age >= s.fromAge);
    parts.push({
      component: 'age',
      input: age,
      points: step?.points ?? 0,
      rule: step ? `aged ${step.fromAge} or more` : 'no age points',
    });
  }
  return { total: round2(parts.reduce((sum, p) => sum + p.points, 0)), components: parts };
}

export interface Application {
  applicationNo: string;
  candidate: Candidate;
  submittedOn: IsoDate;
  /** Set when the candidate may not be ranked. */
  excluded: string[] | null;
}

export interface RankingRow {
  position: number;
  applicationNo: string;
  taxCode: string;
  name: string;
  score: number;
  components: ScoreComponent[];
  l68Enrolled: boolean;
}

export interface Ranking {
  ruleVersion: number;
  ruleTitle: string;
  referenceDate: IsoDate;
  tieBreaks: TieBreak[];
  rows: RankingRow[];
  excluded: { applicationNo: string; reasons: string[] }[];
}

/**
 * The ranking on the publication day: highest score first; ties broken by the rule's chain, then by the earlier
 * application. The same applications, rule and day give the same ranking.
 */
export function rank(
  rule: PublishedScoringRule,
  applications: readonly Application[],
  publishedOn: IsoDate,
): Ranking {
  const eligible = applications.filter((a) => a.excluded === null);
  const scored = eligible.map((a) => ({ a, s: score(rule, a.candidate, publishedOn) }));
  const key = (t: TieBreak, a: Application): number => {
    if (t === 'younger') return parseIsoDate(a.candidate.birthDate).getTime(); // later birth first
    if (t === 'more-dependants') return a.candidate.dependants;
    if (t === 'longer-unemployment')
      return a.candidate.unemployedSince ? daysBetween(a.candidate.unemployedSince, publishedOn) : -1;
    return -Number(a.applicationNo.replace(/\D/g, ''));
  };
  scored.sort((x, y) => {
    if (y.s.total !== x.s.total) return y.s.total - x.s.total;
    for (const t of [...rule.tieBreaks, 'earlier-application' as const]) {
      const d = key(t, y.a) - key(t, x.a);
      if (d !== 0) return d;
    }
    return 0;
  });
  return {
    ruleVersion: rule.version,
    ruleTitle: rule.title,
    referenceDate: publishedOn,
    tieBreaks: [...rule.tieBreaks],
    rows: scored.map(({ a, s }, i) => ({
      position: i + 1,
      applicationNo: a.applicationNo,
      taxCode: a.candidate.taxCode,
      name: a.candidate.name,
      score: s.total,
      components: s.components,
      l68Enrolled: a.candidate.l68Enrolled,
    })),
    excluded: applications
      .filter((a) => a.excluded !== null)
      .map((a) => ({ applicationNo: a.applicationNo, reasons: a.excluded ?? [] })),
  };
}

/** What may be published: positions, application numbers and scores, no personal data. */
export function publicRanking(r: Ranking): { position: number; applicationNo: string; score: number }[] {
  return r.rows.map((row) => ({
    position: row.position,
    applicationNo: row.applicationNo,
    score: row.score,
  }));
}

// ---- referrals ----

export type ReferralOutcome = 'suitable' | 'unsuitable' | 'absent' | 'renounced';

export interface Referral {
  applicationNo: string;
  name: string;
  round: number;
  reserved: 'l68' | null;
  referredOn: IsoDate;
  status: 'referred' | ReferralOutcome | 'not-needed';
}

/**
 * The next candidates to refer: in ranking order, skipping anyone already referred; L. 68 reserved posts take
 * candidates enrolled in the L. 68 lists, as many as the posts (DPR 487/1994 art. 32).
 */
export function nextCandidates(
  ranking: Ranking,
  referred: ReadonlySet<string>,
  count: number,
  l68Only: boolean,
): RankingRow[] {
  return ranking.rows
    .filter((r) => !referred.has(r.applicationNo) && (!l68Only || r.l68Enrolled))
    .slice(0, count);
}

/** The day from which every rule of this procedure is in force: a request before it cannot be run by them. */
export const ART16_RULES_FROM: IsoDate = Object.values(ART16_RULES)
  .map((r) => r.validFrom)
  .sort()
  .reduce((a, b) => (b > a ? b : a));

export const art16StartInput = z
  .object({
    body: z
      .object({
        name: shortText,
        taxCode,
        kind: z.enum(['municipality', 'health-authority', 'school', 'state-office', 'other']),
      })
      .strict(),
    posts: z.int().min(1).max(200),
    reservedPosts: z
      .object({ l68: z.int().min(0).max(200).default(0), armedForces: z.int().min(0).max(200).default(0) })
      .strict()
      .default({ l68: 0, armedForces: 0 }),
    profile: shortText,
    qualification: shortText.optional(),
    contract: z.enum(['permanent', 'fixed-term']),
    durationMonths: z.int().min(1).max(60).optional(),
    hoursPerWeek: z.number().min(1).max(40),
    place: shortText,
    testContent: longText,
    requestedOn: isoDate,
    /** The region whose CPI rolls the candidates must be on. */
    region: shortText.default('Toscana'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.requestedOn < ART16_RULES_FROM)
      ctx.addIssue({
        code: 'custom',
        path: ['requestedOn'],
        message: `must be on or after ${ART16_RULES_FROM}, when the rules of this procedure came into force`,
      });
    if (v.contract === 'fixed-term' && v.durationMonths === undefined) {
      ctx.addIssue({ code: 'custom', path: ['durationMonths'], message: 'required for a fixed-term hire' });
    }
    if (v.reservedPosts.l68 + v.reservedPosts.armedForces > v.posts) {
      ctx.addIssue({ code: 'custom', path: ['reservedPosts'], message: 'more reserved posts than posts' });
    }
  });
export type Art16StartInput = z.infer<typeof art16StartInput>;

export const art16Forms = {
  publish: {
    key: 'art16-publish-notice',
    title: 'Publish the notice',
    ...OFFICE_STAFF,
    outcomes: {
      published: {
        title: 'Published',
        schema: z
          .object({
            publishedOn: isoDate,
            where: z.array(shortText).min(1).max(5),
            windowDays: z.int().min(1).max(90).optional(),
          })
          .strict(),
      },
    },
  },
  objection: {
    key: 'art16-objection',
    title: 'Decide an objection against the provisional ranking',
    ...OFFICE_STAFF,
    outcomes: {
      upheld: {
        title: 'Upheld: the declared data are corrected',
        schema: z
          .object({
            reasons: longText,
            corrections: z
              .object({
                isee: z.number().min(0).max(10_000_000).nullable().optional(),
                dependants: z.int().min(0).max(20).optional(),
                disabledDependants: z.int().min(0).max(20).optional(),
                unemployedSince: isoDate.nullable().optional(),
                readmitted: z.boolean().optional(),
              })
              .strict(),
          })
          .strict(),
      },
      rejected: { title: 'Rejected', schema: z.object({ reasons: longText }).strict() },
    },
  },
  chaseBody: {
    key: 'art16-chase-body',
    title: 'The body has not convened the referred candidates: remind it',
    ...OFFICE_STAFF,
    outcomes: { reminded: { title: 'Reminded', schema: z.object({ note: longText.optional() }).strict() } },
  },
} as const;

export const objectionNews = z
  .object({ applicationNo: text(32), grounds: longText, submittedOn: isoDate })
  .strict();

export const testOutcomeNews = z
  .object({
    applicationNo: text(32),
    outcome: z.enum(['suitable', 'unsuitable', 'absent', 'renounced']),
    date: isoDate,
    note: longText.optional(),
  })
  .strict();

export const convenedNews = z
  .object({
    applicationNos: z.array(text(32)).min(1).max(400),
    testOn: isoDate,
    place: shortText,
  })
  .strict();

export const art16Procedure: ProcedureDef = {
  code: ART16_CODE,
  version: 2,
  title: 'Avviamento a selezione nella pubblica amministrazione (art. 16 L. 56/1987)',
  legalBasis: 'L. 56/1987 art. 16; DPR 487/1994 arts. 23–32; Reg. Toscana 7/R/2004 arts. 31 ff.',
  description:
    "A public body's request, the notice and its application window, eligibility, the ranking from a versioned " +
    'scoring rule with every component shown, objections, the final ranking, referrals in ranking order with ' +
    'replacements until every post is filled or the ranking is exhausted.',
  workflowType: 'avviamentoSelezione',
  startSchema: art16StartInput,
  tasks: Object.fromEntries(Object.values(art16Forms).map((f) => [f.key, f])),
  news: {
    application: {
      type: 'application',
      title: 'An application to the notice',
      from: 'candidate or office',
      relays: 'anyone',
      schema: applicationNews,
    },
    objection: {
      type: 'objection',
      title: 'An objection against the provisional ranking',
      from: 'candidate',
      relays: 'anyone',
      schema: objectionNews,
    },
    convened: {
      type: 'convened',
      title: 'The body convened referred candidates',
      from: 'public body',
      // The body that opened the notice hires: its own portal speaks for it.
      relays: ['public-body', 'employer'],
      schema: convenedNews,
    },
    'test-outcome': {
      type: 'test-outcome',
      title: 'Outcome of a suitability test',
      from: 'public body',
      // The body that opened the notice hires: its own portal speaks for it.
      relays: ['public-body', 'employer'],
      schema: testOutcomeNews,
    },
  },
  deadlineRules: [
    applicationWindowRule('permanent', '2026-01-01'),
    applicationWindowRule('fixed-term', '2026-01-01'),
    ...Object.values(ART16_RULES),
  ],
};
