/**
 * The read model's reconciler: started by its schedule every half minute (platform/schedules.ts), it brings the
 * read model in step with Temporal for the cases closed in the last ten minutes (platform/reconcile.ts): a case
 * whose run was terminated, failed or timed out is marked failed and listed for repair within a minute. It also
 * drops the rate-limit windows that have ended.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/types';
import type { ReconcileSummary } from '../platform/reconcile';

const { reconcileReadModel: reconcile, purgeExpired } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

/** Ten minutes back: runs overlap, so a case missed by one (the engine busy, a restart) is taken by the next. */
const LOOKBACK_MS = 10 * 60_000;

export async function reconcileReadModel(): Promise<ReconcileSummary> {
  const summary = await reconcile({ sinceMs: Date.now() - LOOKBACK_MS });
  // Housekeeping on the same beat: the rate-limit windows that have ended.
  await purgeExpired();
  return summary;
}
