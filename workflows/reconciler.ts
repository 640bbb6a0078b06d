/**
 * The read model's reconciler: started by its schedule every half minute (platform/schedules.ts), it brings the
 * read model in step with Temporal for the cases closed in the last ten minutes (platform/reconcile.ts): a case
 * whose run was terminated, failed or timed out is marked failed and listed for repair within a minute. It also
 * drops the rate-limit windows that have ended.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/types';
import type { WebhookActivities } from '../activities/webhooks';
import type { ReconcileSummary } from '../platform/reconcile';

const {
  reconcileReadModel: reconcile,
  purgeExpired,
  ensureWebhookDispatchers,
} = proxyActivities<CaseActivities & WebhookActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

/** Ten minutes back: runs overlap, so a case missed by one (the engine busy, a restart) is taken by the next. */
const LOOKBACK_MS = 10 * 60_000;

export async function reconcileReadModel(): Promise<ReconcileSummary> {
  const summary = await reconcile({ sinceMs: Date.now() - LOOKBACK_MS });
  // Housekeeping on the same beat: the rate-limit windows that have ended.
  await purgeExpired();
  // Every live webhook subscription has its dispatcher (one lost to a fault is started again from its cursor).
  await ensureWebhookDispatchers();
  return summary;
}
