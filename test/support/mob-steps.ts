/** Steps of a collective-dismissal case and of its workers' cases, shared by the suites that drive them. */
import type { CaseView } from '../../domain/case-model';
import { caseQuery } from '../../workflows/messages';
import type { Handle, WorkflowTestContext } from './workflow-env';
import { completeTask, openTask } from './workflow-env';

export interface MobSteps {
  /** The handle of a worker's case. */
  child(id: string): Handle;
  /** Completes the list step with `data` (the dismissed workers and the dates). */
  listOf(handle: Handle, v: CaseView, data: Record<string, unknown>): Promise<CaseView>;
  /** The case's worker rows once all `n` are written (they are rows of their own, in the order of the list). */
  workerRows(caseId: string, n: number): Promise<{ memberCaseId: string | null; office: string }[]>;
  /** Waits (within 10 s) until the counts by stage of the case's member rows, which each worker's case writes, satisfy `pred`. */
  untilStages(
    caseId: string,
    pred: (byStage: Record<string, number>) => boolean,
  ): Promise<Record<string, number>>;
  /** Drives a worker's case from the first contact to the signed pact. */
  toPact(id: string, day: string): Promise<CaseView>;
}

export function mobSteps(ctx: WorkflowTestContext): MobSteps {
  const child = (id: string): Handle => ctx.env.client.workflow.getHandle(id);
  return {
    child,
    listOf(handle, v, data) {
      return completeTask(handle, openTask(v, 'mob-dismissals-list').taskId, 'received', data);
    },
    async workerRows(caseId, n) {
      for (let i = 0; i < 100; i += 1) {
        const rows = await ctx.db.members.find({ caseId }).sort({ memberCaseId: 1 }).lean();
        if (rows.length === n) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the ${n} worker rows of ${caseId} were not written`);
    },
    async untilStages(caseId, pred) {
      let counts: Record<string, number> = {};
      for (let i = 0; i < 100; i += 1) {
        counts = {};
        for (const r of await ctx.db.members.find({ caseId }).lean())
          counts[r.stage] = (counts[r.stage] ?? 0) + 1;
        if (pred(counts)) return counts;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the member rows of ${caseId} stayed at ${JSON.stringify(counts)}`);
    },
    async toPact(id, day) {
      const h = child(id);
      let v = await h.query(caseQuery);
      v = await completeTask(h, openTask(v, 'pic-first-contact').taskId, 'came', { date: day });
      v = await completeTask(h, openTask(v, 'pic-profiling').taskId, 'profiled', { golPath: 5 });
      return completeTask(h, openTask(v, 'pic-service-pact').taskId, 'signed', {
        signedOn: day,
        caseManager: 'Dott.ssa Bianchi',
        measures: ['Collective re-employment workshop', 'Forklift licence'],
        contactEveryDays: 30,
      });
    },
  };
}
