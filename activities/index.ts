import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { CaseStart } from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import type { UsedPeriod } from '../domain/procedures/wage-guarantee';
import type { Db } from '../platform/db';
import { isDuplicateKey } from '../platform/db';
import { campaignEmployers, employerSuspensions, enrolmentOf, l68RankingOn } from '../platform/l68';
import type { OfficeSnapshot } from '../platform/queries';
import { admissionContext, earlierUnitPeriods, officeSnapshot, scoringRuleOn } from '../platform/queries';
import type { CaseActivities, ForwardReceipt, ForwardToInpsInput, NotifyInput } from './types';
import { settledUpdate } from '../workflows/messages';
import { reconcileRecent } from '../platform/reconcile';
import { purgeIdempotencyKeys, purgeRateLimits } from '../platform/rate-limit';
import { projectCase } from '../platform/projection';
import { caseSearchAttributes } from '../platform/search-attributes';
import { caseSummaryLine, findProcedure } from '../domain/catalogue';
import { CASE_PROCEDURE } from '../workflows/search-attributes';
import type { WebhookActivities } from './webhooks';
import { createWebhookActivities } from './webhooks';

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

export function createActivities(
  deps: ActivityDeps,
): CaseActivities & Pick<WebhookActivities, 'ensureWebhookDispatchers'> {
  const { db } = deps;
  const inps = deps.inps ?? outboxInpsGateway(db);
  const webhooks = createWebhookActivities(db);

  return {
    // The reconciler's beat starts missing dispatchers; deliveries run on the webhook worker's own queue.
    ensureWebhookDispatchers: () => webhooks.ensureWebhookDispatchers(),

    async project(delta) {
      await projectCase(db, delta);
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
      // The workers' cases are indexed as their parent is (a server without the attributes gets none).
      const parent = await client.workflow.getHandle(parentCaseId).describe();
      const indexed = parent.typedSearchAttributes.get(CASE_PROCEDURE) !== undefined;
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
                  staticSummary: caseSummaryLine(
                    findProcedure(c.procedure) ?? { code: c.procedure, title: c.procedure },
                    c.office,
                  ),
                  ...(indexed ? { typedSearchAttributes: caseSearchAttributes(c.procedure, c.office) } : {}),
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
