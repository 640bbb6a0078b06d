import type { CigsStartInput } from '../../domain/procedures/cigs';
import {
  cigsCapChecks,
  cigsFitsUntil,
  cigsRefusal,
  cigsStartInput,
  coveredAfterFiling,
  examinationBody,
  sanctionFor,
  transitionRefusal,
} from '../../domain/procedures/cigs';
import { cigoRefusal } from '../../domain/procedures/cigo';
import type { FisStartInput } from '../../domain/procedures/fis';
import { fisApplicationOpens, fisCapCheck, fisRefusal } from '../../domain/procedures/fis';
import type { Employer, UsedPeriod } from '../../domain/procedures/wage-guarantee';
import { causeCapCheck, overallCapCheck, schemesFor } from '../../domain/procedures/wage-guarantee';
import { cigoInput } from '../support/cigo-input';
import { cigsInput, fisInput } from '../support/wage-inputs';

const employer = (over: Partial<Employer>): Employer => ({
  taxCode: '01234567890',
  name: 'x',
  sector: 'industry',
  averageEmployees: 120,
  solidarityFund: 'none',
  ...over,
});
const applying = (e: Employer) =>
  schemesFor(e, '2026-11-27')
    .filter((s) => s.applies)
    .map((s) => s.scheme);

describe('scheme choice (D.Lgs. 148/2015 arts. 10, 20, 29 as amended by L. 234/2021)', () => {
  it('when an industrial employer has more than 15 employees, then CIGO and CIGS apply; with 15, CIGO only', () => {
    expect(applying(employer({ averageEmployees: 16 }))).toEqual(['CIGO', 'CIGS']);
    expect(applying(employer({ averageEmployees: 15 }))).toEqual(['CIGO']);
  });

  it('when a commerce employer has no fund, then FIS applies, and CIGS too above 15 employees', () => {
    expect(applying(employer({ sector: 'commerce', averageEmployees: 12 }))).toEqual(['FIS']);
    expect(applying(employer({ sector: 'commerce', averageEmployees: 40 }))).toEqual(['CIGS', 'FIS']);
  });

  it('when the employer belongs to a solidarity fund, then only the fund applies, with its rule', () => {
    const verdicts = schemesFor(
      employer({ sector: 'crafts', averageEmployees: 40, solidarityFund: 'alternative' }),
      '2026-11-27',
    );
    expect(verdicts.filter((v) => v.applies).map((v) => v.scheme)).toEqual(['FUND']);
    expect(verdicts.find((v) => v.scheme === 'FIS')?.reason).toMatch(/solidarity fund/);
    expect(verdicts.find((v) => v.scheme === 'FUND')?.handledHere).toBe(false);
  });

  it('when the sector is air transport, then CIGS applies whatever the size', () => {
    expect(applying(employer({ sector: 'air_transport', averageEmployees: 3 }))).toContain('CIGS');
  });

  it('when a CIGO start comes from a commerce employer, then it is refused naming art. 10 and the schemes that apply', () => {
    const r = cigoRefusal(
      cigoInput('2026-11-27', { employer: employer({ sector: 'commerce', averageEmployees: 30 }) }),
      [],
      '2026-11-27',
    );
    expect(r?.slug).toBe('scheme-not-applicable');
    expect(r?.rule).toBe('D.Lgs. 148/2015 art. 10');
    expect(r?.detail).toMatch(/Applicable: CIGS, FIS/);
  });
});

describe('overall cap: CIGO + CIGS 24 months in a rolling five years (art. 4, circ. 17/2017)', () => {
  const earlier: UsedPeriod[] = [
    { caseId: 'crisis', from: '2025-01-01', to: '2025-12-31', scheme: 'CIGS', cause: 'crisis' }, // 365 days
    { caseId: 'cigo', from: '2026-03-02', to: '2026-05-31', scheme: 'CIGO' }, // 91 days
    { caseId: 'fis', from: '2026-06-01', to: '2026-08-31', scheme: 'FIS' }, // FIS does not count
    { caseId: 'old', from: '2020-01-01', to: '2021-12-31', scheme: 'CIGS', cause: 'crisis' }, // before the window
  ];

  it('when the request would pass 24 months, then the check shows the arithmetic and the last day that fits', () => {
    const c = overallCapCheck(
      'industry',
      { from: '2027-01-01', to: '2027-12-31' },
      'reorganisation',
      earlier,
    );
    expect(c.windowFrom).toBe('2023-01-01');
    expect(c.windowTo).toBe('2027-12-31');
    expect(c.counted.map((p) => p.caseId)).toEqual(['crisis', 'cigo']);
    expect(c.cap).toBe(730);
    expect(c.used).toBe(456);
    expect(c.total).toBe(821);
    expect(c.ok).toBe(false);
    // 730 − 456 = 274 days from 2027-01-01
    expect(c.fitsUntil).toBe('2027-10-01');
    expect(c.explanation).toMatch(/cut to end on 2027-10-01/);
  });

  it('when the sector is construction, then the cap is 30 months and the same request fits', () => {
    const c = overallCapCheck(
      'construction',
      { from: '2027-01-01', to: '2027-12-31' },
      'reorganisation',
      earlier,
    );
    expect(c.cap).toBe(914); // 2025-06-30 → 2027-12-31
    expect(c.ok).toBe(true);
  });

  it('when an earlier period was a solidarity contract, then it counts at half (art. 22 c.5)', () => {
    const c = overallCapCheck('industry', { from: '2027-01-01', to: '2027-12-31' }, 'reorganisation', [
      { caseId: 'sol', from: '2025-01-01', to: '2025-12-31', scheme: 'CIGS', cause: 'solidarity' },
    ]);
    expect(c.used).toBe(183); // ceil(365 / 2)
    expect(c.counted[0]?.half).toBe(true);
    expect(c.explanation).toMatch(/counted at half/);
  });

  it('when cutting the request moves the window back onto an older period, then that period counts again', () => {
    // Anchored on 2027-12-31 the 2022 period is outside; anchored earlier it comes back in, day for day.
    const c = overallCapCheck('industry', { from: '2027-01-01', to: '2027-12-31' }, 'crisis', [
      ...earlier,
      { caseId: 'y2022', from: '2022-01-01', to: '2022-12-31', scheme: 'CIGS', cause: 'crisis' },
    ]);
    expect(c.counted.map((p) => p.caseId)).toEqual(['crisis', 'cigo']);
    expect(c.fitsUntil).toBeNull();
  });

  it('when the cap is already used up, then nothing fits and the request is refused', () => {
    const full: UsedPeriod[] = [
      { caseId: 'a', from: '2025-01-01', to: '2026-12-31', scheme: 'CIGS', cause: 'reorganisation' },
    ];
    const c = overallCapCheck('industry', { from: '2027-01-01', to: '2027-03-31' }, 'crisis', full);
    expect(c.ok).toBe(false);
    expect(c.fitsUntil).toBeNull();
  });
});

describe('CIGS per-cause caps and admission (arts. 22, 22-ter)', () => {
  it('when an earlier crisis CIGS used 181 days, then a new 12-month crisis request is cut to 184 days', () => {
    const c = causeCapCheck(
      { code: 'crisis', title: 'Company crisis', months: 12, legalBasis: 'art. 22 c.2' },
      { from: '2026-01-01', to: '2026-12-31' },
      [{ caseId: 'c1', from: '2025-01-01', to: '2025-06-30', scheme: 'CIGS', cause: 'crisis' }],
    );
    expect(c.used).toBe(181);
    expect(c.fitsUntil).toBe('2026-07-03');
  });

  it('when a unit of a multi-unit request has less room, then the whole request is cut to its last day', () => {
    const input = cigsInput({
      cause: 'crisis',
      period: { from: '2026-01-01', to: '2026-12-31' },
      productionUnits: [unit('u1', 'Toscana'), unit('u2', 'Toscana')],
    });
    const perUnit = cigsCapChecks(input, {
      '01234567890/u2': [
        { caseId: 'c1', from: '2025-01-01', to: '2025-06-30', scheme: 'CIGS', cause: 'crisis' },
      ],
    });
    expect(cigsFitsUntil(perUnit, input.period)).toBe('2026-07-03');
    expect(cigsRefusal(input, cigsCapChecks(input, {}), {}, '2025-12-01')).toBeNull();
  });

  it('when a request asks for more than the cause allows, then the input is refused on the period', () => {
    const r = cigsStartInput.safeParse({
      ...cigsInput({ cause: 'crisis' }),
      period: { from: '2026-01-01', to: '2027-01-01' },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['period']);
    expect(r.error?.issues[0]?.message).toMatch(/at most 12 months.*art. 22 c.2/);
  });

  it('when the employer has 15 employees and no special sector, then CIGS is refused naming art. 20', () => {
    const small = cigsInput({ employer: employer({ averageEmployees: 15 }) });
    const r = cigsRefusal(small, cigsCapChecks(small, {}), {}, '2026-11-27');
    expect(r?.slug).toBe('scheme-not-applicable');
    expect(r?.rule).toMatch(/art. 20/);
  });

  it('when a transition agreement follows no authorised reorganisation or crisis CIGS, then it is refused', () => {
    const input = cigsInput({ cause: 'transition', previousCaseId: 'CIGS-2026-A' });
    const prev = {
      caseId: 'CIGS-2026-A',
      procedure: 'CIGS',
      status: 'closed',
      outcome: 'authorised',
      keys: { employer: '01234567890' },
      facts: { cigsCause: 'reorganisation' },
    };
    expect(transitionRefusal(input, prev)).toBeNull();
    expect(transitionRefusal(input, null)?.detail).toMatch(/not found/);
    expect(transitionRefusal(input, { ...prev, outcome: 'rejected' })?.detail).toMatch(/is rejected/);
    expect(transitionRefusal(input, { ...prev, facts: { cigsCause: 'solidarity' } })?.detail).toMatch(
      /solidarity/,
    );
    expect(transitionRefusal(input, { ...prev, keys: { employer: '99999999999' } })?.slug).toBe(
      'transition-not-allowed',
    );
  });

  it('when a transition agreement is checked, then only its own 12 months count, not the art. 4 cap', () => {
    const input = cigsInput({ cause: 'transition', previousCaseId: 'x' });
    const perUnit = cigsCapChecks(input, {});
    expect(perUnit[0]?.checks.map((c) => c.id)).toEqual(['cause-cap']);
  });

  it('when the units are in one region, then the Region hosts the examination; in several, the Ministry', () => {
    expect(examinationBody([unit('a', 'Toscana')]).body).toBe('Regione Toscana');
    expect(examinationBody([unit('a', 'Toscana'), unit('b', 'Liguria')])).toEqual({
      body: 'Ministry of Labour',
      regions: ['Liguria', 'Toscana'],
    });
  });

  it('when the application is filed, then the suspension runs from the 30th day after filing (art. 25)', () => {
    expect(coveredAfterFiling({ from: '2026-03-01', to: '2026-12-31' }, '2026-02-10')).toEqual({
      from: '2026-03-12',
      to: '2026-12-31',
    });
    expect(coveredAfterFiling({ from: '2026-04-01', to: '2026-12-31' }, '2026-02-10')?.from).toBe(
      '2026-04-01',
    );
    expect(coveredAfterFiling({ from: '2026-03-01', to: '2026-03-05' }, '2026-02-10')).toBeNull();
  });

  it('when a worker misses training without reason, then the first absence costs one month, the second the benefit', () => {
    expect(sanctionFor(1, '2026-06-01').sanction).toBe('loss-of-one-month');
    expect(sanctionFor(2, '2026-06-01').sanction).toBe('loss-of-benefit');
    expect(sanctionFor(3, '2026-06-01').sanction).toBe('loss-of-benefit');
    expect(sanctionFor(1, '2026-06-01').legalBasis).toMatch(/art. 25-ter/);
  });
});

describe('FIS (art. 30 cc.1–2)', () => {
  const fisRefusalOf = (i: FisStartInput) => fisRefusal(i, fisCapCheck(i, []), '2026-11-27');

  it('when the employer has up to 5 employees, then the cap is 13 weeks in two years; above, 26', () => {
    const suspension = { from: '2026-03-04', to: '2026-04-14' }; // 6 weeks
    const small = fisInput({ suspension, employer: employer({ sector: 'commerce', averageEmployees: 5 }) });
    const big = fisInput({ suspension, employer: employer({ sector: 'commerce', averageEmployees: 6 }) });
    const earlier: UsedPeriod[] = [{ caseId: 'f', from: '2026-01-05', to: '2026-03-01', scheme: 'FIS' }]; // 8 weeks
    expect(fisCapCheck(small, earlier)).toMatchObject({ cap: 13, used: 8, ok: false });
    expect(fisCapCheck(big, earlier)).toMatchObject({ cap: 26, used: 8, ok: true });
  });

  it('when a CIGO period of the unit exists, then it does not count against FIS', () => {
    const input = fisInput({ employer: employer({ sector: 'commerce', averageEmployees: 5 }) });
    expect(
      fisCapCheck(input, [{ caseId: 'c', from: '2026-01-05', to: '2026-03-01', scheme: 'CIGO' }]).used,
    ).toBe(0);
  });

  it('when an employer of 20 asks FIS for a crisis, then it is refused: the cause belongs to CIGS', () => {
    const r = fisRefusalOf(
      fisInput({ cause: 'crisis', employer: employer({ sector: 'commerce', averageEmployees: 20 }) }),
    );
    expect(r?.slug).toBe('cause-not-covered');
    expect(r?.rule).toMatch(/art. 29/);
  });

  it('when an industrial employer asks for FIS, then it is refused naming art. 29', () => {
    expect(fisRefusalOf(fisInput({ employer: employer({}) }))?.slug).toBe('scheme-not-applicable');
  });

  it('when the suspension starts on 1 April, then the application window opens on 2 March', () => {
    expect(fisApplicationOpens(fisInput({ suspension: { from: '2026-04-01', to: '2026-05-31' } }))).toBe(
      '2026-03-02',
    );
  });
});

function unit(id: string, region: string): CigsStartInput['productionUnits'][number] {
  return { id, address: 'Via Roma 1', municipality: 'Lucca', province: 'LU', region };
}
