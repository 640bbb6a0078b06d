/**
 * The workflow test support itself: a time-skipping server whose clock was left locked (as a workflow task the
 * server keeps open would leave it) is replaced before the next test, which then skips time again.
 */
import { withWorker, workflowSuite } from '../support/workflow-env';

const ctx = workflowSuite();

describe('workflow test support', () => {
  it('when a test leaves the clock locked, then the next test runs on a fresh server whose clock skips', async () => {
    await withWorker(ctx, async () => {
      await ctx.env.connection.testService?.lockTimeSkipping({});
    });
    const stuck = ctx.env;
    await withWorker(ctx, async () => {
      expect(ctx.env).not.toBe(stuck);
      const before = await ctx.env.currentTimeMs();
      await ctx.env.sleep(24 * 3_600_000);
      expect(await ctx.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    });
  });
});
