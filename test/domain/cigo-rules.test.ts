import {
  cigoDurationCheck,
  cigoStartInput,
  consultationRule,
  coveredFromAfterLateFiling,
  unavoidableExamApplies,
  weeksOf,
} from '../../domain/procedures/cigo';
import { cigoInput } from '../support/cigo-input';

describe('CIGO duration limits (D.Lgs. 148/2015 art. 12)', () => {
  it('when a request covers 13 weeks, then it is accepted; 13 weeks and a day is refused', () => {
    expect(weeksOf({ from: '2026-03-02', to: '2026-05-31' })).toBe(13);
    expect(
      cigoStartInput.safeParse(
        cigoInput('2026-02-27', { suspension: { from: '2026-03-02', to: '2026-05-31' } }),
      ).success,
    ).toBe(true);
    const r = cigoStartInput.safeParse(
      cigoInput('2026-02-27', { suspension: { from: '2026-03-02', to: '2026-06-01' } }),
    );
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['suspension']);
    expect(r.error?.issues[0]?.message).toMatch(/at most 13.*art. 12 c.1/);
  });

  it('when earlier periods of the unit fall in the two-year window, then they count once each, overlaps merged', () => {
    const check = cigoDurationCheck({ from: '2026-09-07', to: '2026-10-04' }, [
      { caseId: 'a', from: '2024-09-01', to: '2024-11-30' }, // partly before the window (2024-10-05 …)
      { caseId: 'b', from: '2025-03-03', to: '2025-05-31' },
      { caseId: 'c', from: '2025-05-01', to: '2025-06-30' }, // overlaps b
      { caseId: 'd', from: '2023-01-01', to: '2023-03-31' }, // outside
    ]);
    expect(check.windowFrom).toBe('2024-10-05');
    expect(check.windowTo).toBe('2026-10-04');
    expect(check.counted.map((c) => c.caseId)).toEqual(['a', 'b', 'c']);
    // a: 2024-10-05..2024-11-30 = 57 days; b∪c: 2025-03-03..2025-06-30 = 120 days; 177 days = 26 weeks (rounded up)
    expect(check.usedDays).toBe(177);
    expect(check.usedWeeks).toBe(26);
    expect(check.requestedWeeks).toBe(4);
    expect(check.ok).toBe(true);
  });

  it('when the request would pass 52 weeks in the window, then it is refused with the arithmetic', () => {
    const check = cigoDurationCheck({ from: '2026-09-07', to: '2026-10-04' }, [
      { caseId: 'a', from: '2025-01-06', to: '2025-04-06' },
      { caseId: 'b', from: '2025-05-05', to: '2025-08-03' },
      { caseId: 'c', from: '2025-10-06', to: '2026-01-04' },
      { caseId: 'd', from: '2026-02-02', to: '2026-05-03' },
    ]);
    expect(check.usedWeeks).toBe(52);
    expect(check.totalWeeks).toBe(56);
    expect(check.ok).toBe(false);
    expect(check.explanation).toContain('exceeds');
  });
});

describe('CIGO consultation and application rules', () => {
  it('when the employer has up to 50 employees, then the consultation lasts 10 days, else 25 (art. 14 c.3)', () => {
    expect(
      consultationRule(
        cigoInput('2026-03-02', {
          employer: {
            taxCode: '01234567890',
            name: 'x',
            sector: 'industry',
            averageEmployees: 50,
            solidarityFund: 'none',
          },
        }),
      ).offset,
    ).toBe(10);
    expect(
      consultationRule(
        cigoInput('2026-03-02', {
          employer: {
            taxCode: '01234567890',
            name: 'x',
            sector: 'industry',
            averageEmployees: 51,
            solidarityFund: 'none',
          },
        }),
      ).offset,
    ).toBe(25);
  });

  it('when an unavoidable event cuts more than 16 hours a week, then a joint examination may be asked (art. 14 c.4)', () => {
    expect(
      unavoidableExamApplies(cigoInput('2026-03-02', { cause: 'weather', reductionHoursPerWeek: 16 })),
    ).toBe(false);
    expect(
      unavoidableExamApplies(cigoInput('2026-03-02', { cause: 'weather', reductionHoursPerWeek: 16.5 })),
    ).toBe(true);
  });

  it('when the application is late, then only a week before filing is covered', () => {
    expect(coveredFromAfterLateFiling('2026-03-02', '2026-03-30')).toBe('2026-03-23');
    expect(coveredFromAfterLateFiling('2026-03-02', '2026-03-05')).toBe('2026-03-02');
  });

  it('when the union notice follows the start of an ordinary suspension, then the input is refused', () => {
    const r = cigoStartInput.safeParse(
      cigoInput('2026-03-10', { suspension: { from: '2026-03-02', to: '2026-03-20' } }),
    );
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('unionNoticeDate');
  });
});
