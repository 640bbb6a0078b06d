/**
 * Actions that reach a case before its opening has been recorded, on the dev server. When the worker that opened a
 * case dies after writing the read model, the engine runs the opening again, and an action sent by someone who
 * read that read model arrives in the same workflow task as the opening. Reproduced here exactly: the case is
 * started and the actions sent while no worker polls, so the first workflow task carries all of them.
 */
import { createWorker } from '../../worker/create-worker';
import { caseQuery, claimTaskUpdate, settledUpdate } from '../../workflows/messages';
import { cigoInput } from '../support/cigo-input';
import { uniqueName } from '../support/env';
import type { CaseWorkflow } from '../support/workflow-env';
import { caseStart, refusal, testOfficer, today, workflowSuite } from '../support/workflow-env';

const ctx = workflowSuite('dev');

describe('actions before the opening is recorded', () => {
  it('when a claim arrives with the opening, then it waits for the opening and applies; a wrong one is still refused', async () => {
    const taskQueue = uniqueName('tq-early');
    const caseId = uniqueName('CIGO-2026').replace('_', '-');
    const handle = await ctx.env.client.workflow.start<CaseWorkflow>('cigOrdinaria', {
      workflowId: caseId,
      taskQueue,
      args: [caseStart(caseId, cigoInput(await today(ctx)))],
    });
    // No worker yet: both Updates wait in the engine and reach the run in its first task, with the opening.
    const claim = handle.executeUpdate(claimTaskUpdate, {
      args: [{ taskId: `${caseId}.T1`, actor: testOfficer }],
    });
    const wrong = refusal(
      handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: `${caseId}.T9`, actor: testOfficer }] }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const worker = await createWorker({
      connection: ctx.env.nativeConnection,
      namespace: 'default',
      taskQueue,
      db: ctx.db,
      bundle: ctx.bundle,
      extra: { shutdownForceTime: '10 seconds' },
    });
    await worker.runUntil(async () => {
      const ack = await claim;
      expect(await wrong).toBe('TaskNotFound');
      const view = await handle.query(caseQuery);
      expect(view.tasks[0]).toMatchObject({
        taskId: `${caseId}.T1`,
        assignee: testOfficer.sub,
        status: 'open',
      });
      expect(view.version).toBe(ack.version);
      // The read model holds the claim too, written before the Update answered.
      expect(await ctx.db.tasks.findById(`${caseId}.T1`).lean()).toMatchObject({ assignee: testOfficer.sub });
      await handle.executeUpdate(settledUpdate);
      await handle.terminate('test ended');
    });
  });
});
