import type { Application, PublishedScoringRule } from '../../domain/procedures/public-hiring';
import {
  DEFAULT_SCORING_RULE,
  ageOn,
  applicationWindowRule,
  art16StartInput,
  ineligibility,
  nextCandidates,
  publicRanking,
  rank,
  score,
} from '../../domain/procedures/public-hiring';
import { art16Input, candidate } from '../support/wage-inputs';

const ON = '2026-03-02';
const rule = DEFAULT_SCORING_RULE;
const app = (i: number, over = {}, no = i): Application => ({
  applicationNo: `A${String(no).padStart(4, '0')}`,
  candidate: candidate(i, over),
  submittedOn: ON,
  excluded: null,
});

describe('art. 16 score (versioned rule; default of the §4.3 shape)', () => {
  it('when an unemployed candidate of 52 with ISEE 12,600 and 2 dependants applies, then every component is shown', () => {
    const s = score(
      rule,
      candidate(1, {
        birthDate: '1973-05-10',
        isee: 12_600,
        dependants: 2,
        disabledDependants: 1,
        unemployedSince: '2024-09-01',
      }),
      ON,
    );
    expect(s.components.map((c) => [c.component, c.points])).toEqual([
      ['base', 100],
      ['isee', -13], // 12,600 rounds up at €500 to 13 thousands
      ['unemployment', 5],
      ['months-unemployed', 1.8], // 547 days = 18 months × 0.1
      ['dependants', 2.5], // 1 + 1.5 for the disabled one
      ['age', 6], // 52 on the publication day
    ]);
    expect(s.total).toBe(102.3);
  });

  it('when ISEE is missing or very high, then the ISEE points are the missing value or the cap', () => {
    expect(score(rule, candidate(1, { isee: undefined }), ON).components[1]).toMatchObject({
      points: -25,
      input: null,
    });
    expect(score(rule, candidate(1, { isee: 80_000 }), ON).components[1]?.points).toBe(-25);
    const floor: PublishedScoringRule = { ...rule, version: 2, isee: { ...rule.isee, rounding: 'floor' } };
    expect(score(floor, candidate(1, { isee: 12_600 }), ON).components[1]?.points).toBe(-12);
  });

  it('when the candidate is employed, then there are no unemployment or age points (age counts for the unemployed)', () => {
    const s = score(rule, candidate(1, { unemployedSince: undefined, birthDate: '1960-01-01' }), ON);
    expect(s.components.map((c) => c.component)).toEqual(['base', 'isee', 'dependants']);
  });

  it('when a DID comes after the publication day, then it does not count', () => {
    const s = score(rule, candidate(1, { unemployedSince: '2026-03-03' }), ON);
    expect(s.components.some((c) => c.component === 'unemployment')).toBe(false);
  });

  it('when the age is computed, then the birthday itself counts', () => {
    expect(ageOn('1976-03-02', ON)).toBe(50);
    expect(ageOn('1976-03-03', ON)).toBe(49);
  });
});

describe('art. 16 ranking: ties, exclusions, reproducibility', () => {
  const same = { isee: 10_000, dependants: 1, disabledDependants: 0, unemployedSince: '2025-03-02' };

  it('when two candidates tie, then the younger comes first; then more dependants; then the earlier application', () => {
    const older = app(1, { ...same, birthDate: '1990-01-01' }, 1);
    const younger = app(2, { ...same, birthDate: '1995-01-01' }, 2);
    expect(rank(rule, [older, younger], ON).rows.map((r) => r.applicationNo)).toEqual(['A0002', 'A0001']);
    const byDependants: PublishedScoringRule = {
      ...rule,
      version: 3,
      tieBreaks: ['more-dependants'],
      dependants: { perPerson: 0, perDisabledPerson: 0 },
    };
    const a = app(3, { ...same, birthDate: '1990-01-01', dependants: 0 }, 3);
    const b = app(4, { ...same, birthDate: '1990-01-01', dependants: 2 }, 4);
    expect(rank(byDependants, [a, b], ON).rows.map((r) => r.applicationNo)).toEqual(['A0004', 'A0003']);
    const c = app(5, { ...same, birthDate: '1990-01-01' }, 5);
    const d = app(6, { ...same, birthDate: '1990-01-01' }, 6);
    expect(rank(rule, [d, c], ON).rows.map((r) => r.applicationNo)).toEqual(['A0005', 'A0006']);
  });

  it('when the same applications are ranked twice with the same rule and day, then the ranking is the same', () => {
    const apps = Array.from({ length: 40 }, (_, i) => app(i + 1));
    const a = rank(rule, apps, ON);
    const b = rank(rule, [...apps].reverse(), ON);
    expect(b.rows.map((r) => [r.applicationNo, r.score])).toEqual(
      a.rows.map((r) => [r.applicationNo, r.score]),
    );
    expect(a.rows.map((r) => r.position)).toEqual(a.rows.map((_, i) => i + 1));
    for (let i = 1; i < a.rows.length; i += 1)
      expect(a.rows[i - 1]!.score).toBeGreaterThanOrEqual(a.rows[i]!.score);
  });

  it('when an application is excluded, then it is listed apart with its reasons, not ranked', () => {
    const r = rank(rule, [app(1), { ...app(2), excluded: ['compulsory schooling not declared'] }], ON);
    expect(r.rows.map((x) => x.applicationNo)).toEqual(['A0001']);
    expect(r.excluded).toEqual([{ applicationNo: 'A0002', reasons: ['compulsory schooling not declared'] }]);
  });

  it('when the ranking is published, then it shows positions, numbers and scores, and no ISEE or names', () => {
    const pub = publicRanking(rank(rule, [app(1), app(2)], ON));
    expect(Object.keys(pub[0]!)).toEqual(['position', 'applicationNo', 'score']);
    expect(JSON.stringify(pub)).not.toMatch(/Candidate|isee|CNDDTE/);
  });

  it('when referring, then candidates come in ranking order, skipping those referred, and reserved posts take L. 68 enrolled', () => {
    const r = rank(rule, [app(1), app(2), app(3, { l68Enrolled: true }), app(4)], ON);
    const order = r.rows.map((x) => x.applicationNo);
    expect(nextCandidates(r, new Set([order[0]!]), 2, false).map((x) => x.applicationNo)).toEqual(
      order.slice(1, 3),
    );
    expect(nextCandidates(r, new Set(), 5, true).map((x) => x.applicationNo)).toEqual(['A0003']);
  });
});

describe('art. 16 eligibility and notice', () => {
  it('when a candidate was not on the Tuscan rolls on the publication day, lacks schooling or citizenship, then each reason is named', () => {
    expect(ineligibility(candidate(1), ON, 'Toscana')).toEqual([]);
    expect(
      ineligibility(
        candidate(1, {
          registeredOn: '2026-03-03',
          compulsorySchooling: false,
          citizenship: 'other',
          birthDate: '2010-01-01',
        }),
        ON,
        'Toscana',
      ),
    ).toEqual([
      'not registered with a CPI of Toscana on 2026-03-02, the day the notice was published',
      'compulsory schooling not declared',
      'citizenship not admitted (art. 38 D.Lgs. 165/2001)',
      'under 18 on the publication day',
    ]);
    expect(ineligibility(candidate(1, { registeredRegion: 'Liguria' }), ON, 'Toscana')).toHaveLength(1);
  });

  it('when the posts are permanent, then the window is at least 15 days; fixed-term at least 8', () => {
    expect(applicationWindowRule('permanent', ON).offset).toBe(15);
    expect(applicationWindowRule('fixed-term', ON).offset).toBe(8);
  });

  it('when a fixed-term request has no duration or too many reserved posts, then the input names the fields', () => {
    const r = art16StartInput.safeParse({
      ...art16Input(),
      durationMonths: undefined,
      reservedPosts: { l68: 2, armedForces: 1 },
    });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['durationMonths', 'reservedPosts']);
  });
});
