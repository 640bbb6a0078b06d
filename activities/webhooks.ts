/**
 * The activities of webhook delivery (workflows/webhooks.ts runs one dispatcher per subscription): read the feed
 * after the subscription's cursor, within its owner's scope and its filters; deliver one event, signed, recording
 * the attempt; park the subscription when an event has used its attempts. A failed attempt throws, so Temporal
 * retries it with the subscription's backoff.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { mongo } from 'mongoose';
import type { Db, DeliveryDoc, SubscriptionDoc } from '../platform/db';
import { feedEnd, positionKey } from '../platform/feed';
import { scopeFilter } from '../platform/scope';
import type { PayloadKeys } from '../platform/payload-codec';
import { openSecret } from '../platform/payload-codec';
import type { WebhookRetryPolicy } from '../platform/webhooks';
import {
  WEBHOOK_RETRY_DEFAULTS,
  deliveryBody,
  dispatcherId,
  filterOf,
  postJson,
  retryDelayMs,
  signatureHeader,
} from '../platform/webhooks';

/** How this worker delivers: the schedule, the timeout of one attempt, whether inside addresses may be called. */
export interface WebhookDeliveryOptions {
  policy: WebhookRetryPolicy;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Deliveries only to this machine (tests, the contract run, benchmarks). */
  loopbackOnly?: boolean;
}

export const WEBHOOK_DELIVERY_DEFAULTS: WebhookDeliveryOptions = {
  policy: WEBHOOK_RETRY_DEFAULTS,
  timeoutMs: 10_000,
  allowPrivate: false,
};

export interface WebhookBatch {
  /** The selected events after the cursor, in feed order. */
  items: { position: string; eventId: string; caseId: string }[];
  /** The last position read (selected or not): the cursor once the items are delivered. */
  scannedTo: string | null;
  /** Why the dispatcher must stop (`deleted`) or park (`owner-disabled`), if it must. */
  halt: 'deleted' | 'owner-disabled' | null;
}

/** Types only: workflows import this interface (style.md §1). */
export interface WebhookActivities {
  /** The schedule and where the subscription stands, when its dispatcher (re)starts. */
  webhookStart(input: { subscriptionId: string }): Promise<{
    policy: WebhookRetryPolicy;
    cursor: string | null;
    parked: boolean;
    deleted: boolean;
  }>;
  /** Waits up to `waitMs` for events after `after` that the subscription selects. */
  nextWebhookEvents(input: {
    subscriptionId: string;
    after: string | null;
    max: number;
    waitMs: number;
  }): Promise<WebhookBatch>;
  /** One attempt at one event; throws when the receiver did not take it. */
  deliverWebhook(input: {
    subscriptionId: string;
    position: string;
    maxAttempts: number;
  }): Promise<{ deleted: boolean }>;
  parkSubscription(input: { subscriptionId: string; position: string | null; reason: string }): Promise<void>;
  /** Starts the dispatcher of every live subscription that has none running (the reconciler's beat); answers how many are live. */
  ensureWebhookDispatchers(): Promise<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A subscription's events: its owner's scope (the API's own filter) and its filters. */
function selection(sub: SubscriptionDoc): Record<string, unknown> {
  const scope = scopeFilter(sub.owner);
  const own = filterOf({
    types: sub.filters.types as never[],
    procedures: sub.filters.procedures,
    offices: sub.filters.offices,
  });
  // Both may name the procedure: the subscription's filter narrows within the scope.
  return { $and: [scope, own] };
}

export function createWebhookActivities(
  db: Db,
  options: Partial<WebhookDeliveryOptions> & { payloadKeys?: PayloadKeys } = {},
): WebhookActivities {
  const opts = { ...WEBHOOK_DELIVERY_DEFAULTS, ...options };
  const live = async (subscriptionId: string): Promise<SubscriptionDoc | null> => {
    const sub = await db.subscriptions.findById(subscriptionId).lean();
    return sub && sub.status !== 'deleted' ? sub : null;
  };

  return {
    async webhookStart({ subscriptionId }) {
      const sub = await live(subscriptionId);
      return {
        policy: opts.policy,
        cursor: sub?.cursor ?? null,
        parked: sub?.status === 'parked',
        deleted: sub === null,
      };
    },

    async nextWebhookEvents({ subscriptionId, after, max, waitMs }) {
      const until = Date.now() + waitMs;
      let scannedTo = after;
      for (let round = 0; ; round += 1) {
        const sub = await live(subscriptionId);
        if (!sub) return { items: [], scannedTo, halt: 'deleted' };
        // Everything up to `after` is delivered: the subscription shows it, and a dispatcher started again
        // (lost to a fault) goes on from there.
        if (round === 0 && after !== sub.cursor && sub.status === 'active')
          await db.subscriptions.updateOne(
            { _id: subscriptionId, status: 'active' },
            { $set: { cursor: after, updatedAt: new Date().toISOString() } },
          );
        const owner = await db.principals.findById(sub.owner.sub).lean();
        if (owner?.disabled) return { items: [], scannedTo, halt: 'owner-disabled' };
        const upTo = await feedEnd(db);
        const range: Record<string, string> = { $lt: positionKey(upTo) };
        if (after) range.$gt = after;
        const docs = await db.events
          .find({ ...selection(sub), _id: range }, { _id: 1, eventId: 1, caseId: 1 })
          .sort({ _id: 1 })
          .limit(max)
          .batchSize(max + 1)
          .lean();
        if (docs.length > 0) {
          const items = docs.map((d) => ({ position: d._id, eventId: d.eventId, caseId: d.caseId }));
          // A full batch ends at its last item; a short one read everything up to the end of the feed.
          const last = items[items.length - 1]?.position ?? null;
          return { items, scannedTo: docs.length === max ? last : positionKey(upTo - 1), halt: null };
        }
        if (upTo > 0 && (!scannedTo || positionKey(upTo - 1) > scannedTo)) scannedTo = positionKey(upTo - 1);
        if (Date.now() >= until) return { items: [], scannedTo, halt: null };
        Context.current().heartbeat(scannedTo);
        await sleep(Math.min(500, Math.max(0, until - Date.now())));
      }
    },

    async deliverWebhook({ subscriptionId, position, maxAttempts }) {
      const sub = await live(subscriptionId);
      if (!sub) return { deleted: true };
      const event = await db.events.findById(position).lean();
      if (!event) return { deleted: false };
      const now = new Date();
      const secrets = sub.secrets
        .filter((s) => s.expiresAt === null || s.expiresAt > now.toISOString())
        .map((s) => openSecret(options.payloadKeys, s.sealed));
      const body = deliveryBody(event);
      const timestamp = Math.floor(now.getTime() / 1000);
      const result = await postJson(
        sub.url,
        {
          'webhook-id': event.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secrets, event.eventId, timestamp, body),
          'user-agent': 'cpi-casework-webhooks/1',
        },
        body,
        {
          timeoutMs: opts.timeoutMs,
          allowPrivate: opts.allowPrivate,
          ...(opts.loopbackOnly ? { loopbackOnly: true } : {}),
        },
      );
      const attempt = Context.current().info.attempt;
      const ok = result.status !== null && result.status >= 200 && result.status < 300;
      const last = !ok && attempt >= maxAttempts;
      const at = now.toISOString();
      await (db.deliveries.collection as unknown as mongo.Collection<DeliveryDoc>).updateOne(
        { _id: `${subscriptionId}:${position}` },
        {
          $setOnInsert: {
            subscriptionId,
            position,
            eventId: event.eventId,
            caseId: event.caseId,
            type: event.type,
            firstAttemptAt: at,
          },
          $set: {
            status: ok ? 'delivered' : last ? 'failed' : 'retrying',
            lastAttemptAt: at,
            deliveredAt: ok ? at : null,
            nextAttemptAt:
              ok || last
                ? null
                : new Date(
                    now.getTime() + retryDelayMs(opts.policy, attempt) + result.durationMs,
                  ).toISOString(),
          },
          $inc: { attemptCount: 1 },
          $push: {
            attempts: {
              attempt,
              at,
              status: result.status,
              error: result.error,
              durationMs: result.durationMs,
            },
          },
        },
        { upsert: true },
      );
      if (!ok) {
        throw ApplicationFailure.retryable(
          result.status === null
            ? `the receiver did not answer: ${result.error ?? 'no answer'}`
            : `the receiver answered ${result.status}`,
          'WebhookNotAccepted',
        );
      }
      // The cursor moves when the whole batch is in (the next poll): events of other cases may still be on their way.
      await db.subscriptions.updateOne({ _id: subscriptionId }, { $inc: { delivered: 1 } });
      return { deleted: false };
    },

    async ensureWebhookDispatchers() {
      const { client, info } = Context.current();
      const live = await db.subscriptions.find({ status: { $ne: 'deleted' } }, { _id: 1 }).lean();
      for (const sub of live) {
        await client.workflow.start('webhookDispatcher', {
          workflowId: dispatcherId(sub._id),
          taskQueue: info.taskQueue,
          args: [{ subscriptionId: sub._id }],
          // A running dispatcher is kept as it is.
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
      }
      return live.length;
    },

    async parkSubscription({ subscriptionId, position, reason }) {
      const event = position ? await db.events.findById(position).lean() : null;
      const at = new Date().toISOString();
      await db.subscriptions.updateOne(
        { _id: subscriptionId, status: 'active' },
        {
          $set: {
            status: 'parked',
            parked: { position, eventId: event?.eventId ?? null, at, reason },
            updatedAt: at,
          },
        },
      );
    },
  };
}
