/**
 * Compares the read model with Temporal, case by case: the engine holds the truth (architecture.md), the read model
 * follows it. A case whose run was terminated, failed or timed out, or whose workflow the engine no longer has, is
 * marked `failed` with an event naming why, and its open tasks leave the inboxes: supervisors find it in the list of
 * cases to repair (`GET /v1/cases?status=failed`). A running case whose read model is behind its workflow, or an
 * ended one whose last write was lost, is written again from the workflow's own view.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CaseView } from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import { caseQuery } from '../workflows/messages';
import type { Db } from './db';
import { driverCollection, longRead } from './db';
import { projectCase } from './projection';
import { leaveBacklog } from './backlog';
import { appendEvents } from './feed';

export type Reconciled = 'in-step' | 'marked-failed' | 'reprojected' | 'not-in-read-model';

export interface ReconcileSummary {
  checked: number;
  markedFailed: string[];
  reprojected: string[];
}

const OPEN = ['open', 'suspended'];
const ABNORMAL = new Set(['TERMINATED', 'FAILED', 'TIMED_OUT', 'CANCELLED']);

/** One case: brought in step with its workflow, and what was done. */
export async function reconcileCase(db: Db, client: Client, caseId: string): Promise<Reconciled> {
  const doc = await db.cases.findById(caseId, { status: 1, version: 1, office: 1 }).lean();
  if (!doc) return 'not-in-read-model';
  const handle = client.workflow.getHandle(caseId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    if (!OPEN.includes(doc.status)) return 'in-step';
    await markFailed(db, caseId, doc.version, 'NOT_FOUND', 'the engine has no workflow for this case');
    return 'marked-failed';
  }
  if (ABNORMAL.has(status)) {
    if (!OPEN.includes(doc.status)) return 'in-step';
    await markFailed(db, caseId, doc.version, status, await closeReason(client, caseId, status));
    return 'marked-failed';
  }
  // Running (the view from a query) or completed (the view is its result): written again when the read model is
  // behind it.
  const view: CaseView =
    status === 'COMPLETED' ? ((await handle.result()) as CaseView) : await handle.query(caseQuery);
  if (view.version <= doc.version && view.status === doc.status) return 'in-step';
  await reproject(db, view);
  return 'reprojected';
}

/**
 * The cases whose run closed abnormally since `sinceMs` (Temporal's visibility), and the given cases: each
 * reconciled. What the reconciler schedule runs every half minute.
 */
export async function reconcileRecent(
  db: Db,
  client: Client,
  sinceMs: number,
  alsoCaseIds: readonly string[] = [],
): Promise<ReconcileSummary> {
  const since = new Date(sinceMs).toISOString();
  const ids = new Set(alsoCaseIds);
  // Only runs that ended abnormally: a completed run has written its read model (the case ends only once its last
  // write is done), and a running one's writes are retried until they are; `npm run repair` covers the rest.
  const query =
    `CloseTime > "${since}" AND (ExecutionStatus = "Terminated" OR ExecutionStatus = "Failed" OR ` +
    `ExecutionStatus = "TimedOut" OR ExecutionStatus = "Canceled")`;
  for await (const w of client.workflow.list({ query })) {
    // Only cases (their ids are their procedure's code and year, then an id); not the schedules' own runs.
    if (/^[A-Z0-9]+-\d{4}-/.test(w.workflowId)) ids.add(w.workflowId);
  }
  return reconcileAll(db, client, [...ids]);
}

/** Every case the read model shows open or suspended (the operator's `npm run repair -- --all`). */
export async function reconcileOpenCases(db: Db, client: Client): Promise<ReconcileSummary> {
  const open = await longRead(() => db.cases.find({ status: { $in: OPEN } }, { _id: 1 }).lean());
  return reconcileAll(
    db,
    client,
    open.map((d) => d._id),
  );
}

async function reconcileAll(db: Db, client: Client, ids: string[]): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { checked: 0, markedFailed: [], reprojected: [] };
  for (const id of ids) {
    const r = await reconcileCase(db, client, id);
    summary.checked += 1;
    if (r === 'marked-failed') summary.markedFailed.push(id);
    if (r === 'reprojected') summary.reprojected.push(id);
  }
  return summary;
}

/** Why a run ended abnormally, from its last history event (a termination's reason, a failure's message). */
async function closeReason(client: Client, caseId: string, status: string): Promise<string> {
  try {
    const res = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId: caseId },
      maximumPageSize: 1,
    });
    const e = res.history?.events?.[0];
    const reason =
      e?.workflowExecutionTerminatedEventAttributes?.reason ??
      e?.workflowExecutionFailedEventAttributes?.failure?.message ??
      null;
    return reason ? `${status.toLowerCase()}: ${reason}` : status.toLowerCase();
  } catch {
    return status.toLowerCase();
  }
}

/**
 * The case is marked failed after its last written event: one more event (`CaseFailed`) with the reason, the
 * status, and its open tasks cancelled. Guarded by the case's version like every write: done once.
 */
async function markFailed(
  db: Db,
  caseId: string,
  version: number,
  engineStatus: string,
  reason: string,
): Promise<void> {
  const seq = version + 1;
  const at = new Date().toISOString();
  const doc = await db.cases.findById(caseId).lean();
  if (!doc || doc.version !== version) return;
  await appendEvents(db, [
    {
      eventId: `${caseId}:${seq}`,
      caseId,
      seq,
      type: 'CaseFailed',
      at,
      actor: SYSTEM,
      summary: `The case engine stopped this case (${reason}): it needs repair`,
      data: { engineStatus, reason },
      office: doc.office,
      procedure: doc.procedure,
      openedBySub: doc.openedBySub,
    },
  ]);
  await leaveBacklog(
    db,
    doc.office,
    caseId,
    (doc.tasks ?? []).map((t) => t.taskId),
  );
  await driverCollection(db.tasks).updateMany(
    { caseId, status: 'open' },
    { $set: { status: 'cancelled', caseStatus: 'failed', writeSeq: seq } },
  );
  const tasks = (doc.tasks ?? []).map((t) =>
    t.status === 'open' ? { ...t, status: 'cancelled' as const } : t,
  );
  await driverCollection(db.cases).updateOne(
    { _id: caseId, version },
    {
      $set: {
        status: 'failed',
        step: 'needs repair',
        outcome: 'engine-failure',
        outcomeReason: reason,
        closedAt: at,
        tasks,
        assignees: [],
        nextDueAt: null,
        version: seq,
        writeSeq: seq,
      },
    },
  );
}

/**
 * Writes the workflow's whole view over the read model's case, and its inbox rows, as one delta through the
 * projection (guarded by the view's version like any write).
 */
async function reproject(db: Db, view: CaseView): Promise<void> {
  const { caseId: _id, ...set } = view;
  const assignees = [
    ...new Set(view.tasks.filter((t) => t.status === 'open' && t.assignee).map((t) => t.assignee as string)),
  ];
  await projectCase(db, {
    scope: {
      caseId: view.caseId,
      procedure: view.procedure,
      office: view.office,
      openedBySub: view.openedBy.sub,
      title: view.title,
      status: view.status,
    },
    write: view.version,
    create: false,
    events: [],
    set: { ...set, assignees },
    unset: [],
    tasks: view.tasks,
    members: [],
  });
}
