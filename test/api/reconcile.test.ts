/**
 * The read model's reconciler on the real stack: a case Temporal terminated is marked failed with the reason and
 * listed for repair, its tasks leave the inbox, once however often it runs; a read model left behind is written
 * again from the workflow; the reconciler runs as a workflow on its schedule.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { romeDate } from '../../domain/dates';
import { reconcileCase, reconcileRecent } from '../../platform/reconcile';
import { RECONCILER_SCHEDULE } from '../../platform/schedules';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';
import { cigoInput } from '../support/cigo-input';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });

async function openCigo(): Promise<CaseView> {
  const r = await request(s.app)
    .post('/v1/cases')
    .set(auth('integrator'))
    .send({ procedure: 'CIGO', office: 'lucca', input: cigoInput(romeDate(Date.now())) });
  expect(r.status).toBe(201);
  return r.body as CaseView;
}

/** Temporal's visibility follows a closed run within moments: reconciled until it has seen it. */
async function reconcileUntilFailed(caseId: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const summary = await reconcileRecent(s.db, s.client, Date.now() - 60_000);
    if (summary.markedFailed.includes(caseId)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${caseId} was not marked failed`);
}

describe('reconciliation of the read model with Temporal', () => {
  it('when Temporal terminates a case, then it is marked failed with the reason, listed for repair, and its tasks leave the inbox', async () => {
    const c = await openCigo();
    expect(c.tasks.filter((t) => t.status === 'open')).toHaveLength(1);
    await s.client.workflow.getHandle(c.caseId).terminate('history size exceeds error limit');
    await reconcileUntilFailed(c.caseId);

    const failed = (await request(s.app).get(`/v1/cases/${c.caseId}`).set(auth('lucca'))).body as CaseView;
    expect(failed).toMatchObject({ status: 'failed', step: 'needs repair', outcome: 'engine-failure' });
    expect(failed.outcomeReason).toBe('terminated: history size exceeds error limit');
    expect(failed.tasks.every((t) => t.status !== 'open')).toBe(true);
    const events = await s.db.events.find({ caseId: c.caseId }).sort({ seq: 1 }).lean();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'CaseFailed', seq: failed.version });
    // The supervisors' list of cases to repair, and an inbox without its task.
    const list = await request(s.app).get('/v1/cases?status=failed&limit=50').set(auth('supervisor'));
    expect((list.body.items as { caseId: string }[]).map((x) => x.caseId)).toContain(c.caseId);
    expect(await s.db.tasks.countDocuments({ caseId: c.caseId, status: 'open' })).toBe(0);

    // Once: another pass changes nothing.
    await reconcileRecent(s.db, s.client, Date.now() - 60_000);
    expect(await reconcileCase(s.db, s.client, c.caseId)).toBe('in-step');
    expect(await s.db.events.countDocuments({ caseId: c.caseId })).toBe(events.length);
  });

  it('when a read model is left behind its running case, then the case and its inbox are written again from the workflow', async () => {
    const c = await openCigo();
    await s.db.cases.updateOne(
      { _id: c.caseId },
      { $set: { step: 'stale', version: 1, writeSeq: 1, tasks: [] } },
    );
    await s.db.tasks.deleteMany({ caseId: c.caseId });
    expect(await reconcileCase(s.db, s.client, c.caseId)).toBe('reprojected');
    const again = (await request(s.app).get(`/v1/cases/${c.caseId}`).set(auth('lucca'))).body as CaseView;
    expect(again).toMatchObject({ step: c.step, version: c.version, status: 'open' });
    expect(again.tasks).toEqual(c.tasks);
    expect(await s.db.tasks.countDocuments({ caseId: c.caseId, status: 'open' })).toBe(1);
    expect(await reconcileCase(s.db, s.client, c.caseId)).toBe('in-step');
  });

  it('when the reconciler runs as a workflow, then it marks a terminated case; its schedule runs it every 30 seconds', async () => {
    const c = await openCigo();
    await s.client.workflow.getHandle(c.caseId).terminate('operator error');
    let summary = { markedFailed: [] as string[] };
    for (let i = 0; i < 30 && !summary.markedFailed.includes(c.caseId); i += 1) {
      summary = await s.client.workflow.execute('reconcileReadModel', {
        taskQueue: s.taskQueue,
        workflowId: `reconcile-test-${Date.now()}-${i}`,
      });
      if (!summary.markedFailed.includes(c.caseId)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(summary.markedFailed).toContain(c.caseId);
    const schedule = await s.client.schedule.getHandle(RECONCILER_SCHEDULE).describe();
    expect(schedule.spec.intervals?.[0]?.every).toBe(30_000);
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileReadModel' });
  });
});
