/**
 * `npm run chaos`: the fault suite (scripts/chaos/run.ts). CHAOS_CASES cases (default 100) in flight through the
 * API while the worker, the Temporal dev server and the database server are each killed with SIGKILL and started
 * again on their files; then every case is checked. Prints the figures; exits 1 when a case was lost or
 * duplicated, has a gap in its events, or its read model disagrees with its workflow. Bounded; stops by itself.
 */
import { rmSync } from 'node:fs';
import type { ChaosFigures, Fault } from './chaos/run';
import { runChaos } from './chaos/run';
import { scratchDir } from './local-servers';

const CASES = Number(process.env.CHAOS_CASES ?? 100);
/** The processes killed, in order (default all three). */
const FAULTS = (process.env.CHAOS_FAULTS ?? 'worker,temporal,database')
  .split(',')
  .filter((f): f is Fault => ['worker', 'temporal', 'database'].includes(f));

function print(f: ChaosFigures, dir: string): void {
  const lines = [
    '',
    `Fault suite: ${f.cases} CIGO cases through the API, 6 steps each, in ${f.seconds.toFixed(1)} s`,
    ...f.faults.map(
      (x) =>
        `  kill -9 ${x.what.padEnd(8)} at ${x.atSeconds.toFixed(1).padStart(5)} s (${x.stepsDone} steps done); ` +
        `work resumed ${x.recoveredAfterSeconds === null ? 'never' : `${x.recoveredAfterSeconds.toFixed(1)} s after the kill`}`,
    ),
    '',
    `  started       ${f.started}`,
    `  completed     ${f.completed}`,
    `  lost          ${f.lost}`,
    `  duplicated    ${f.duplicated}`,
    `  event gaps    ${f.gaps}`,
    `  disagreeing   ${f.disagreements}   (read model against the workflow's own view)`,
    `  refused       ${f.refused}   (4xx a correct client should not get)`,
    `  retries       ${f.retries}   (${
      Object.entries(f.transient)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    })`,
    `  webhooks      ${f.webhooks.received}/${f.webhooks.events} events received, ${f.webhooks.missing} missing, ` +
      `${f.webhooks.outOfOrder} cases out of order, ${f.webhooks.repeats} repeats; the last ${f.webhooks.drainSeconds.toFixed(1)} s after the work`,
    `  restarted by the supervisor after dying on their own: ${
      Object.entries(f.unplannedRestarts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    ...(f.details.length > 0 ? ['', '  details:', ...f.details.slice(0, 30).map((d) => `    ${d}`)] : []),
    '',
    `  logs: ${dir}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const dir = scratchDir('cpi-chaos-');
  const figures = await runChaos({
    cases: CASES,
    faults: FAULTS,
    dir,
    progress: (l) => process.stderr.write(`${l}\n`),
  });
  print(figures, dir);
  const bad =
    figures.lost +
    figures.duplicated +
    figures.gaps +
    figures.disagreements +
    figures.refused +
    figures.webhooks.missing +
    figures.webhooks.outOfOrder;
  if (bad === 0 && figures.completed === figures.cases && !process.env.CHAOS_KEEP)
    rmSync(dir, { recursive: true, force: true });
  process.exit(bad === 0 && figures.completed === figures.cases ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
