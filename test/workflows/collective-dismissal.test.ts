/**
 * Collective dismissal and take-in-charge on the time-skipping server: the union phase with and without
 * agreement, the Region's phase, definitive failure, halved and full terms, late lists and late dismissals, the
 * child case of each worker and its stages on the parent, and a worker missing appointments until the status is lost.
 */
import { addDays } from '../../domain/dates';
import { mobSteps } from '../support/mob-steps';
import { dismissed, mobInput } from '../support/wage-inputs';
import {
  completeTask,
  openCase,
  openTask,
  recordHistory,
  sendNews,
  sleepPastDeadline,
  today,
  until,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';

const ctx = workflowSuite();

const { child, listOf, workerRows, untilStages, toPact } = mobSteps(ctx);

describe('collective dismissal workflow', () => {
  it('when the unions agree in the halved union phase, then the list is checked and each worker gets a case whose stages show on the parent', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle, view } = await openCase(ctx, 'licenziamentoCollettivo', mobInput({}, day0, 8));
      expect(view.facts.halvedTerms).toBe(true);
      expect(view.deadlines.find((d) => d.id === 'exam-request')?.legalBasis).toBe('L. 223/1991 art. 4 c.5');
      let v = await completeTask(handle, openTask(view, 'mob-exam-request').taskId, 'requested', {
        requestDate: day0,
      });
      const union = v.deadlines.find((d) => d.id === 'union-phase');
      expect(union).toMatchObject({ halved: true, legalBasis: 'L. 223/1991 art. 4 cc.6, 8' });
      v = await completeTask(handle, openTask(v, 'mob-union-phase').taskId, 'agreement', {
        minutesDate: day0,
        selectionCriteria: 'Volunteers first, then seniority',
        agreedDismissalDays: 60,
      });
      expect(v.facts.agreement).toBe(true);
      expect(v.facts.naspiLevyMultiplier).toBe(1);
      const term = v.deadlines.find((d) => d.id === 'dismissals');
      expect(term?.ruleId).toBe('mob-dismissals-agreed');
      expect(term!.due >= addDays(day0, 60) && term!.due <= addDays(day0, 63)).toBe(true);

      const notified = addDays(day0, 10);
      v = await listOf(handle, v, {
        dismissalsNotifiedOn: notified,
        listSentOn: addDays(notified, 3),
        workers: [
          dismissed(1, { naspiAppliedOn: addDays(notified, 2) }),
          dismissed(2, { office: 'viareggio' }),
        ],
      });
      expect(v.checks.filter((c) => c.result === 'defect')).toEqual([]);
      expect(v.step).toBe('take-in-charge of 2 worker(s)');
      expect(v.facts.workersTotal).toBe(2);
      const rows = (await workerRows(caseId, 2)).map((r) => ({
        caseId: String(r.memberCaseId),
        office: r.office,
      }));
      expect(rows.map((r) => r.office)).toEqual(['lucca', 'viareggio']);
      expect(rows[0]?.caseId).toBe(`PIC-${caseId.split('-')[1]}-${caseId.split('-')[2]}W001`);

      // The first worker applied for NASpI: 15 days to come; the second has no DID yet.
      const first = await until(child(rows[0]!.caseId), (c) => c.step !== 'opened');
      expect(first.deadlines.find((d) => d.id === 'first-contact')?.legalBasis).toBe(
        'D.Lgs. 150/2015 art. 21 c.2',
      );
      // Each worker's case writes its own row as it moves; the parent hears only of its end.
      await untilStages(caseId, (n) => n['first-contact'] === 1);
      await toPact(rows[0]!.caseId, addDays(notified, 5));
      await untilStages(caseId, (n) => n['pact-signed'] === 1);
      await until(handle, (p) => p.facts.workersEnded === 1);

      const second = child(rows[1]!.caseId);
      let s = await until(second, (c) => c.facts.stage === 'awaiting-did');
      expect(s.office).toBe('viareggio');
      s = await sendNews(second, 'did', { date: addDays(notified, 4), naspi: false });
      expect(s.deadlines.find((d) => d.id === 'first-contact')?.legalBasis).toBe(
        'D.Lgs. 150/2015 art. 20 c.1',
      );
      await toPact(rows[1]!.caseId, addDays(notified, 6));
      const final = await handle.result();
      expect(final.outcome).toBe('completed');
      expect(final.facts.workersEndedByStage).toEqual({ 'pact-signed': 2 });
      expect(final.outcomeReason).toMatch(/2 worker\(s\) taken in charge: 2 pact-signed/);
      recordHistory(ctx, caseId, 'mob-v2-agreement-own-rows.json');
    });
  });

  it('when the union phase fails and the Region brokers an agreement, then the administrative term runs from its receipt of the report', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await openCase(ctx, 'licenziamentoCollettivo', mobInput({}, day0, 12));
      expect(view.facts.halvedTerms).toBe(false);
      let v = await sleepPastDeadline(ctx, handle, 'exam-request');
      expect(v.deadlines.find((d) => d.id === 'exam-request')?.status).toBe('missed');
      v = await completeTask(handle, openTask(v, 'mob-union-phase').taskId, 'no_agreement', {
        minutesDate: addDays(day0, 20),
        reasons: 'No alternative accepted',
      });
      expect(v.step).toBe("awaiting the employer's report");
      const received = addDays(day0, 23);
      v = await completeTask(handle, openTask(v, 'mob-employer-report').taskId, 'received', {
        receivedOn: received,
        reasons: 'Union phase failed',
      });
      expect(v.step).toBe('administrative phase at Regione Toscana');
      expect(v.deadlines.find((d) => d.id === 'admin-phase')).toMatchObject({
        trigger: received,
        halved: false,
      });
      v = await completeTask(handle, openTask(v, 'mob-admin-phase').taskId, 'agreement', {
        minutesDate: addDays(day0, 30),
      });
      expect(v.facts).toMatchObject({
        agreement: true,
        procedureEndedOn: addDays(day0, 30),
        naspiLevyMultiplier: 1,
      });
      v = await completeTask(handle, openTask(v, 'mob-dismissals-list').taskId, 'none', {
        reason: 'Volunteers left',
      });
      expect((await handle.result()).outcome).toBe('no-dismissals');
    });
  });

  it('when the Region cannot broker an agreement in time, then the procedure fails, the levy is tripled, and a late list and late dismissals are defects', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle, view } = await openCase(ctx, 'licenziamentoCollettivo', mobInput({}, day0, 6));
      let v = await completeTask(handle, openTask(view, 'mob-exam-request').taskId, 'not_requested');
      v = await sleepPastDeadline(ctx, handle, 'union-phase');
      expect(v.deadlines.find((d) => d.id === 'union-phase')?.status).toBe('missed');
      v = await completeTask(handle, openTask(v, 'mob-employer-report').taskId, 'received', {
        receivedOn: await today(ctx),
        reasons: 'No agreement',
      });
      expect(v.deadlines.find((d) => d.id === 'admin-phase')?.halved).toBe(true);
      v = await sleepPastDeadline(ctx, handle, 'admin-phase');
      expect(v.checks.find((c) => c.id === 'definitive-failure')?.result).toBe('warning');
      expect(v.facts.naspiLevyMultiplier).toBe(3);
      const dismissalsDue = v.deadlines.find((d) => d.id === 'dismissals')?.due ?? '';
      const late = addDays(dismissalsDue, 2);
      v = await listOf(handle, v, {
        dismissalsNotifiedOn: late,
        listSentOn: addDays(late, 12),
        criteriaApplied: ['seniority'],
        workers: [dismissed(3)],
      });
      expect(v.facts.legalDefects).toEqual(['list', 'dismissals-term', 'selection-criteria']);
      expect(v.deadlines.find((d) => d.id === 'list')?.status).toBe('missed');
      // The worker's case opens in the background and reports its stage: end the test once the parent has it.
      await until(handle, (p) => p.facts.workersOpened === 1);
      await untilStages(caseId, (n) => !('opened' in n) && Object.keys(n).length === 1);
    });
  });
});

describe('take-in-charge workflow', () => {
  it('when a NASpI recipient misses three appointments without reason, then the ladder ends with the loss of benefit and status', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const worker = {
        taxCode: 'VRDGPP75C12E715Z',
        name: 'Giuseppe Verdi',
        dismissedOn: day0,
        naspiAppliedOn: day0,
      };
      const { caseId, handle } = await openCase(ctx, 'presaInCarico', { worker, suggestedGolPath: 5 });
      let v = await sleepPastDeadline(ctx, handle, 'first-contact');
      expect(v.facts.stage).toBe('convoked');
      for (let i = 1; i <= 3; i += 1) {
        const day = await today(ctx);
        v = await completeTask(handle, openTask(v, 'pic-convocation').taskId, 'convoked', {
          sentOn: day,
          appointmentOn: addDays(day, 7),
          channel: 'pec',
        });
        if (i === 2) {
          // A justified absence costs nothing and brings a new convocation.
          v = await completeTask(handle, openTask(v, 'pic-appointment').taskId, 'absent_justified', {
            reason: 'Ill',
          });
          v = await completeTask(handle, openTask(v, 'pic-convocation').taskId, 'convoked', {
            sentOn: day,
            appointmentOn: addDays(day, 9),
            channel: 'sms',
          });
        }
        v = await completeTask(handle, openTask(v, 'pic-appointment').taskId, 'absent_unjustified');
      }
      const final = await handle.result();
      expect(final.outcome).toBe('status-lost');
      expect((final.facts.sanctions as { sanction: string }[]).map((s) => s.sanction)).toEqual([
        'cut-quarter-month',
        'cut-one-month',
        'loss-of-benefit-and-status',
      ]);
      const sent = await ctx.db.communications.find({ caseId, to: 'INPS' }).lean();
      expect(sent).toHaveLength(3);
      expect(final.deadlines.find((d) => d.id === 'convocation')?.status).toBe('met');
      recordHistory(ctx, caseId, 'pic-v2-status-lost.json');
    });
  });

  it('when no DID or NASpI application comes within 68 days of the dismissal, then the case closes with nobody to take in charge', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const worker = { taxCode: 'BNCLCU85M41E715Y', name: 'Lucia Bianchi', dismissedOn: day0 };
      const { handle } = await openCase(ctx, 'presaInCarico', { worker });
      await sleepPastDeadline(ctx, handle, 'naspi-application');
      const final = await handle.result();
      expect(final.outcome).toBe('no-did');
      expect(final.facts.stage).toBe('no-did');
    });
  });
});
