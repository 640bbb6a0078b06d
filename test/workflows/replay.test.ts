/**
 * Replays committed histories of released procedure versions against the current workflow code: a change that
 * would break running cases (non-determinism) fails here, and must go behind `patched()` (style.md §15).
 * Record with `RECORD_HISTORIES=1 npx jest --selectProjects workflows --testPathPatterns <procedure>` (see recordHistory in
 * test/support/workflow-env.ts); only record again for a new procedure version.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundle } from '../../worker/create-worker';
import { bundleWorkflows } from '../../worker/create-worker';

const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await bundleWorkflows();
}, 60_000);

describe('replay of recorded histories', () => {
  it('when the histories folder is read, then there is at least one history per released procedure', () => {
    for (const prefix of [
      'cigo-v2',
      'cigs-v2',
      'fis-v2',
      'mob-v2',
      'pic-v2',
      'art16-v2',
      'l68o-v2',
      'l68i-v2',
    ]) {
      expect(files.filter((f) => f.startsWith(prefix)).length).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(files)('when %s is replayed, then the current code makes the same decisions', async (file) => {
    const history: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
  });
});
