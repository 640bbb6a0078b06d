/**
 * The floor of `npm run bench:webhooks`: a plain Temporal workflow that POSTs `n` events one after the other, each
 * by an activity with the same retry policy as a delivery, and nothing else (no feed, no subscription, no record
 * of the attempts).
 */
import { proxyActivities } from '@temporalio/workflow';

export interface RawPostActivities {
  rawPost(input: { i: number }): Promise<void>;
}

export async function rawDeliveries(n: number): Promise<number> {
  const { rawPost } = proxyActivities<RawPostActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 12 },
  });
  for (let i = 0; i < n; i += 1) await rawPost({ i });
  return n;
}
