import { computeDeadline } from '../../domain/deadlines';
import { findOffice, officeCalendar } from '../../domain/offices';
import {
  MOB_RULES,
  halvingConditions,
  levyMultiplier,
  listChecks,
  mobRefusal,
  mobStartInput,
  unionsReceipt,
} from '../../domain/procedures/collective-dismissal';
import { appointmentSanction } from '../../domain/procedures/take-in-charge';
import { dismissed, mobInput } from '../support/wage-inputs';

const calendar = officeCalendar(findOffice('lucca')!);
const due = (rule: Parameters<typeof computeDeadline>[0], from: string, conditions: string[] = []) =>
  computeDeadline(rule, from, { calendar, conditions }).due;

describe('collective dismissal: applicability (L. 223/1991 arts. 4 c.1, 24 c.1)', () => {
  it('when the employer has 15 workers, then the procedure does not apply; with 16 it does', () => {
    const small = mobInput({ employer: { ...mobInput().employer, averageEmployees: 15 } });
    expect(mobRefusal(small, null)).toMatchObject({
      slug: 'not-applicable',
      rule: 'L. 223/1991 art. 24 c.1',
    });
    expect(
      mobRefusal(mobInput({ employer: { ...mobInput().employer, averageEmployees: 16 } }), null),
    ).toBeNull();
  });

  it('when 6 dismissals are split 3 and 3 over two provinces, then it does not apply; 5 in one province do', () => {
    const units = [
      { id: 'lu', address: 'Via A', municipality: 'Lucca', province: 'LU', region: 'Toscana' },
      { id: 'pi', address: 'Via B', municipality: 'Pisa', province: 'PI', region: 'Toscana' },
    ];
    const notice = (a: number, b: number) => ({
      ...mobInput().openingNotice,
      redundant: [
        { unitId: 'lu', profile: 'Operator', count: a },
        { unitId: 'pi', profile: 'Operator', count: b },
      ],
    });
    const split = mobRefusal(mobInput({ productionUnits: units, openingNotice: notice(3, 3) }), null);
    expect(split?.detail).toMatch(/at most 3 are planned in one \(LU: 3, PI: 3\)/);
    expect(mobRefusal(mobInput({ productionUnits: units, openingNotice: notice(5, 1) }), null)).toBeNull();
  });

  it('when the company is on CIGS, then even one dismissal opens the procedure, linked to that CIGS', () => {
    const input = mobInput(
      { cigsCaseId: 'CIGS-2026-X', employer: { ...mobInput().employer, averageEmployees: 12 } },
      '2026-03-02',
      1,
    );
    const cigs = {
      caseId: 'CIGS-2026-X',
      procedure: 'CIGS',
      status: 'open',
      outcome: null,
      keys: { employer: '01234567890' },
      facts: {},
    };
    expect(mobRefusal(input, cigs)).toBeNull();
    expect(mobRefusal(input, { ...cigs, keys: { employer: '99999999999' } })?.slug).toBe('cigs-link');
    expect(mobRefusal(input, { ...cigs, status: 'closed', outcome: 'rejected' })?.slug).toBe('cigs-link');
    expect(mobRefusal(input, null)?.rule).toBe('L. 223/1991 art. 4 c.1');
  });

  it('when a site closes, then the procedure waits 180 days from the notice (90 before L. 175/2022) or a signed plan', () => {
    const big = { ...mobInput().employer, averageEmployees: 300 };
    const at = (sentOn: string, noticeSentOn: string, planSignedOn?: string) =>
      mobRefusal(
        mobInput(
          {
            employer: big,
            siteClosure: { noticeSentOn, ...(planSignedOn ? { planSignedOn } : {}) },
            workforce: { total: 300, women: 80, disabledEmployed: 20, disabledQuota: 18 },
          },
          sentOn,
          60,
        ),
        null,
      );
    expect(at('2026-06-01', '2026-01-01')?.slug).toBe('site-closure-notice');
    expect(at('2026-06-01', '2026-01-01')?.detail).toMatch(/180 days.*not before 2026-06-30/);
    expect(at('2026-06-30', '2026-01-01')).toBeNull();
    expect(at('2026-06-01', '2026-01-01', '2026-05-15')).toBeNull();
    // Under the original text (before 18 November 2022): 90 days.
    expect(at('2022-06-01', '2022-03-01')).toBeNull();
    expect(at('2022-05-01', '2022-03-01')?.detail).toMatch(/90 days/);
  });

  it('when the notice misses the unions or the Region, then the input is refused naming the recipients', () => {
    const r = mobStartInput.safeParse(
      mobInput({
        openingNotice: {
          ...mobInput().openingNotice,
          recipients: [
            { kind: 'employers-association', name: 'Confindustria', receivedOn: '2026-03-02' },
            { kind: 'ministry', name: 'Ministry', receivedOn: '2026-03-01' },
          ],
        },
      }),
    );
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        'cannot precede the day the notice was sent',
        'must include the RSA/RSU or the category unions (L. 223/1991 art. 4 c.2)',
        expect.stringMatching(/copy to the Region/),
      ]),
    );
  });
});

describe('collective dismissal: terms (art. 4 cc.5–9; D.L. 148/1993 art. 8 c.4)', () => {
  it('when fewer than 10 redundancies are planned, then 45 days become 22 and 30 become 15; from 10, full terms', () => {
    const eight = mobInput({}, '2026-03-02', 8);
    expect(halvingConditions(eight)).toEqual(['fewer-than-10-redundancies']);
    expect(halvingConditions(mobInput({}, '2026-03-02', 10))).toEqual([]);
    // 2026-03-02 + 22 = 2026-03-24 (Tuesday); + 45 = 2026-04-16 (Thursday).
    expect(due(MOB_RULES.unionPhase, '2026-03-02', halvingConditions(eight))).toBe('2026-03-24');
    expect(due(MOB_RULES.unionPhase, '2026-03-02')).toBe('2026-04-16');
    // 2026-04-01 + 15 = 2026-04-16; + 30 = 2026-05-01, a holiday, moved to Saturday 2 May.
    expect(due(MOB_RULES.adminPhase, '2026-04-01', halvingConditions(eight))).toBe('2026-04-16');
    expect(due(MOB_RULES.adminPhase, '2026-04-01')).toBe('2026-05-02');
  });

  it('when the unions received the notice on different days, then their terms run from the last receipt', () => {
    const input = mobInput();
    input.openingNotice.recipients[1]!.receivedOn = '2026-03-04';
    expect(unionsReceipt(input)).toBe('2026-03-04');
    expect(due(MOB_RULES.examRequest, unionsReceipt(input))).toBe('2026-03-11');
  });

  it('when the procedure ends on 30 April 2026, then dismissals are due by 28 August and a list by 7 days after them', () => {
    expect(due(MOB_RULES.dismissals, '2026-04-30')).toBe('2026-08-28');
    expect(due(MOB_RULES.list, '2026-08-28')).toBe('2026-09-04');
  });

  it('when there is no union agreement, then the NASpI levy is tripled (L. 92/2012 art. 2 c.35)', () => {
    expect(levyMultiplier(false, '2026-04-30')).toBe(3);
    expect(levyMultiplier(true, '2026-04-30')).toBe(1);
  });
});

describe('collective dismissal: checks on the dismissals and their list', () => {
  const base = {
    input: mobInput(),
    dismissalsNotifiedOn: '2026-06-01',
    listSentOn: '2026-06-05',
    listDue: '2026-06-08',
    dismissalsDue: '2026-08-28',
    agreement: true,
    criteriaApplied: [] as string[],
  };
  const byId = (checks: ReturnType<typeof listChecks>) =>
    Object.fromEntries(checks.map((c) => [c.id, c.result]));

  it('when everything is in order, then every check is ok', () => {
    const workers = [1, 2, 3, 5, 6, 7, 9, 10].map((i) => dismissed(i)); // 0 women of 8
    expect(byId(listChecks({ ...base, workers }))).toEqual({
      list: 'ok',
      'dismissals-term': 'ok',
      'selection-criteria': 'ok',
      'women-share': 'ok',
      'disability-quota': 'ok',
    });
  });

  it('when the list is late or a line lacks data, then it is a legal defect naming what is missing', () => {
    const workers = [dismissed(1), dismissed(2, { selectionExplanation: undefined, age: undefined })];
    const late = listChecks({ ...base, workers, listSentOn: '2026-06-09' }).find((c) => c.id === 'list');
    expect(late?.result).toBe('defect');
    expect(late?.explanation).toMatch(
      /after the term of 2026-06-08.*lack required data \(age, selectionExplanation\)/,
    );
  });

  it('when dismissals come after the 120 days, then it is a defect', () => {
    const c = listChecks({ ...base, workers: [dismissed(1)], dismissalsNotifiedOn: '2026-08-29' });
    expect(byId(c)['dismissals-term']).toBe('defect');
  });

  it('when there is no agreement and only two legal criteria were applied, then the selection is a defect', () => {
    const two = listChecks({
      ...base,
      workers: [dismissed(1)],
      agreement: false,
      criteriaApplied: ['seniority', 'dependants'],
    });
    expect(byId(two)['selection-criteria']).toBe('defect');
    const three = listChecks({
      ...base,
      workers: [dismissed(1)],
      agreement: false,
      criteriaApplied: ['seniority', 'dependants', 'organisational-needs'],
    });
    expect(byId(three)['selection-criteria']).toBe('ok');
  });

  it('when women are 25% of the staff and 3 of 8 dismissed, then the share of women falls: a defect (art. 5 c.2)', () => {
    const workers = [4, 8, 12, 1, 2, 3, 5, 6].map((i) => dismissed(i)); // 4, 8, 12 are women
    const c = listChecks({ ...base, workers }).find((x) => x.id === 'women-share');
    expect(c?.result).toBe('defect');
    expect(c?.explanation).toMatch(/3 of 8 dismissed are women \(37.5%\), against 25.0%/);
  });

  it('when two disabled workers in the quota are dismissed and only one was above it, then the quota is breached', () => {
    const workers = [dismissed(1, { disabledInQuota: true }), dismissed(2, { disabledInQuota: true })];
    expect(byId(listChecks({ ...base, workers }))['disability-quota']).toBe('defect');
  });
});

describe('take-in-charge: missed appointments (D.Lgs. 150/2015 art. 21 c.7)', () => {
  it('when the worker misses appointments without reason, then a quarter, a month, then benefit and status', () => {
    expect([1, 2, 3, 4].map((n) => appointmentSanction(n, '2026-06-01').sanction)).toEqual([
      'cut-quarter-month',
      'cut-one-month',
      'loss-of-benefit-and-status',
      'loss-of-benefit-and-status',
    ]);
  });
});
