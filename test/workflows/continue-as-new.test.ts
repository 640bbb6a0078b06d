/**
 * A case continued as new, on the Temporal dev server: a collective dismissal with a lowered threshold follows its
 * workers' cases across several runs (their stage signals arrive while it continues), and the state, the tasks,
 * the deadlines and the numbering of its events go on unbroken. No test here sleeps: time is real on this server.
 */
import { addDays } from '../../domain/dates';
import { mobSteps } from '../support/mob-steps';
import { dismissed, mobInput } from '../support/wage-inputs';
import {
  completeTask,
  openCase,
  openTask,
  sendNews,
  today,
  until,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';

const ctx = workflowSuite('dev');
const { child, listOf, workerRows, toPact } = mobSteps(ctx);

describe('collective dismissal continued as new', () => {
  it('when its history passes the threshold while it follows its workers, then each new run carries the state, tasks, deadlines and event numbering on', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      // A lowered threshold (history events of one run): the case continues after opening its workers' cases,
      // and again whenever their stage reports lengthen the new run's history past it.
      const { caseId, handle, view } = await openCase(
        ctx,
        'licenziamentoCollettivo',
        mobInput({}, day0, 8),
        'lucca',
        [{ continueAsNewAfterEvents: 25 }],
      );
      const firstRun = (await handle.describe()).runId;
      let v = await completeTask(handle, openTask(view, 'mob-exam-request').taskId, 'requested', {
        requestDate: day0,
      });
      v = await completeTask(handle, openTask(v, 'mob-union-phase').taskId, 'agreement', {
        minutesDate: day0,
        selectionCriteria: 'Volunteers first, then seniority',
        agreedDismissalDays: 60,
      });
      const notified = addDays(day0, 10);
      v = await listOf(handle, v, {
        dismissalsNotifiedOn: notified,
        listSentOn: addDays(notified, 3),
        workers: [dismissed(1), dismissed(2), dismissed(3)],
      });
      const before = v;
      await until(handle, (p) => p.facts.workersOpened === 3);
      const rows = await workerRows(caseId, 3);

      // The first run ended by continuing as new; the case answers from the new run as it stood.
      const firstHandle = ctx.env.client.workflow.getHandle(caseId, firstRun);
      let first = await firstHandle.describe();
      for (let i = 0; i < 50 && first.status.name === 'RUNNING'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        first = await firstHandle.describe();
      }
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      const after = await until(handle, (p) => p.version >= before.version);
      expect((await handle.describe()).runId).not.toBe(firstRun);
      expect(after.tasks).toEqual(before.tasks);
      expect(after.deadlines).toEqual(before.deadlines);
      expect(after.checks).toEqual(before.checks);
      expect(after.facts.workersTotal).toBe(3);
      expect(after.step).toBe('take-in-charge of 3 worker(s)');

      // The workers' cases report to the case whichever run it is in, and it closes when they end.
      for (const r of rows) {
        const c = await until(child(String(r.memberCaseId)), (x) => x.facts.stage === 'awaiting-did');
        await sendNews(child(c.caseId), 'did', { date: addDays(notified, 1), naspi: false });
        await toPact(c.caseId, addDays(notified, 2));
      }
      const final = await handle.result();
      expect(final.outcome).toBe('completed');
      expect(final.facts.workersByStage).toEqual({ 'pact-signed': 3 });
      expect(final.facts.workersEnded).toBe(3);

      // One numbering across the runs: no gap, no repeat, and the read model holds every event.
      const events = await ctx.db.events.find({ caseId }).sort({ seq: 1 }).lean();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[events.length - 1]?.type).toBe('CaseClosed');
      expect(final.version).toBe(events.length);
      // It went through several runs (the first continued after opening the cases, later ones on their reports).
      const runs: string[] = [];
      for await (const w of ctx.env.client.workflow.list({ query: `WorkflowId = '${caseId}'` }))
        runs.push(w.status.name);
      expect(runs.filter((r) => r === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
      const stored = await ctx.db.cases.findById(caseId).lean();
      expect(stored).toMatchObject({ status: 'closed', version: events.length });
      expect(await ctx.db.members.countDocuments({ caseId, stage: 'pact-signed' })).toBe(3);
    });
  });
});
