/**
 * One dispatcher per webhook subscription (`webhook-<subscriptionId>`): it follows the event feed after the
 * subscription's cursor and delivers each selected event in feed order, one at a time, so a case's events reach
 * the receiver in their order. A failed attempt is retried by Temporal with the subscription's backoff; when an
 * event has used its attempts the subscription is **parked** (nothing more is sent, so nothing arrives out of
 * order) until someone redelivers from a position. At least once: a delivery whose answer was lost is sent again,
 * with the same `webhook-id`. The run continues as new every few hundred deliveries, so its history stays short.
 */
import {
  ActivityFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import { redeliverSignal, stopSignal } from './messages';

export interface DispatcherInput {
  subscriptionId: string;
  /** Carried over from the previous run (continue-as-new); read from the subscription on a first start. */
  carried?: { cursor: string | null; parked: boolean; redeliverFrom: string | null };
}

const BATCH = 50;
/** How long one read of the feed waits for new events before the run looks around again. */
const POLL_MS = 30_000;
/** Deliveries (or empty polls) per run before it continues as new. */
const PER_RUN = 300;

/** The position just before `p` (both 16-digit keys). */
function before(p: string): string | null {
  const n = Number(p);
  return n <= 0 ? null : String(n - 1).padStart(p.length, '0');
}

export async function webhookDispatcher(input: DispatcherInput): Promise<string> {
  // The webhook worker's own queue (platform/webhooks.ts `webhookTaskQueue`).
  const taskQueue = `${workflowInfo().taskQueue}-webhooks`;
  const feed = proxyActivities<WebhookActivities>({
    taskQueue,
    startToCloseTimeout: '90 seconds',
    heartbeatTimeout: '20 seconds',
    // Reading our own database: retried until it answers.
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  const start = await feed.webhookStart({ subscriptionId: input.subscriptionId });
  if (start.deleted) return 'deleted';
  const { policy } = start;
  const deliver = proxyActivities<WebhookActivities>({
    taskQueue,
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: policy.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: policy.maxIntervalMs,
      maximumAttempts: policy.maxAttempts,
    },
  });

  let cursor = input.carried ? input.carried.cursor : start.cursor;
  let parked = input.carried ? input.carried.parked : start.parked;
  let redeliverFrom: string | null = input.carried?.redeliverFrom ?? null;
  let stopped = false;
  setHandler(redeliverSignal, ({ from }) => {
    redeliverFrom = from;
  });
  setHandler(stopSignal, () => {
    stopped = true;
  });

  for (let steps = 0; ; steps += 1) {
    if (stopped) return 'deleted';
    if (redeliverFrom !== null) {
      cursor = before(redeliverFrom);
      redeliverFrom = null;
      parked = false;
    }
    if (parked) {
      await condition(() => stopped || redeliverFrom !== null);
      continue;
    }
    if (steps >= PER_RUN || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof webhookDispatcher>({
        subscriptionId: input.subscriptionId,
        carried: { cursor, parked, redeliverFrom },
      });
    const batch = await feed.nextWebhookEvents({
      subscriptionId: input.subscriptionId,
      after: cursor,
      max: BATCH,
      waitMs: POLL_MS,
    });
    if (batch.halt === 'deleted') return 'deleted';
    if (batch.halt === 'owner-disabled') {
      await feed.parkSubscription({
        subscriptionId: input.subscriptionId,
        position: null,
        reason: 'the principal who made the subscription is disabled',
      });
      parked = true;
      continue;
    }
    let interrupted = false;
    for (const item of batch.items) {
      if (stopped || redeliverFrom !== null) {
        interrupted = true;
        break;
      }
      try {
        const r = await deliver.deliverWebhook({
          subscriptionId: input.subscriptionId,
          position: item.position,
          maxAttempts: policy.maxAttempts,
        });
        if (r.deleted) return 'deleted';
        cursor = item.position;
        steps += 1;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        await feed.parkSubscription({
          subscriptionId: input.subscriptionId,
          position: item.position,
          reason: `${policy.maxAttempts} attempts failed; the last: ${err.cause?.message ?? err.message}`,
        });
        parked = true;
        interrupted = true;
        break;
      }
    }
    if (!interrupted && batch.scannedTo && (!cursor || batch.scannedTo > cursor)) cursor = batch.scannedTo;
  }
}
