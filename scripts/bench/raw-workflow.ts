/**
 * The floor the benchmarks compare with: a trivial Temporal workflow with no activities, opened by an Update with
 * start and advanced by one more Update, the same two round trips an API case costs at least.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const rawAdvance = defineUpdate<number, [string]>('advance');

export async function rawCase(): Promise<number> {
  let steps = 0;
  setHandler(rawAdvance, () => {
    steps += 1;
    return steps;
  });
  await condition(() => steps >= 2);
  return steps;
}
