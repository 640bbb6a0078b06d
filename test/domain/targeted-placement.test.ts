import { findOffice, officeCalendar } from '../../domain/offices';
import {
  computationBase,
  disabilityEligibility,
  exemption,
  lateReturnSanction,
  quota,
  uncoveredQuotaSanction,
} from '../../domain/procedures/targeted-placement';

const ON = '2026-03-02';

describe('L. 68/1999 quota (art. 3, art. 18 c.2)', () => {
  it.each([
    [14, 0, 0],
    [15, 1, 0],
    [35, 1, 0],
    [36, 2, 0],
    [50, 2, 0],
    [51, 4, 1], // 7% of 51 = 3.57: a fraction above one half counts
    [100, 7, 1],
    [150, 10, 1], // 10.50 is not above one half
    [151, 11, 2], // 10.57 → 11; 1% of 151 = 1.51 → 2
  ])(
    'when the computation base is %i, then the quota is %i disabled and %i art. 18',
    (base, disabled, art18) => {
      const q = quota(base, ON);
      expect([q.disabled, q.art18]).toEqual([disabled, art18]);
      expect(q.legalBasis).toMatch(/L. 68\/1999 arts. 3, 18/);
    },
  );

  it('when fixed-term staff up to 6 months, apprentices, managers and L. 68 hires are excluded, then they leave the base', () => {
    const { base, excluded } = computationBase({
      employees: 60,
      fixedTermUpTo6Months: 4,
      apprentices: 3,
      managers: 2,
      alreadyCounted: 3,
      other: 0,
    });
    expect(base).toBe(48);
    expect(quota(base, ON).disabled).toBe(2);
    expect(excluded.apprentices).toBe(3);
    expect(() =>
      computationBase({
        employees: 2,
        fixedTermUpTo6Months: 3,
        apprentices: 0,
        managers: 0,
        alreadyCounted: 0,
        other: 0,
      }),
    ).toThrow();
  });
});

describe('L. 68/1999 eligibility (art. 1)', () => {
  it('when civil invalidity is 45% it is not enough, 46% is; work invalidity needs more than 33%', () => {
    expect(disabilityEligibility({ category: 'civil-invalid', percentage: 45 }).eligible).toBe(false);
    expect(disabilityEligibility({ category: 'civil-invalid', percentage: 46 }).eligible).toBe(true);
    expect(disabilityEligibility({ category: 'work-invalid', percentage: 33 }).eligible).toBe(false);
    expect(disabilityEligibility({ category: 'work-invalid', percentage: 34 }).eligible).toBe(true);
    expect(disabilityEligibility({ category: 'war-or-service-invalid', warCategory: 9 }).eligible).toBe(
      false,
    );
    expect(disabilityEligibility({ category: 'blind' })).toMatchObject({ eligible: true, list: 'art. 1' });
  });
});

describe('L. 68/1999 amounts (arts. 5, 15)', () => {
  it('when the return is filed 10 days after 31 January, then the sanction is 702.43 + 10 × 34.02', () => {
    expect(lateReturnSanction('2027-01-31', '2027-02-10')).toMatchObject({ amount: 1042.63, daysLate: 10 });
    expect(lateReturnSanction('2027-01-31', '2027-01-31').amount).toBe(0);
  });

  it('when two workers are missing for a week, then five times €39.21 per working day per worker, on the office calendar', () => {
    const calendar = officeCalendar(findOffice('lucca')!);
    const week = uncoveredQuotaSanction('2026-03-02', '2026-03-08', 2, calendar);
    expect(week.amount).toBe(week.workingDays * 196.05 * 2);
    expect(week.workingDays).toBeGreaterThanOrEqual(5);
    // Across 1 January 2022 the contribution changes: 30.64 × 5 before, 39.21 × 5 after.
    const across = uncoveredQuotaSanction('2021-12-30', '2022-01-04', 1, calendar);
    // 30 and 31 December at 5 × 30.64; 1 January is a holiday, the 2nd a Sunday; 3 and 4 January at 5 × 39.21.
    expect(across).toMatchObject({ amount: 698.5, workingDays: 4 });
  });

  it('when an exemption is asked for the whole quota of 7, then at most 60% (4 workers) at €39.21 a day each', () => {
    expect(exemption(7, 7, ON)).toEqual({ allowed: 4, dailyCost: 156.84 });
  });
});
