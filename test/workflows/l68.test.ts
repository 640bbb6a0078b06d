/**
 * L. 68/1999 on the time-skipping server: people enrolled through their own cases, then a full obligation year of
 * one employer — a late return and its sanction, an agreement, the 60-day term, referrals in ranking order with a
 * refusal and its replacement, a hire that stops the daily sanction, the agreement breached, the certificate
 * refused, the yearly confirmation missed by one person, and the year settled on 31 December.
 */
import type { CaseView } from '../../domain/case-model';
import { findOffice, officeCalendar } from '../../domain/offices';
import { addDays } from '../../domain/dates';
import { computeDeadline } from '../../domain/deadlines';
import { OBLIGATION_RULES, exemptionContribution } from '../../domain/procedures/l68-obligation';
import { lateReturnSanction, uncoveredQuotaSanction } from '../../domain/procedures/targeted-placement';
import { caseQuery } from '../../workflows/messages';
import type { Handle } from '../support/workflow-env';
import { enrolmentInput } from '../support/wage-inputs';
import {
  completeTask,
  openCase,
  openTask,
  recordHistory,
  refusal,
  sendNews,
  sleepPastDeadline,
  sleepPastInstant,
  today,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';

const ctx = workflowSuite();

const lucca = officeCalendar(findOffice('lucca')!);

async function enrol(
  taxCode: string,
  name: string,
  percentage: number,
): Promise<{ caseId: string; handle: Handle }> {
  const day = await today(ctx);
  const { caseId, handle, view } = await openCase(
    ctx,
    'iscrizioneCollocamentoMirato',
    enrolmentInput(taxCode, name, percentage, day),
  );
  const v = await completeTask(handle, openTask(view, 'l68-check-documents').taskId, 'confirmed', {});
  expect(v.facts.status).toBe('enrolled');
  return { caseId, handle };
}

/** Signal-driven state (the placed signal) arrives on its own: look until it shows. */
async function queryUntil(h: Handle, pred: (v: CaseView) => boolean): Promise<CaseView> {
  for (let i = 0; i < 100; i += 1) {
    const v = await h.query(caseQuery);
    if (pred(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the case never reached the state');
}

const referrals = (v: CaseView) =>
  (v.facts.referrals as { taxCode: string; round: number; status: string; rankingPosition: number }[]).map(
    (r) => `${r.round}:${r.taxCode}:${r.status}`,
  );
const sanctions = (v: CaseView) =>
  v.facts.sanctions as {
    kind: string;
    from: string;
    to: string;
    workingDays: number;
    amount: number;
    missing: number;
  }[];

describe('L. 68 workflows', () => {
  it('when an employer goes through a year, then the return, term, referrals, agreement, sanctions and certificate follow the law', async () => {
    await withWorker(ctx, async () => {
      // The obligation year is next year on the server's clock; terms that depend on the calendar are computed.
      const Y = Number((await today(ctx)).slice(0, 4)) + 1;
      const returnDue = computeDeadline(OBLIGATION_RULES.annualReturn, `${Y - 1}-12-31`, {
        calendar: lucca,
      }).due;
      const termDue = computeDeadline(OBLIGATION_RULES.sixtyDays, `${Y}-01-01`, { calendar: lucca }).due;
      const day61 = addDays(termDue, 1);
      const p1 = await enrol('PLCMRA85E05E715A', 'Mara Pieri', 60);
      const p2 = await enrol('BNCLCU85E05E715B', 'Luca Bianchi', 80);
      const p3 = await enrol('VRDANN85E05E715C', 'Anna Verdi', 50);

      const { caseId, handle, view } = await openCase(ctx, 'obbligoCollocamentoMirato', {
        employer: { taxCode: '01234567890', name: 'Cartiera Serchio srl', kind: 'private' },
        year: Y,
      });
      expect(view.deadlines.find((d) => d.id === 'annual-return')).toMatchObject({
        theoretical: `${Y}-01-31`,
        due: returnDue, // rolled to Monday when 31 January is a holiday or a Sunday
      });
      expect(view.facts.compliance).toBe('awaiting the annual return');
      expect(
        await refusal(
          sendNews(handle, 'agreement', {
            type: 'art11',
            workers: 1,
            schedule: [{ by: `${Y}-06-30`, hires: 1 }],
            proposedOn: `${Y}-01-10`,
          }),
        ),
      ).toBe('NewsNotExpected');

      // No return by the term and no earlier situation: the office chases the employer.
      let v = await sleepPastDeadline(ctx, handle, 'annual-return');
      expect(v.deadlines.find((d) => d.id === 'annual-return')?.status).toBe('missed');
      openTask(v, 'l68-chase-return');
      await sleepPastInstant(ctx, `${Y}-02-05T10:00:00Z`);
      v = await sendNews(handle, 'return', {
        filedOn: `${Y}-02-05`,
        referenceDate: `${Y - 1}-12-31`,
        changed: true,
        workforce: { employees: 44, fixedTermUpTo6Months: 2, apprentices: 2, managers: 1, other: 0 },
        employedDisabled: 0,
        employedArt18: 0,
        vacancies: [{ profile: 'addetto magazzino', count: 2 }],
      });
      // 44 − 2 − 2 − 1 = 39 → two workers (art. 3 c.1 b).
      expect(v.facts.quota).toMatchObject({ base: 39, disabled: 2, art18: 0 });
      expect(v.tasks.find((t) => t.key === 'l68-chase-return')?.status).toBe('cancelled');
      // Days late: 702.43 + days × 34.02 (1042.63 for ten days, in the domain tests).
      const late = lateReturnSanction(returnDue, `${Y}-02-05`);
      expect(late.amount).toBeCloseTo(702.43 + late.daysLate * 34.02, 2);
      expect(sanctions(v)[0]).toMatchObject({
        kind: 'late-return',
        amount: late.amount,
        workingDays: late.daysLate,
      });
      expect(v.deadlines.find((d) => d.id === 'sixty-days')).toMatchObject({ due: termDue });
      expect(v.facts.compliance).toBe('within the 60 days');

      // An art. 11 agreement for one of the two; an art. 12-bis one would need more than 50 employees.
      v = await sendNews(handle, 'agreement', {
        type: 'art12-bis',
        workers: 1,
        schedule: [{ by: `${Y}-06-30`, hires: 1 }],
        proposedOn: `${Y}-02-05`,
      });
      let task = openTask(v, 'l68-agreement');
      expect(await refusal(completeTask(handle, task.taskId, 'signed', { signedOn: `${Y}-02-05` }))).toBe(
        'InvalidFormData',
      );
      v = await completeTask(handle, task.taskId, 'refused', {
        reasons: 'art. 12-bis needs more than 50 employees',
      });
      v = await sendNews(handle, 'agreement', {
        type: 'art11',
        workers: 1,
        schedule: [{ by: `${Y}-06-30`, hires: 1 }],
        proposedOn: `${Y}-02-05`,
      });
      task = openTask(v, 'l68-agreement');
      await completeTask(handle, task.taskId, 'signed', { signedOn: `${Y}-02-05` });
      v = await queryUntil(
        handle,
        (x) => (x.facts.position as { byAgreements?: number } | null)?.byAgreements === 1,
      );
      expect(v.facts.position).toMatchObject({ required: 2, byAgreements: 1, uncovered: 1 });

      // One person confirms for the year; the other two are placed or refuse before the confirmation is due.
      await sendNews(p3.handle, 'yearly-confirmation', {
        year: Y,
        confirmedOn: `${Y}-02-05`,
        available: true,
        isee: 5000,
        dependants: 1,
      });

      // Day 61: the referral of the first in the ranking (80% beats 60% and 50%), and the sanction starts.
      v = await sleepPastDeadline(ctx, handle, 'sixty-days');
      expect(v.deadlines.find((d) => d.id === 'sixty-days')?.status).toBe('missed');
      expect(v.facts.compliance).toBe('uncovered');
      expect(referrals(v)).toEqual(['1:BNCLCU85E05E715B:referred']);
      expect(v.facts.referralRanking).toMatchObject({ referenceDate: day61, ruleVersion: 1, size: 3 });
      expect(v.facts.accruing).toEqual({ from: day61, missing: 1 });

      // A refusal: the next in the ranking replaces them.
      await sleepPastInstant(ctx, `${Y}-03-10T10:00:00Z`);
      expect(
        await refusal(
          sendNews(handle, 'referral-outcome', {
            taxCode: 'PLCMRA85E05E715A',
            outcome: 'hired',
            date: `${Y}-03-10`,
          }),
        ),
      ).toBe('InvalidFormData');
      v = await sendNews(handle, 'referral-outcome', {
        taxCode: 'BNCLCU85E05E715B',
        outcome: 'refused',
        date: `${Y}-03-10`,
      });
      v = await queryUntil(handle, (x) => referrals(x).length === 2);
      expect(referrals(v)).toEqual(['1:BNCLCU85E05E715B:refused', '2:PLCMRA85E05E715A:referred']);

      // The replacement is hired on the 15th: the sanction stops the day before and is reported.
      await sleepPastInstant(ctx, `${Y}-03-16T10:00:00Z`);
      expect(
        await refusal(
          sendNews(handle, 'referral-outcome', {
            taxCode: 'PLCMRA85E05E715A',
            outcome: 'hired',
            date: `${Y}-03-20`,
          }),
        ),
      ).toBe('InvalidFormData');
      v = await sendNews(handle, 'referral-outcome', {
        taxCode: 'PLCMRA85E05E715A',
        outcome: 'hired',
        date: `${Y}-03-15`,
      });
      v = await queryUntil(handle, (x) => sanctions(x).length === 2);
      // From day 61 to 14 March: working days × 5 × €39.21 × 1 worker (8 days, €1,568.40 in 2027).
      const first = uncoveredQuotaSanction(day61, `${Y}-03-14`, 1, lucca);
      expect(first.amount).toBeCloseTo(first.workingDays * 196.05, 2);
      expect(sanctions(v)[1]).toMatchObject({
        kind: 'uncovered-quota',
        from: day61,
        to: `${Y}-03-14`,
        workingDays: first.workingDays,
        amount: first.amount,
      });
      expect(v.facts.compliance).toBe('covered');
      expect(v.facts.accruing).toBeNull();
      const placed = await queryUntil(p1.handle, (x) => x.status === 'closed');
      expect(placed).toMatchObject({ outcome: 'placed', facts: { status: 'placed' } });

      // Certificate while covered: issued.
      v = await sendNews(handle, 'certificate-request', {
        requestedOn: `${Y}-03-16`,
        purpose: 'public tender',
      });
      expect(v.decisions.at(-1)).toMatchObject({ kind: 'certificate', outcome: 'issued' });

      // The agreement's hire never comes: on 1 July it is breached, the standard obligation is back.
      v = await sleepPastDeadline(ctx, handle, 'agreement-A2-1');
      v = await queryUntil(handle, (x) => referrals(x).length === 3);
      expect(
        (v.facts.agreements as { agreementNo: string; status: string }[]).map(
          (a) => `${a.agreementNo}:${a.status}`,
        ),
      ).toEqual(['A1:refused', 'A2:breached']);
      expect(v.facts.accruing).toEqual({ from: `${Y}-07-01`, missing: 1 });
      // The one who refused is not sent again: the last in the ranking is.
      expect(referrals(v)[2]).toBe('3:VRDANN85E05E715C:referred');
      // Luca did not confirm by 30 June: off the ranking (Anna did).
      expect((await p2.handle.query(caseQuery)).facts.status).toBe('off the ranking');
      expect((await p3.handle.query(caseQuery)).facts.status).toBe('enrolled');

      v = await sendNews(handle, 'certificate-request', {
        requestedOn: `${Y}-07-02`,
        purpose: 'public tender',
      });
      expect(v.decisions.at(-1)).toMatchObject({ kind: 'certificate', outcome: 'refused' });
      expect(String((v.decisions.at(-1)?.details as { reason: string }).reason)).toMatch(
        /1 worker\(s\) missing/,
      );

      // 31 December: the open accrual is settled on the office's working days and reported.
      v = await sleepPastDeadline(ctx, handle, 'year-end');
      v = await queryUntil(handle, (x) => x.status === 'closed');
      const expected = uncoveredQuotaSanction(`${Y}-07-01`, `${Y}-12-31`, 1, lucca);
      expect(sanctions(v)[2]).toMatchObject({
        from: `${Y}-07-01`,
        to: `${Y}-12-31`,
        amount: expected.amount,
      });
      expect(v.outcome).toBe('sanctioned');
      expect(v.facts.carryOver).toEqual({ base: 39, employedDisabled: 1, employedArt18: 0 });
      const itl = await ctx.db.communications.find({ caseId, to: 'ITL' }).lean();
      expect(itl).toHaveLength(3);
      expect(v.facts.sanctionsTotal).toBeCloseTo(late.amount + first.amount + expected.amount, 2);
      recordHistory(ctx, caseId, 'l68o-v2-sanctioned.json');
      recordHistory(ctx, p1.caseId, 'l68i-v2-placed.json');
    });
  }, 240_000);
});

describe('L. 68 campaign, suspension, exemption and nominative hire', () => {
  it('when the January campaign reopens an employer on CIGS, then last year stands, the term stretches by the suspension, and an exemption and a cleared hire cover the quota', async () => {
    const Y = Number((await today(ctx)).slice(0, 4)) + 1;
    const employer = { taxCode: '09876543210', name: 'Officine Apuane spa', kind: 'private' };
    // The read model as the earlier cases left it: last year's obligation case and a crisis CIGS this year.
    await ctx.db.cases.create({
      _id: 'L68O-2026-01PREVIOUSYEARCASE0000',
      procedure: 'L68O',
      office: 'lucca',
      status: 'closed',
      keys: { employer: employer.taxCode, year: String(Y - 1) },
      input: { employer, year: Y - 1 },
      facts: { carryOver: { base: 60, employedDisabled: 2, employedArt18: 1 } },
    });
    await ctx.db.cases.create({
      _id: 'CIGS-2026-01CRISISCASE00000000000',
      procedure: 'CIGS',
      office: 'lucca',
      status: 'closed',
      keys: { employer: employer.taxCode },
      facts: { countedPeriod: { from: `${Y}-01-15`, to: `${Y}-02-14` }, cigsCause: 'crisis' },
    });
    await withWorker(ctx, async () => {
      const person = await enrol('NRIGNN85E05E715D', 'Giovanni Neri', 70);
      // Someone else stays on the list all year.
      await enrol('GLLSRA85E05E715E', 'Sara Galli', 55);
      const result = await ctx.env.client.workflow.execute('campagnaProspettiL68', {
        taskQueue: ctx.taskQueue,
        workflowId: 'l68-campaign-test',
        args: [{ year: Y }],
      });
      expect(result.opened).toHaveLength(1);
      const caseId = (result.opened as { caseId: string }[])[0]!.caseId;
      ctx.started.push(caseId);
      // The business key is the id: the server keeps one case per employer and year.
      expect(caseId).toMatch(new RegExp(`^L68O-${Y}-[0-9A-Z]{11,16}$`));
      const handle: Handle = ctx.env.client.workflow.getHandle(caseId);
      // A second run opens nothing: the employer has its case.
      const again = await ctx.env.client.workflow.execute('campagnaProspettiL68', {
        taskQueue: ctx.taskQueue,
        workflowId: 'l68-campaign-test-2',
        args: [{ year: Y }],
      });
      expect(again.opened).toHaveLength(0);

      // No return: nothing changed, last year's situation stands (art. 9 c.6). 60 → 7% = 4.2 → 4; 2 employed.
      let v = await sleepPastDeadline(ctx, handle, 'annual-return');
      v = await queryUntil(handle, (x) => x.facts.quota !== null && x.facts.quota !== undefined);
      expect(v.deadlines.find((d) => d.id === 'annual-return')?.status).toBe('met');
      expect(v.facts.position).toMatchObject({ required: 4, employed: 2, uncovered: 2 });
      expect(v.facts.sanctionsTotal).toBe(0);
      v = await sendNews(handle, 'exemption-request', {
        workers: 3,
        reason: 'quarry work',
        requestedOn: `${Y}-02-10`,
      });
      const ex = openTask(v, 'l68-exemption');
      expect(
        await refusal(
          completeTask(handle, ex.taskId, 'authorised', { workers: 3, from: `${Y}-02-10`, to: `${Y}-12-31` }),
        ),
      ).toBe('InvalidFormData');
      await completeTask(handle, ex.taskId, 'authorised', {
        workers: 1,
        from: `${Y}-02-10`,
        to: `${Y}-12-31`,
      });

      // Day 60 (2 March) comes during no suspension, but 31 suspended days (15 Jan – 14 Feb) push the term.
      v = await sleepPastDeadline(ctx, handle, 'sixty-days');
      // 91 calendar days from 1 January (2 April in 2027).
      const stretched = computeDeadline({ ...OBLIGATION_RULES.sixtyDays, offset: 60 + 31 }, `${Y}-01-01`, {
        calendar: lucca,
      }).due;
      v = await queryUntil(handle, (x) => x.facts.termDue === stretched);
      expect(v.facts.compliance).toBe('within the 60 days');
      expect(v.facts.suspensions).toEqual([
        expect.objectContaining({ procedure: 'CIGS', from: `${Y}-01-15` }),
      ]);

      // Nominative requests: one for someone not enrolled (refused at once), one cleared and hired.
      await sleepPastInstant(ctx, `${Y}-03-05T10:00:00Z`);
      v = await sendNews(handle, 'nominative-request', {
        taxCode: 'XXXYYY80A01E715Z',
        name: 'Nobody',
        qualification: 'operaio',
        requestedOn: `${Y}-03-05`,
      });
      expect(v.decisions.at(-1)).toMatchObject({ kind: 'clearance', outcome: 'refused' });
      v = await sendNews(handle, 'nominative-request', {
        taxCode: 'NRIGNN85E05E715D',
        name: 'Giovanni Neri',
        qualification: 'operaio',
        requestedOn: `${Y}-03-05`,
      });
      expect(
        await refusal(
          sendNews(handle, 'hire', {
            taxCode: 'NRIGNN85E05E715D',
            name: 'Giovanni Neri',
            hiredOn: `${Y}-03-05`,
            contract: 'permanent',
            via: 'nominative',
          }),
        ),
      ).toBe('InvalidFormData');
      v = await completeTask(handle, openTask(v, 'l68-clearance').taskId, 'granted', {});
      expect(v.documents.at(-1)?.kind).toBe('clearance');
      v = await sendNews(handle, 'hire', {
        taxCode: 'NRIGNN85E05E715D',
        name: 'Giovanni Neri',
        hiredOn: `${Y}-03-05`,
        contract: 'permanent',
        via: 'nominative',
      });
      v = await queryUntil(handle, (x) => x.facts.compliance === 'covered');
      expect(v.facts.position).toMatchObject({ employed: 3, exempted: 1, uncovered: 0 });
      expect((await queryUntil(person.handle, (x) => x.status === 'closed')).outcome).toBe('placed');

      v = await sleepPastDeadline(
        ctx,
        handle,
        v.deadlines.find((d) => d.status === 'pending' && d.id.startsWith('sixty-days'))!.id,
      );
      // A second past the year's end, not an hour: once a case opened by the campaign (a child of a finished
      // workflow) ends, the time-skipping server stops skipping and would wait out the rest in real time.
      const yearEnd = v.deadlines.find((d) => d.id === 'year-end')!;
      await ctx.env.sleep(Date.parse(yearEnd.dueAt) - (await ctx.env.currentTimeMs()) + 1000);
      v = await queryUntil(handle, (x) => x.status === 'closed');
      expect(v.outcome).toBe('compliant');
      expect(v.deadlines.filter((d) => d.id.startsWith('sixty-days')).map((d) => d.status)).toEqual([
        'cancelled',
        'met',
      ]);
      expect(v.facts.exemptionContribution).toMatchObject(
        exemptionContribution({ workers: 1, from: `${Y}-02-10`, to: `${Y}-12-31` }, `${Y}-12-31`, lucca),
      );
      expect(v.facts.carryOver).toEqual({ base: 60, employedDisabled: 3, employedArt18: 1 });
    });
  }, 240_000);
});
