/**
 * One dispatcher per webhook subscription (`webhook-<subscriptionId>`): it follows the event feed after the
 * subscription's cursor and delivers the selected events of each case one at a time, in feed order, so a case's
 * events reach the receiver in their order; up to eight cases go side by side. A failed attempt is retried by Temporal with the subscription's backoff; when an
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
/** Cases whose events are delivered side by side (each case's in its order). */
const CASES_AT_ONCE = 8;
/** How long one read of the feed waits for new events before the run looks around again. */
const POLL_MS = 30_000;
/** Deliveries (or empty polls) per run before it continues as new. */
const PER_RUN = 300;

/** Where a batch failed for good, and why. */
interface FailedAt {
  position: string;
  why: string;
}

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
    // Each case's events one after the other, in feed order; up to CASES_AT_ONCE cases at a time.
    const byCase = new Map<string, typeof batch.items>();
    for (const item of batch.items) byCase.set(item.caseId, [...(byCase.get(item.caseId) ?? []), item]);
    const queues = [...byCase.values()];
    const outcome: { failed: FailedAt | null; deleted: boolean } = {
      failed: null,
      deleted: false,
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let q = queues[next++]; q; q = queues[next++])
        for (const item of q) {
          if (outcome.failed || outcome.deleted || stopped || redeliverFrom !== null) return;
          try {
            const r = await deliver.deliverWebhook({
              subscriptionId: input.subscriptionId,
              position: item.position,
              maxAttempts: policy.maxAttempts,
            });
            if (r.deleted) outcome.deleted = true;
            steps += 1;
          } catch (err) {
            if (!(err instanceof ActivityFailure)) throw err;
            // The earliest failed event is where a redelivery starts again.
            const why = err.cause?.message ?? err.message;
            // (Another lane may have failed while this one waited.)
            const earlier = outcome.failed as FailedAt | null;
            if (!earlier || item.position < earlier.position)
              outcome.failed = { position: item.position, why };
            return;
          }
        }
    };
    await Promise.all(Array.from({ length: Math.min(CASES_AT_ONCE, queues.length) }, lane));
    if (outcome.deleted) return 'deleted';
    const lost = outcome.failed;
    if (lost) {
      await feed.parkSubscription({
        subscriptionId: input.subscriptionId,
        position: lost.position,
        reason: `${policy.maxAttempts} attempts failed; the last: ${lost.why}`,
      });
      parked = true;
      // Deliveries start again from the parked event; those after it already made are made again (same ids).
      cursor = before(lost.position);
      continue;
    }
    if (stopped || redeliverFrom !== null) continue;
    if (batch.scannedTo && (!cursor || batch.scannedTo > cursor)) cursor = batch.scannedTo;
  }
}
