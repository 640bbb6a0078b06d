import type { DeadlineRule } from '../../domain/deadlines';
import { RuleNotInForceError, computeDeadline, ruleInForce } from '../../domain/deadlines';
import { findOffice, officeCalendar } from '../../domain/offices';
import { PROCEDURES } from '../../domain/catalogue';
import { CIGO_RULES } from '../../domain/procedures/cigo';
import { MOB_RULES } from '../../domain/procedures/collective-dismissal';

const lucca = officeCalendar(findOffice('lucca')!);
const viareggio = officeCalendar(findOffice('viareggio')!);

const base: DeadlineRule = {
  id: 'test',
  title: 'test term',
  legalBasis: 'test',
  trigger: 'test',
  offset: 10,
  unit: 'DAY',
  dayType: 'CALENDAR',
  excludeStartDay: true,
  rollForwardIfHoliday: true,
  saturdayRollsForward: false,
  backward: false,
  calendarScope: 'OFFICE',
  pausedBySuspension: true,
  countingWhy: 'test',
  validFrom: '2000-01-01',
  confidence: 'VERIFIED',
};

describe('computeDeadline', () => {
  it('when a national term (the list of the dismissed, art. 4 c.9) ends on Lucca’s patron day, then it does not move', () => {
    // Notice of the dismissals on Monday 5 July 2027: 7 days end on Monday 12 July, San Paolino in Lucca only.
    const list = computeDeadline(MOB_RULES.list, '2027-07-05', { calendar: lucca });
    expect(list).toMatchObject({ theoretical: '2027-07-12', due: '2027-07-12' });
    expect(list.shiftedBecause).toBeUndefined();
    // The same count on the office's calendar would have moved it to the 13th.
    expect(
      computeDeadline({ ...MOB_RULES.list, calendarScope: 'OFFICE' }, '2027-07-05', { calendar: lucca }).due,
    ).toBe('2027-07-13');
    // An office's own closing day does not move it either.
    const closed = { ...viareggio, closingDays: ['2027-03-26'] };
    expect(computeDeadline(MOB_RULES.list, '2027-03-19', { calendar: closed }).due).toBe('2027-03-26');
  });

  it('when the start day is excluded, then 15 days from 25 March end on 9 April', () => {
    expect(computeDeadline(CIGO_RULES.application, '2026-03-25', { calendar: lucca }).due).toBe('2026-04-09');
  });

  it('when the last day is Easter Monday, then the term moves to Tuesday and says why', () => {
    const d = computeDeadline(CIGO_RULES.application, '2026-03-22', { calendar: lucca });
    expect(d.theoretical).toBe('2026-04-06');
    expect(d.due).toBe('2026-04-07');
    expect(d.shiftedBecause).toBe("Lunedì dell'Angelo");
  });

  it('when the last day is 8 December, then the 25-day consultation ends on the 9th', () => {
    expect(computeDeadline(CIGO_RULES.consultation, '2026-11-13', { calendar: lucca }).due).toBe(
      '2026-12-09',
    );
  });

  it("when the last day is the office's patron day, then only that office's term moves", () => {
    const rule = { ...base, offset: 10 };
    expect(computeDeadline(rule, '2027-07-02', { calendar: lucca }).due).toBe('2027-07-13');
    expect(computeDeadline(rule, '2027-07-02', { calendar: viareggio }).due).toBe('2027-07-12');
  });

  it('when the last day is a Saturday, then it moves only if the rule says so', () => {
    expect(computeDeadline({ ...base, offset: 30 }, '2026-01-01', { calendar: lucca }).due).toBe(
      '2026-01-31',
    );
    expect(
      computeDeadline({ ...base, offset: 30, saturdayRollsForward: true }, '2026-01-01', { calendar: lucca })
        .due,
    ).toBe('2026-02-02');
  });

  it('when the term is the end of the following month, then a Saturday or Sunday end moves to Monday', () => {
    // Filed with INPS, closed on Saturday (procedures.md §7.3.4): Saturday 28 February moves to Monday 2 March.
    expect(computeDeadline(CIGO_RULES.applicationUnavoidable, '2026-01-15', { calendar: lucca }).due).toBe(
      '2026-03-02',
    );
    expect(computeDeadline(CIGO_RULES.applicationUnavoidable, '2026-04-10', { calendar: lucca }).due).toBe(
      '2026-06-01',
    );
  });

  it('when the CIGO application to INPS ends on a Saturday, then it moves to Monday and says why (art. 15 c.2)', () => {
    const d = computeDeadline(CIGO_RULES.application, '2026-03-13', { calendar: lucca });
    expect(d).toMatchObject({ theoretical: '2026-03-28', due: '2026-03-30', shiftedBecause: 'sabato' });
  });

  it('when a term is reviewed, then it says why Saturday does or does not move it and whether a suspension stops it', () => {
    for (const p of PROCEDURES) {
      for (const r of p.deadlineRules) {
        expect(r.countingWhy.length).toBeGreaterThan(20);
        // A term filed with INPS or the Ministry, closed on Saturday, moves past it.
        if (/INPS|Ministry/.test(r.title) && /Application|Appeal/.test(r.title))
          expect(r.saturdayRollsForward).toBe(true);
      }
    }
  });

  it('when the term is counted backwards, then a holiday moves it earlier', () => {
    const d = computeDeadline({ ...base, backward: true }, '2026-06-12', { calendar: lucca });
    expect(d.theoretical).toBe('2026-06-02');
    expect(d.due).toBe('2026-06-01');
  });

  it('when the start day counts, then the term ends a day sooner', () => {
    expect(computeDeadline({ ...base, excludeStartDay: false }, '2026-03-02', { calendar: lucca }).due).toBe(
      '2026-03-11',
    );
  });

  it('when a halving condition holds, then the term is halved with the stated rounding', () => {
    const rule: DeadlineRule = { ...base, offset: 45, halving: { condition: 'under-10', rounding: 'down' } };
    expect(computeDeadline(rule, '2026-03-02', { calendar: lucca, conditions: ['under-10'] }).due).toBe(
      '2026-03-24',
    );
    expect(
      computeDeadline({ ...rule, halving: { condition: 'under-10', rounding: 'up' } }, '2026-03-02', {
        calendar: lucca,
        conditions: ['under-10'],
      }).due,
    ).toBe('2026-03-25');
    expect(computeDeadline(rule, '2026-03-02', { calendar: lucca }).halved).toBe(false);
  });

  it('when working days are counted, then holidays and Saturdays are skipped', () => {
    expect(
      computeDeadline({ ...base, offset: 3, dayType: 'WORKING' }, '2026-04-02', { calendar: lucca }).due,
    ).toBe('2026-04-08');
  });

  it('when a rule is not yet in force, then it cannot be applied, and the version in force is picked by date', () => {
    expect(() => computeDeadline(CIGO_RULES.appeal, '2023-05-01', { calendar: lucca })).toThrow(
      RuleNotInForceError,
    );
    const v1 = { ...base, id: 'x', offset: 60, validTo: '2023-05-16' };
    const v2 = { ...base, id: 'x', offset: 30, validFrom: '2023-05-17' };
    expect(ruleInForce([v1, v2], '2023-01-10').offset).toBe(60);
    expect(ruleInForce([v1, v2], '2024-01-10').offset).toBe(30);
  });
});
