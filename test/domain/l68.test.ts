import { findOffice, officeCalendar } from '../../domain/offices';
import { enrolmentRefusal, enrolmentStartInput } from '../../domain/procedures/l68-enrolment';
import type { AgreementState, CountedHire } from '../../domain/procedures/l68-obligation';
import {
  agreementBehind,
  agreementRefusal,
  certificateVerdict,
  exemptionContribution,
  hireCounts,
  position,
  quotaFromReturn,
  suspensionsIn,
} from '../../domain/procedures/l68-obligation';
import type { L68PersonRecord } from '../../domain/procedures/l68-ranking';
import {
  DEFAULT_L68_RULE,
  l68Rank,
  l68Score,
  l68ScoringRuleSchema,
  monthsOfEnrolment,
} from '../../domain/procedures/l68-ranking';
import { quota, uncoveredQuotaSanction } from '../../domain/procedures/targeted-placement';

const lucca = officeCalendar(findOffice('lucca')!);

function person(over: Partial<L68PersonRecord> & { taxCode: string }): L68PersonRecord {
  return {
    caseId: `L68I-2026-${over.taxCode}`,
    name: over.taxCode,
    birthDate: '1980-01-01',
    office: 'lucca',
    list: 'art1',
    category: 'civil-invalid',
    percentage: 60,
    warCategory: null,
    protectedCategory: null,
    enrolledOn: '2024-01-15',
    leftOn: null,
    declarations: [{ from: '2024-01-15', isee: 10_000, dependants: 1 }],
    offRanking: [],
    ...over,
  };
}

describe('L. 68 ranking (art. 8 c.2, default rule)', () => {
  it('when a person is scored, then every component is shown and the total is their sum', () => {
    const s = l68Score(DEFAULT_L68_RULE, person({ taxCode: 'A' }), '2026-01-15');
    // 60% invalidity; 24 months × 2 = 48; ISEE 10,000: 25 − 20 × 0.5 = 15; 1 dependant × 2.
    expect(s.components.map((c) => [c.component, c.points])).toEqual([
      ['base', 0],
      ['invalidity', 60],
      ['seniority', 48],
      ['income', 15],
      ['dependants', 2],
    ]);
    expect(s.total).toBe(125);
  });

  it('when the caps bite, then seniority stops at 72, income at its floor of 0, dependants at 10', () => {
    const s = l68Score(
      DEFAULT_L68_RULE,
      person({
        taxCode: 'B',
        enrolledOn: '2010-01-01',
        declarations: [{ from: '2010-01-01', isee: 80_000, dependants: 9 }],
      }),
      '2026-01-15',
    );
    expect(Object.fromEntries(s.components.map((c) => [c.component, c.points]))).toMatchObject({
      seniority: 72,
      income: 0,
      dependants: 10,
    });
    expect(monthsOfEnrolment('2026-01-31', '2026-02-28')).toBe(0);
    expect(monthsOfEnrolment('2026-01-15', '2026-02-15')).toBe(1);
  });

  it('when scores tie, then the longer enrolment wins, then the younger person, then the tax code', () => {
    const a = person({ taxCode: 'AAA', enrolledOn: '2024-01-10', percentage: 60 });
    const b = person({ taxCode: 'BBB', enrolledOn: '2024-01-20', percentage: 60 });
    // Same months of enrolment (23) on 2025-12-31: same score; a enrolled ten days earlier.
    let r = l68Rank(DEFAULT_L68_RULE, [b, a], 'art1', '2025-12-31');
    expect(r.rows[0]!.score).toBe(r.rows[1]!.score);
    expect(r.rows.map((x) => x.taxCode)).toEqual(['AAA', 'BBB']);
    const c = person({ taxCode: 'CCC', birthDate: '1990-01-01' });
    const d = person({ taxCode: 'DDD', birthDate: '1970-01-01' });
    r = l68Rank(DEFAULT_L68_RULE, [d, c], 'art1', '2025-12-31');
    expect(r.rows.map((x) => x.taxCode)).toEqual(['CCC', 'DDD']);
    const e = person({ taxCode: 'EEE' });
    const f = person({ taxCode: 'FFF' });
    expect(l68Rank(DEFAULT_L68_RULE, [f, e], 'art1', '2025-12-31').rows.map((x) => x.taxCode)).toEqual([
      'EEE',
      'FFF',
    ]);
    expect(r.tieBreaks).toEqual(['longer-enrolment', 'younger', 'tax code (last resort)']);
  });

  it('when a rule ranks lower scores first, then the order flips; precedence classes lead the art. 18 list', () => {
    const lower = { ...DEFAULT_L68_RULE, version: 2, order: 'lower-first' as const };
    const hi = person({ taxCode: 'HI', percentage: 90 });
    const lo = person({ taxCode: 'LO', percentage: 50 });
    expect(l68Rank(lower, [hi, lo], 'art1', '2026-01-15').rows.map((x) => x.taxCode)).toEqual(['LO', 'HI']);
    const victim = person({
      taxCode: 'VIC',
      list: 'art18',
      category: null,
      protectedCategory: 'terrorism-or-organised-crime-victim',
      enrolledOn: '2025-12-01',
    });
    const orphan = person({
      taxCode: 'ORP',
      list: 'art18',
      category: null,
      protectedCategory: 'repatriated-refugee',
      enrolledOn: '2015-01-01',
    });
    const r = l68Rank(DEFAULT_L68_RULE, [orphan, victim, hi], 'art18', '2026-01-15');
    expect(r.rows.map((x) => [x.taxCode, x.precedence])).toEqual([
      ['VIC', 'terrorism-or-organised-crime-victim'],
      ['ORP', null],
    ]);
  });

  it('when the records change later, then the ranking of an earlier day is the same as it was', () => {
    const p = person({
      taxCode: 'P',
      declarations: [
        { from: '2024-01-15', isee: 10_000, dependants: 1 },
        { from: '2026-03-01', isee: 0, dependants: 4 },
      ],
      offRanking: [{ from: '2025-07-01', to: '2025-09-01', reason: 'no confirmation for 2025' }],
      leftOn: '2026-06-01',
    });
    expect(l68Rank(DEFAULT_L68_RULE, [p], 'art1', '2025-08-01').rows).toHaveLength(0);
    expect(l68Rank(DEFAULT_L68_RULE, [p], 'art1', '2025-09-01').rows).toHaveLength(1);
    expect(l68Rank(DEFAULT_L68_RULE, [p], 'art1', '2026-02-01').rows[0]!.score).toBe(
      l68Score(DEFAULT_L68_RULE, p, '2026-02-01').total,
    );
    expect(
      l68Rank(DEFAULT_L68_RULE, [p], 'art1', '2026-03-15').rows[0]!.components.find(
        (c) => c.component === 'income',
      )!.points,
    ).toBe(25);
    expect(l68Rank(DEFAULT_L68_RULE, [p], 'art1', '2026-06-01').rows).toHaveLength(0);
  });

  it('when an administrator sends a rule, then its shape is checked field by field', () => {
    const { scope: _s, version: _v, publishedAt: _p, publishedBy: _b, ...rule } = DEFAULT_L68_RULE;
    expect(l68ScoringRuleSchema.safeParse(rule).success).toBe(true);
    const bad = l68ScoringRuleSchema.safeParse({
      ...rule,
      invalidity: { ...rule.invalidity, warCategory: [1] },
    });
    expect(bad.success).toBe(false);
  });
});

describe('L. 68 enrolment (arts. 1, 8)', () => {
  const input = enrolmentStartInput.parse({
    person: { taxCode: 'RSSMRA80A01E715X', name: 'Mario Rossi', birthDate: '1980-01-01' },
    list: 'art1',
    disability: { category: 'civil-invalid', percentage: 46 },
    documents: { invalidityReport: { date: '2025-11-01' }, functionalReport: { date: '2025-11-20' } },
    unemployedSince: '2025-10-01',
    dependants: 0,
    requestedOn: '2026-01-10',
  });

  it('when the person qualifies and is on no list, then nothing refuses the start', () => {
    expect(enrolmentRefusal(input, [], '2026-01-10')).toBeNull();
  });

  it('when 45%, under 15, without a DID or already on a list, then the start is refused with the rule', () => {
    expect(
      enrolmentRefusal(
        { ...input, disability: { category: 'civil-invalid', percentage: 45 } },
        [],
        '2026-01-10',
      ),
    ).toMatchObject({ slug: 'not-eligible', rule: 'L. 68/1999 art. 1 c.1' });
    expect(
      enrolmentRefusal({ ...input, person: { ...input.person, birthDate: '2011-02-01' } }, [], '2026-01-10'),
    ).toMatchObject({ slug: 'not-eligible', figures: { age: 14, minAge: 15 } });
    expect(enrolmentRefusal({ ...input, unemployedSince: '2026-02-01' }, [], '2026-01-10')?.slug).toBe(
      'not-eligible',
    );
    expect(enrolmentRefusal(input, ['L68I-2025-X'], '2026-01-10')?.slug).toBe('already-enrolled');
  });

  it('when the art. 1 list lacks the functional report, or art. 18 its category, then the field is named', () => {
    const r = enrolmentStartInput.safeParse({
      ...input,
      documents: { invalidityReport: { date: '2025-11-01' } },
    });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual([
      'documents.functionalReport',
    ]);
    const s = enrolmentStartInput.safeParse({ ...input, list: 'art18', disability: undefined });
    expect(s.success ? [] : s.error.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'documents.categoryProof',
      'protectedCategory',
    ]);
  });
});

describe('L. 68 employer position (arts. 3, 5, 11, 12-bis, 15, 17)', () => {
  const ret = {
    filedOn: '2027-01-20',
    referenceDate: '2026-12-31',
    changed: true,
    workforce: { employees: 62, fixedTermUpTo6Months: 3, apprentices: 2, managers: 1, other: 0 },
    employedDisabled: 1,
    employedArt18: 1,
    vacancies: [],
    offsetting: [],
  };

  it('when the return lists exclusions, then they and the L. 68 workers leave the base before the quota', () => {
    const { quota: q, excluded } = quotaFromReturn(ret, '2026-12-31');
    // 62 − 3 − 2 − 1 − (1 + 1) = 54 → 7% = 3.78 → 4; art. 18: 1.
    expect(q.base).toBe(54);
    expect([q.disabled, q.art18]).toEqual([4, 1]);
    expect(excluded).toMatchObject({
      fixedTermUpTo6Months: 3,
      apprentices: 2,
      managers: 1,
      alreadyCounted: 2,
    });
  });

  const q = quota(54, '2026-12-31');
  const hire = (taxCode: string, hiredOn: string, agreementNo: string | null = null): CountedHire => ({
    taxCode,
    name: taxCode,
    hiredOn,
    via: agreementNo ? 'agreement' : 'referral',
    agreementNo,
  });
  const agreement: AgreementState = {
    agreementNo: 'A1',
    type: 'art11',
    workers: 2,
    schedule: [
      { by: '2027-06-30', hires: 1 },
      { by: '2027-09-30', hires: 1 },
    ],
    status: 'active',
    signedOn: '2027-03-01',
    breachedOn: null,
  };

  it('when hires, an active agreement, an exemption and an offset cover parts, then the rest is uncovered', () => {
    const p = position(
      q,
      1,
      [hire('H1', '2027-04-01')],
      [agreement],
      { workers: 1, from: '2027-01-01', to: '2027-12-31' },
      0,
      '2027-05-01',
    );
    expect(p).toMatchObject({ required: 4, employed: 2, byAgreements: 2, exempted: 1, uncovered: 0 });
    const breached = position(q, 1, [], [{ ...agreement, status: 'breached' }], null, 1, '2027-05-01');
    expect(breached).toMatchObject({ employed: 1, byAgreements: 0, offset: 1, uncovered: 2 });
  });

  it('when an agreement schedule day passes without its hire, then it is behind', () => {
    expect(agreementBehind(agreement, [], '2027-06-30')).toBe(1);
    expect(agreementBehind(agreement, [hire('X', '2027-06-10', 'A1')], '2027-06-30')).toBe(0);
    expect(agreementBehind(agreement, [hire('X', '2027-06-10', 'A1')], '2027-09-30')).toBe(1);
  });

  it('when an art. 12-bis agreement is asked, then it needs more than 50 employees and 60% of the quota from 31 Dec 2025', () => {
    expect(agreementRefusal('art12-bis', 2, 2, q, '2026-01-10')).toBeNull();
    expect(agreementRefusal('art12-bis', 3, 3, q, '2026-01-10')).toMatch(/at most 60% .* 2/);
    expect(agreementRefusal('art12-bis', 1, 1, q, '2025-06-01')).toMatch(/at most 10% .* 0/);
    expect(agreementRefusal('art12-bis', 1, 1, quota(40, '2026-01-01'), '2026-01-10')).toMatch(/above 50/);
    expect(agreementRefusal('art11', 4, 3, q, '2026-01-10')).toMatch(/plans 3 hire\(s\) for 4/);
  });

  it('when a sanction runs over a suspension, then the suspended working days do not count', () => {
    const full = uncoveredQuotaSanction('2027-03-01', '2027-03-12', 2, lucca);
    expect(full).toMatchObject({ workingDays: 10, perDay: 196.05, amount: 3921 });
    const cut = uncoveredQuotaSanction('2027-03-01', '2027-03-12', 2, lucca, [
      { from: '2027-03-08', to: '2027-03-31' },
    ]);
    expect(cut).toMatchObject({ workingDays: 5, amount: 1960.5 });
    expect(
      suspensionsIn(2027, [
        { from: '2026-11-01', to: '2027-01-10' },
        { from: '2027-01-11', to: '2027-02-01' },
        { from: '2027-12-20', to: '2028-03-01' },
      ]),
    ).toEqual([
      { from: '2027-01-01', to: '2027-02-01' },
      { from: '2027-12-20', to: '2027-12-31' },
    ]);
  });

  it('when an exemption runs, then €39.21 per working day per exempted worker is due', () => {
    expect(
      exemptionContribution({ workers: 2, from: '2027-03-01', to: '2027-03-31' }, '2027-03-05', lucca),
    ).toEqual({
      amount: 392.1,
      workingDays: 5,
    });
  });

  it('when a hire is fixed-term under six months, then it does not count', () => {
    expect(hireCounts('fixed-term', 5, '2027-01-01')).toBe(false);
    expect(hireCounts('fixed-term', 6, '2027-01-01')).toBe(true);
    expect(hireCounts('permanent', undefined, '2027-01-01')).toBe(true);
  });

  it('when the certificate is asked, then it is issued if covered, suspended or within the term, refused after', () => {
    const p = position(q, 1, [], [], null, 0, '2027-05-01');
    expect(certificateVerdict(p, '2027-03-02', false, '2027-03-01').issued).toBe(true);
    expect(certificateVerdict(p, '2027-03-02', true, '2027-05-01').issued).toBe(true);
    expect(certificateVerdict(p, '2027-03-02', false, '2027-05-01')).toMatchObject({
      issued: false,
      reason: expect.stringMatching(/3 worker\(s\) missing/),
    });
    expect(certificateVerdict(null, null, false, '2027-05-01').issued).toBe(false);
  });
});
