/**
 * The backlog as it stands, for the office's figures (issue 14 §2): a small row per open (or suspended) case
 * (`backlog_cases`) and per open task (`backlog_tasks`), written by the projection as cases move and removed when
 * they end. Each row is written only by its own case, guarded by the case's version like the inbox rows: a retried
 * or stale write never regresses it.
 *
 * An office's rows are spread over 64 buckets by a hash of the case id (`<office>:<bucket>:<caseId|taskId>`), and
 * each bucket has a stamp set anew after every write to it (`backlog:<office>:<bucket>` in `analytics_stamps`, as
 * the figures' days are).
 * Its counts (`analytics_summaries`, same id) are cached while the stamp holds, so the figures recount only the
 * buckets written since they were last read: at 20,000 open cases, reading every row took 4.9 s a request on
 * FerretDB. Nothing here is a counter updated in place (FerretDB v1 loses concurrent updates of one document).
 */
import type { CaseScope, TaskView } from '../domain/case-model';
import type { Db } from './db';
import { romeDate } from '../domain/dates';
import { driverCollection, isDuplicateKey, longRead } from './db';
import { setStamp, storeCached } from './analytics';

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

export const BACKLOG_BUCKETS = 64;

/** The bucket of a case and its tasks: FNV-1a of the case id, as two hex digits. */
export function bucketOf(caseId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < caseId.length; i += 1) {
    h ^= caseId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % BACKLOG_BUCKETS).toString(16).padStart(2, '0');
}

function rowId(office: string, caseId: string, id: string): string {
  return `${office}:${bucketOf(caseId)}:${id}`;
}

/** The first and last ids of a range whose ids start with `prefix` and a colon. */
function prefixRange(prefix: string): { $gte: string; $lt: string } {
  return { $gte: `${prefix}:`, $lt: `${prefix};` };
}

function stampId(office: string, bucket: string): string {
  return `backlog:${office}:${bucket}`;
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
  const caseRow = rowId(scope.office, scope.caseId, scope.caseId);
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
      const id = rowId(t.office, t.caseId, t.taskId);
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
  // A task of another office (none today) would be counted there: its bucket is stamped too.
  const offices = new Set([scope.office, ...tasks.map((t) => t.office)]);
  await Promise.all([...offices].map((o) => setStamp(db, stampId(o, bucketOf(scope.caseId)))));
}

/** A case the engine stopped (the reconciler marked it failed): it leaves the backlog, with its open tasks. */
export async function leaveBacklog(
  db: Db,
  office: string,
  caseId: string,
  taskIds: readonly string[],
): Promise<void> {
  await Promise.all([
    driverCollection(db.backlogCases).deleteOne({ _id: rowId(office, caseId, caseId) }),
    ...taskIds.map((t) => driverCollection(db.backlogTasks).deleteOne({ _id: rowId(office, caseId, t) })),
  ]);
  await setStamp(db, stampId(office, bucketOf(caseId)));
}

/**
 * The counts of some backlog rows, as stored: lists, since steps and officers' ids may hold dots, which are no
 * field names (and FerretDB v1 stores no arrays of arrays). Targets are kept whole (the figures compare them with
 * the clock); cases count by the Italian day they opened (their age is in calendar days).
 */
export interface BacklogCounts {
  steps: { procedure: string; step: string; status: string; cases: number }[];
  /** Cases by the Italian day they opened (`YYYY-MM-DD`; '' unknown). */
  opened: { at: string; n: number }[];
  tasks: { open: number; unassigned: number; escalated: number; targets: { at: string; n: number }[] };
  officers: { assignee: string; open: number; targets: { at: string; n: number }[] }[];
}

/** A bucket's counts and the stamp they were made at. The counts are kept as JSON text: FerretDB reads one string
 * much faster than the hundreds of small values of the same counts. */
interface CountsDoc {
  _id: string;
  stamp: string;
  counts: string;
}

function add<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** Counts rows, or merges counts: the same shape either way. */
class Tally {
  readonly steps = new Map<string, number>();
  readonly opened = new Map<string, number>();
  readonly targets = new Map<string, number>();
  readonly officers = new Map<string, { open: number; targets: Map<string, number> }>();
  open = 0;
  unassigned = 0;
  escalated = 0;

  officer(sub: string): { open: number; targets: Map<string, number> } {
    let o = this.officers.get(sub);
    if (!o) {
      o = { open: 0, targets: new Map() };
      this.officers.set(sub, o);
    }
    return o;
  }

  addRows(cases: readonly BacklogCaseDoc[], tasks: readonly BacklogTaskDoc[]): void {
    for (const c of cases) {
      add(this.steps, JSON.stringify([c.procedure, c.step ?? '', c.status]));
      add(this.opened, typeof c.openedAt === 'string' ? romeDate(Date.parse(c.openedAt)) : '');
    }
    for (const t of tasks) {
      this.open += 1;
      if (t.escalated) this.escalated += 1;
      add(this.targets, t.targetAt);
      if (t.assignee === null) this.unassigned += 1;
      else {
        const o = this.officer(t.assignee);
        o.open += 1;
        add(o.targets, t.targetAt);
      }
    }
  }

  addCounts(c: BacklogCounts): void {
    for (const x of c.steps) add(this.steps, JSON.stringify([x.procedure, x.step, x.status]), x.cases);
    for (const x of c.opened) add(this.opened, x.at, x.n);
    this.open += c.tasks.open;
    this.unassigned += c.tasks.unassigned;
    this.escalated += c.tasks.escalated;
    for (const x of c.tasks.targets) add(this.targets, x.at, x.n);
    for (const x of c.officers) {
      const o = this.officer(x.assignee);
      o.open += x.open;
      for (const t of x.targets) add(o.targets, t.at, t.n);
    }
  }

  counts(): BacklogCounts {
    const list = (m: Map<string, number>): { at: string; n: number }[] =>
      [...m].map(([at, n]) => ({ at, n }));
    return {
      steps: [...this.steps].map(([k, cases]) => {
        const [procedure, step, status] = JSON.parse(k) as [string, string, string];
        return { procedure, step, status, cases };
      }),
      opened: list(this.opened),
      tasks: {
        open: this.open,
        unassigned: this.unassigned,
        escalated: this.escalated,
        targets: list(this.targets),
      },
      officers: [...this.officers].map(([assignee, o]) => ({
        assignee,
        open: o.open,
        targets: list(o.targets),
      })),
    };
  }
}

/** The counts of one bucket, from its rows. */
async function countBucket(db: Db, office: string, bucket: string): Promise<BacklogCounts> {
  const range = { _id: prefixRange(`${office}:${bucket}`) };
  const [cases, tasks] = await Promise.all([
    longRead(() => driverCollection(db.backlogCases).find(range).batchSize(1000).toArray()),
    longRead(() => driverCollection(db.backlogTasks).find(range).batchSize(1000).toArray()),
  ]);
  const t = new Tally();
  t.addRows(cases as unknown as BacklogCaseDoc[], tasks as unknown as BacklogTaskDoc[]);
  return t.counts();
}

/**
 * An office's backlog counts: each bucket's cached counts while its stamp holds, recounted from its rows
 * otherwise (and cached with the stamp read before, so a write in between is counted at the next read).
 */
export async function officeBacklog(db: Db, office: string): Promise<BacklogCounts> {
  const ids = prefixRange(`backlog:${office}`);
  const [stamps, cached] = await Promise.all([
    longRead(() => driverCollection(db.analyticsStamps).find({ _id: ids }).batchSize(1000).toArray()),
    longRead(() => driverCollection(db.analyticsSummaries).find({ _id: ids }).batchSize(1000).toArray()),
  ]);
  const hits = new Map((cached as unknown as CountsDoc[]).map((d) => [d._id, d]));
  const total = new Tally();
  await Promise.all(
    (stamps as unknown as { _id: string; stamp: string }[]).map(async (st) => {
      const hit = hits.get(st._id);
      if (hit && hit.stamp === st.stamp && typeof hit.counts === 'string') {
        total.addCounts(JSON.parse(hit.counts) as BacklogCounts);
        return;
      }
      const counts = await countBucket(db, office, st._id.slice(st._id.lastIndexOf(':') + 1));
      total.addCounts(counts);
      await storeCached(db, st._id, st.stamp, { counts: JSON.stringify(counts) });
    }),
  );
  return total.counts();
}
