/**
 * The fault suite in small (`npm run chaos` runs it with 100 cases): the stack as separate processes, CIGO cases
 * worked through the API while the worker, the Temporal dev server and the database server are each killed with
 * SIGKILL and started again on their files. Nothing may be lost, doubled, left with a gap in its events, or shown
 * differently by the read model and the workflow. The servers are this test's own, not the run's shared ones.
 */
import { rmSync } from 'node:fs';
import { runChaos } from '../../scripts/chaos/run';
import { scratchDir } from '../../scripts/local-servers';

describe('faults survived', () => {
  it('when the worker, Temporal and the database are killed during the work, then every case completes once, whole and in step', async () => {
    const dir = scratchDir('cpi-chaos-test-');
    const f = await runChaos({ cases: 12, faults: ['worker', 'temporal', 'database'], dir, downMs: 1000 });
    expect(f.details).toEqual([]);
    expect(f.faults.map((x) => x.what)).toEqual(['worker', 'temporal', 'database']);
    expect(f.faults.every((x) => x.recoveredAfterSeconds !== null)).toBe(true);
    expect(f).toMatchObject({
      started: 12,
      completed: 12,
      lost: 0,
      duplicated: 0,
      gaps: 0,
      disagreements: 0,
      refused: 0,
    });
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
