/**
 * The backlog as it stands, for the office's figures (issue 14 §2): a small row per open (or suspended) case
 * (`backlog_cases`, `<office>:<caseId>`) and per open task (`backlog_tasks`, `<office>:<taskId>`), written by the
 * projection as cases move and removed when they end. An office's backlog is then one range of ids of each, read by
 * the API, instead of counts that scan every case and task stored (FerretDB v1 runs a query on any field but `_id`
 * by reading the whole collection). Each row is written only by its own case, guarded by the case's version like
 * the inbox rows: a retried or stale write never regresses it.
 */
import type { CaseScope, TaskView } from '../domain/case-model';
import type { Db } from './db';
import { driverCollection, isDuplicateKey } from './db';

export interface BacklogCaseDoc {
  _id: string;
  caseId: string;
  office: string;
  procedure: string;
  status: string;
  step: string;
  openedAt: string;
  writeSeq: number;
}
export interface BacklogTaskDoc {
  _id: string;
  taskId: string;
  caseId: string;
  office: string;
  procedure: string;
  assignee: string | null;
  targetAt: string;
  escalated: boolean;
  writeSeq: number;
}

/** The first and last ids of an office's rows (ids are `<office>:<…>`). */
export function officeRange(office: string): { $gte: string; $lt: string } {
  return { $gte: `${office}:`, $lt: `${office};` };
}

async function guardedUpsert(
  model: Db['backlogCases'] | Db['backlogTasks'],
  id: string,
  write: number,
  set: Record<string, unknown>,
): Promise<void> {
  try {
    await driverCollection(model).updateOne(
      { _id: id, writeSeq: { $lte: write } },
      { $set: { ...set, writeSeq: write } },
      { upsert: true },
    );
  } catch (err) {
    // The row holds a newer write.
    if (!isDuplicateKey(err)) throw err;
  }
}

const LIVE = new Set(['open', 'suspended']);

/** The backlog rows a projection write changes: the case's (its status and step), and its tasks'. */
export async function projectBacklog(
  db: Db,
  scope: CaseScope,
  write: number,
  set: Record<string, unknown>,
  tasks: readonly TaskView[],
): Promise<void> {
  const caseRow = `${scope.office}:${scope.caseId}`;
  const caseWrite = LIVE.has(scope.status)
    ? guardedUpsert(db.backlogCases, caseRow, write, {
        caseId: scope.caseId,
        office: scope.office,
        procedure: scope.procedure,
        status: scope.status,
        ...(typeof set.step === 'string' ? { step: set.step } : {}),
        ...(typeof set.openedAt === 'string' ? { openedAt: set.openedAt } : {}),
      })
    : driverCollection(db.backlogCases).deleteOne({ _id: caseRow, writeSeq: { $lte: write } });
  await Promise.all([
    caseWrite,
    ...tasks.map((t) => {
      const id = `${t.office}:${t.taskId}`;
      return t.status === 'open' && LIVE.has(scope.status)
        ? guardedUpsert(db.backlogTasks, id, write, {
            taskId: t.taskId,
            caseId: t.caseId,
            office: t.office,
            procedure: t.procedure,
            assignee: t.assignee,
            targetAt: t.targetAt,
            escalated: t.escalated,
          })
        : driverCollection(db.backlogTasks).deleteOne({ _id: id, writeSeq: { $lte: write } });
    }),
  ]);
}

/** A case the engine stopped (the reconciler marked it failed): it leaves the backlog, with its open tasks. */
export async function leaveBacklog(
  db: Db,
  office: string,
  caseId: string,
  taskIds: readonly string[],
): Promise<void> {
  await Promise.all([
    driverCollection(db.backlogCases).deleteOne({ _id: `${office}:${caseId}` }),
    ...taskIds.map((t) => driverCollection(db.backlogTasks).deleteOne({ _id: `${office}:${t}` })),
  ]);
}

export async function officeBacklog(
  db: Db,
  office: string,
): Promise<{ cases: BacklogCaseDoc[]; tasks: BacklogTaskDoc[] }> {
  const [cases, tasks] = await Promise.all([
    driverCollection(db.backlogCases)
      .find({ _id: officeRange(office) })
      .toArray(),
    driverCollection(db.backlogTasks)
      .find({ _id: officeRange(office) })
      .toArray(),
  ]);
  return { cases: cases as unknown as BacklogCaseDoc[], tasks: tasks as unknown as BacklogTaskDoc[] };
}
