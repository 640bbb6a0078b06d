/**
 * Writes a case's delta to the read model (the `project` local activity, and the reconciler's re-projection):
 * events appended once, inbox and member rows and the case document guarded by the case's version, the case
 * document last.
 */
import { ulid } from 'ulid';
import type { CaseEvent, CaseScope, MemberStage, ProjectionDelta, TaskView } from '../domain/case-model';
import type { Db } from './db';
import { driverCollection, isDuplicateKey } from './db';
import type { EventRow } from './feed';
import { appendEvents } from './feed';
import { indexCaseUnits } from './queries';
import { factsOf, recordFacts } from './analytics';
import { inviteToSurvey } from './surveys';
import { projectBacklog } from './backlog';

/**
 * The sortable part of a case id (its ULID: newest first). A case whose id is a business key (an employer's
 * obligation for a year) takes a ULID of the moment its document is created.
 */
function sortKeyOf(caseId: string): string {
  const last = caseId.split('-').pop() ?? caseId;
  return /^[0-9A-HJKMNP-TV-Z]{26}/.test(last) ? last : ulid();
}

function feedRows(events: CaseEvent[], scope: CaseScope): EventRow[] {
  return events.map((e) => ({
    ...e,
    office: scope.office,
    procedure: scope.procedure,
    openedBySub: scope.openedBySub,
  }));
}

/**
 * Upserts rows only where they were written before write `write` (or are absent): a retried or stale write never
 * regresses a row. One update per row, all at once: FerretDB runs a batched upsert by scanning the collection,
 * a single one by its `_id`, so this keeps the cost of a write independent of how many rows are stored.
 */
async function guardedRows(
  model: Db['tasks'] | Db['members'],
  write: number,
  rows: { _id: string; doc: Record<string, unknown>; append?: Record<string, Record<string, unknown>[]> }[],
): Promise<void> {
  await Promise.all(
    rows.map(async (r) => {
      const update: Record<string, unknown> = { $set: { ...r.doc, writeSeq: write } };
      const lists = Object.entries(r.append ?? {}).filter(([, items]) => items.length > 0);
      // Whole, unique entries: a write applied again adds nothing twice.
      if (lists.length > 0)
        update.$addToSet = Object.fromEntries(
          lists.map(([name, items]) => [`lists.${name}`, { $each: items }]),
        );
      try {
        await driverCollection(model).updateOne({ _id: r._id, writeSeq: { $lte: write } }, update, {
          upsert: true,
        });
      } catch (err) {
        // The row exists with the same or a newer version (the upsert collided with it): nothing to do.
        if (!isDuplicateKey(err)) throw err;
      }
    }),
  );
}

/**
 * A member case's row in its parent's list (inserted by `openMemberCases` before the case starts), guarded by the
 * member case's own version: the parent's writes and the member's never race on the same field.
 */
async function ownMemberRow(db: Db, m: MemberStage, write: number): Promise<void> {
  await driverCollection(db.members).updateOne(
    { _id: `${m.parentCaseId}:${m.key}`, memberSeq: { $lte: write } },
    { $set: { stage: m.stage, 'details.ended': m.ended, memberSeq: write } },
  );
}

/** The production units a write names (the case's `units`, or its `keys.productionUnit`), for the unit rows. */
function unitKeysIn(set: Record<string, unknown>): string[] {
  const found: unknown[] = [];
  for (const [path, value] of Object.entries(set)) {
    if (path === 'units' && Array.isArray(value)) found.push(...(value as unknown[]));
    else if (/^units\.\d+$/.test(path) || path === 'keys.productionUnit') found.push(value);
    else if (path === 'keys' && value && typeof value === 'object')
      found.push((value as Record<string, unknown>).productionUnit);
  }
  return [...new Set(found.filter((u): u is string => typeof u === 'string' && u.length > 0))];
}

/**
 * The inbox's sort keys, never null so that a page boundary compares them: the legal due instant (tasks without
 * one last) and the priority (high first).
 */
export function taskSortKeys(task: Pick<TaskView, 'legalDueAt' | 'priority'>): {
  dueKey: string;
  priorityKey: string;
} {
  return { dueKey: task.legalDueAt ?? NO_LEGAL_DUE, priorityKey: task.priority === 'high' ? '0' : '1' };
}
/** Sorts after every instant. */
export const NO_LEGAL_DUE = '9999-12-31T23:59:59.999Z';

/** The office's figures this write settles (platform/analytics.ts): tasks done, terms settled, cases ended. */
async function officeFigures(db: Db, d: ProjectionDelta): Promise<void> {
  const facts = factsOf(d.scope, d.tasks, d.events);
  if (facts.tasks.length + facts.terms.length + facts.cases.length === 0) return;
  await recordFacts(db, d.scope.office, facts);
}

export async function projectCase(db: Db, d: ProjectionDelta): Promise<void> {
  const { scope, write } = d;
  const { caseId: _c, ...set } = d.set;
  const fields: Record<string, unknown> = { ...set, writeSeq: write };
  if (d.create) {
    fields.sortKey = sortKeyOf(scope.caseId);
    fields.openedBySub = scope.openedBySub;
  }
  const update: Record<string, unknown> = { $set: fields };
  if (d.unset.length > 0) update.$unset = Object.fromEntries(d.unset.map((p) => [p, '']));
  const caseRow = async (): Promise<void> => {
    try {
      await driverCollection(db.cases).updateOne({ _id: scope.caseId, writeSeq: { $lte: write } }, update, {
        upsert: d.create,
      });
    } catch (err) {
      // The case exists with the same or a newer version: nothing to do.
      if (!isDuplicateKey(err)) throw err;
    }
  };
  const units = unitKeysIn(d.set);
  // The rows touch different documents and each write is idempotent and guarded: they go at once. The case
  // document goes last, once they are in: a reader who sees its version (and its counts) finds the events, the
  // inbox and the member rows that go with it.
  await Promise.all([
    d.events.length > 0 ? appendEvents(db, feedRows(d.events, scope)) : Promise.resolve(),
    guardedRows(
      db.tasks,
      write,
      d.tasks.map(({ taskId, ...task }) => ({
        _id: taskId,
        doc: {
          ...task,
          caseTitle: scope.title,
          caseStatus: scope.status,
          openedBySub: scope.openedBySub,
          ...taskSortKeys(task),
        },
      })),
    ),
    guardedRows(
      db.members,
      write,
      d.members.map(({ append, ...m }) => ({
        _id: `${scope.caseId}:${m.key}`,
        doc: { ...m, caseId: scope.caseId, office: m.office },
        ...(append ? { append } : {}),
      })),
    ),
    indexCaseUnits(db, scope.caseId, units),
    d.asMember ? ownMemberRow(db, d.asMember, write) : Promise.resolve(),
    officeFigures(db, d),
  ]);
  await caseRow();
  // The office's backlog (platform/backlog.ts), once the case document holds this write.
  await projectBacklog(db, scope, write, d.set, d.tasks);
  // The survey reads the case's parties: once the case document is written (its first batch may close it).
  const closed = d.events.find((e) => e.type === 'CaseClosed');
  if (closed) await inviteToSurvey(db, scope, closed.at);
}
