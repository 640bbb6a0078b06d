import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ulid } from 'ulid';
import type { CaseEvent, CaseScope, CaseStart, MemberStage, ProjectionDelta } from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import type { UsedPeriod } from '../domain/procedures/wage-guarantee';
import type { Db } from '../platform/db';
import { driverCollection, isDuplicateKey } from '../platform/db';
import { campaignEmployers, employerSuspensions, enrolmentOf, l68RankingOn } from '../platform/l68';
import type { OfficeSnapshot } from '../platform/queries';
import {
  admissionContext,
  earlierUnitPeriods,
  indexCaseUnits,
  officeSnapshot,
  scoringRuleOn,
} from '../platform/queries';
import type { CaseActivities, ForwardReceipt, ForwardToInpsInput, NotifyInput } from './types';
import { settledUpdate } from '../workflows/messages';
import { reconcileRecent } from '../platform/reconcile';
import { purgeIdempotencyKeys, purgeRateLimits } from '../platform/rate-limit';

/** An outside body that receives dossiers. The default keeps an outbox; a real adapter posts to INPS. */
export interface InpsGateway {
  submit(input: ForwardToInpsInput): Promise<ForwardReceipt>;
}

export interface ActivityDeps {
  db: Db;
  inps?: InpsGateway;
}

/** Writes one message to the `communications` outbox, once per idempotency key, and returns its receipt. */
async function outbox(
  db: Db,
  msg: {
    idempotencyKey: string;
    caseId: string;
    to: string;
    subject?: string;
    payload: Record<string, unknown>;
  },
): Promise<ForwardReceipt> {
  const reference = `OUT-${msg.idempotencyKey.replace(/[^A-Za-z0-9]/g, '').slice(-20)}`;
  try {
    await db.communications.create({
      _id: msg.idempotencyKey,
      caseId: msg.caseId,
      to: msg.to,
      subject: msg.subject ?? null,
      payload: msg.payload,
      reference,
      createdAt: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const stored = await db.communications.findById(msg.idempotencyKey).lean();
  return {
    reference: stored?.reference ?? reference,
    sentAt: (stored?.createdAt ?? new Date()).toISOString(),
  };
}

/** Records outbound dossiers in the `communications` outbox, once per idempotency key. */
export function outboxInpsGateway(db: Db): InpsGateway {
  return {
    submit: (input) => outbox(db, { ...input, to: 'INPS', payload: input.dossier }),
  };
}

/**
 * The sortable part of a case id (its ULID: newest first). A case whose id is a business key (an employer's
 * obligation for a year) takes a ULID of the moment its document is created.
 */
function sortKeyOf(caseId: string): string {
  const last = caseId.split('-').pop() ?? caseId;
  return /^[0-9A-HJKMNP-TV-Z]{26}/.test(last) ? last : ulid();
}

export function createActivities(deps: ActivityDeps): CaseActivities {
  const { db } = deps;
  const inps = deps.inps ?? outboxInpsGateway(db);

  async function appendEvents(events: CaseEvent[], scope: CaseScope): Promise<void> {
    if (events.length === 0) return;
    const docs = events.map((e) => ({
      ...e,
      office: scope.office,
      procedure: scope.procedure,
      openedBySub: scope.openedBySub,
    }));
    try {
      // The driver's own insert: the documents are plain and complete, so mongoose's casting is only cost.
      await db.events.collection.insertMany(docs, { ordered: false });
    } catch (err) {
      // A retried batch: the unique eventId keeps the first copy.
      if (!isDuplicateKey(err)) throw err;
    }
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
  async function ownMemberRow(m: MemberStage, write: number): Promise<void> {
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

  async function projectCase(d: ProjectionDelta): Promise<void> {
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
      appendEvents(d.events, scope),
      guardedRows(
        db.tasks,
        write,
        d.tasks.map(({ taskId, ...task }) => ({
          _id: taskId,
          doc: { ...task, caseTitle: scope.title, caseStatus: scope.status, openedBySub: scope.openedBySub },
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
      d.asMember ? ownMemberRow(d.asMember, write) : Promise.resolve(),
    ]);
    await caseRow();
  }

  return {
    async project(delta) {
      await projectCase(delta);
      log.debug('projected', { events: delta.events.length, write: delta.write });
    },

    async openMemberCases({ parentCaseId, cases }) {
      const { client, info } = Context.current();
      let opened = 0;
      let existing = 0;
      const snapshots = new Map<string, OfficeSnapshot>();
      for (const office of new Set(cases.map((c) => c.office))) {
        const snapshot = await officeSnapshot(db, office);
        if (!snapshot) throw ApplicationFailure.nonRetryable(`unknown office ${office}`, 'UnknownOffice');
        snapshots.set(office, snapshot);
      }
      // The rows first, so that the parent's list shows every worker whose case may be open; an existing row
      // (a retried batch, or one a stage change reached already) is left as it is.
      try {
        await db.members.insertMany(
          cases.map((c) => ({
            _id: `${parentCaseId}:${c.member.key}`,
            caseId: parentCaseId,
            key: c.member.key,
            name: c.member.name,
            office: c.office,
            memberCaseId: c.caseId,
            stage: 'opened',
            details: { ended: false },
            writeSeq: 0,
            memberSeq: 0,
          })),
          { ordered: false },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      // A few starts at a time: enough to fill the round trips, not enough to swamp the server.
      for (let i = 0; i < cases.length; i += 25) {
        // The parent was closed or its run cancelled this call: the remaining starts are left for no one.
        if (Context.current().cancellationSignal.aborted) throw new CancelledFailure('parent case closed');
        await Promise.all(
          cases.slice(i, i + 25).map(async (c) => {
            try {
              const start: CaseStart = {
                caseId: c.caseId,
                procedure: c.procedure,
                office: c.office,
                ...(snapshots.get(c.office) as OfficeSnapshot),
                input: c.input,
                openedBy: SYSTEM,
              };
              // Started and settled in one call, like a case opened through the API: once counted as opened, the
              // worker's case is in the read model. A retried batch joins a case still running.
              await client.workflow.executeUpdateWithStart(settledUpdate, {
                startWorkflowOperation: new WithStartWorkflowOperation(c.workflowType, {
                  workflowId: c.caseId,
                  taskQueue: info.taskQueue,
                  args: [start],
                  workflowIdConflictPolicy: 'USE_EXISTING',
                  // The business key is used once, even after that case has ended.
                  workflowIdReusePolicy: 'REJECT_DUPLICATE',
                }),
              });
              opened += 1;
            } catch (err) {
              // A retried batch: the case with this business key has ended already.
              if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
              existing += 1;
            }
          }),
        );
        Context.current().heartbeat(i);
      }
      return { opened, existing };
    },

    async purgeExpired() {
      return (await purgeRateLimits(db)) + (await purgeIdempotencyKeys(db));
    },

    reconcileReadModel({ sinceMs }) {
      return reconcileRecent(db, Context.current().client, sinceMs);
    },

    earlierUnitPeriods({ unitKey, excludeCaseId }): Promise<UsedPeriod[]> {
      return earlierUnitPeriods(db, unitKey, excludeCaseId);
    },

    admissionData({ unitKeys, linkedCaseIds, excludeCaseId }) {
      return admissionContext(db, unitKeys, linkedCaseIds, excludeCaseId);
    },

    async officeSnapshot({ office }) {
      const snapshot = await officeSnapshot(db, office);
      if (!snapshot) throw ApplicationFailure.nonRetryable(`unknown office ${office}`, 'UnknownOffice');
      return snapshot;
    },

    scoringRule({ scope, on }) {
      return scoringRuleOn(db, scope, on);
    },

    l68ScoringRule({ on }) {
      return scoringRuleOn(db, 'l68', on);
    },

    l68Ranking({ offices, list, on }) {
      return l68RankingOn(db, { ...(offices ? { offices } : {}), list, on });
    },

    l68Enrolment({ taxCode }) {
      return enrolmentOf(db, taxCode);
    },

    employerSuspensions({ employer }) {
      return employerSuspensions(db, employer);
    },

    l68CampaignEmployers({ year }) {
      return campaignEmployers(db, year);
    },

    async notify(input: NotifyInput) {
      const receipt = await outbox(db, input);
      log.info('communication sent', { to: input.to, subject: input.subject, reference: receipt.reference });
      return receipt;
    },

    async forwardToInps(input) {
      const receipt = await inps.submit(input);
      log.info('dossier forwarded to INPS', { reference: receipt.reference });
      return receipt;
    },
  };
}
