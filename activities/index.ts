import { ApplicationFailure, log } from '@temporalio/activity';
import type { CaseEvent, ProjectionBatch } from '../domain/case-model';
import type { UsedPeriod } from '../domain/procedures/wage-guarantee';
import type { Db } from '../platform/db';
import { isDuplicateKey } from '../platform/db';
import { campaignEmployers, employerSuspensions, enrolmentOf, l68RankingOn } from '../platform/l68';
import { admissionContext, earlierUnitPeriods, officeSnapshot, scoringRuleOn } from '../platform/queries';
import type { CaseActivities, ForwardReceipt, ForwardToInpsInput, NotifyInput } from './types';

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

function ulidPart(caseId: string): string {
  return caseId.split('-').pop() ?? caseId;
}

export function createActivities(deps: ActivityDeps): CaseActivities {
  const { db } = deps;
  const inps = deps.inps ?? outboxInpsGateway(db);

  async function appendEvents(events: CaseEvent[], snapshot: ProjectionBatch['snapshot']): Promise<void> {
    if (events.length === 0) return;
    const docs = events.map((e) => ({
      ...e,
      office: snapshot.office,
      procedure: snapshot.procedure,
      openedBySub: snapshot.openedBy.sub,
    }));
    try {
      await db.events.insertMany(docs, { ordered: false });
    } catch (err) {
      // A retried batch: the unique eventId keeps the first copy.
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /** Writes a document only when it is newer than what is stored (version guard), creating it if absent. */
  async function guardedUpsert(
    model: Db['cases'] | Db['tasks'],
    id: string,
    version: number,
    doc: Record<string, unknown>,
  ): Promise<void> {
    try {
      await (model as Db['cases']).updateOne(
        { _id: id, version: { $lt: version } },
        { $set: { ...doc, version } },
        { upsert: true },
      );
    } catch (err) {
      // The document exists with the same or a newer version: nothing to do.
      if (!isDuplicateKey(err)) throw err;
    }
  }

  return {
    async project({ events, snapshot, tasks }) {
      await appendEvents(events, snapshot);
      const { caseId, ...rest } = snapshot;
      const openTasks = snapshot.tasks.filter((t) => t.status === 'open');
      await guardedUpsert(db.cases, caseId, snapshot.version, {
        ...rest,
        sortKey: ulidPart(caseId),
        openedBySub: snapshot.openedBy.sub,
        assignees: openTasks.map((t) => t.assignee).filter((a): a is string => a !== null),
      });
      for (const t of tasks ?? snapshot.tasks) {
        const { taskId, ...task } = t;
        await guardedUpsert(db.tasks, taskId, snapshot.version, {
          ...task,
          caseTitle: snapshot.title,
          caseStatus: snapshot.status,
        });
      }
      log.debug('projected', { events: events.length, version: snapshot.version });
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
