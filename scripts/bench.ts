/**
 * `npm run bench`: the API against the floor, on the same Temporal dev server in the same run. At 1, 4 and 16
 * requests in flight it opens BENCH_CASES cases (default 64) and completes one task of each, first as a raw
 * Temporal workflow (Update with start, then one Update; no activities), then through the API (POST /v1/cases,
 * then POST /v1/tasks/:id/complete, a CIGO case with its read model), and prints the latencies, the throughput
 * and the ratios, with the RSS of the process (API and worker) before and after. Bounded; it stops by itself.
 */
import os from 'node:os';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Principal } from '../api/auth';
import { addDays, romeDate } from '../domain/dates';
import { rawAdvance } from './bench/raw-workflow';
import type { BenchStack, CpuSeconds } from './bench/stack';
import { inFlight, percentile, progressLine, rssMiB, startBenchStack } from './bench/stack';

const CASES = Number(process.env.BENCH_CASES ?? 64);
/** With BENCH_SOAK=n, only a long run: n API cases at 16 in flight, printing the RSS as it goes. */
const SOAK = Number(process.env.BENCH_SOAK ?? 0);
const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16').split(',').map(Number);
const WARM_UP = 8;
const officer: Principal = { sub: 'officer-lucca', role: 'officer', offices: ['lucca'] };

interface Figures {
  open: number[];
  complete: number[];
  seconds: number;
  /** CPU milliseconds per case: this process (API, worker), the Temporal server, the database. */
  cpu: CpuSeconds;
}

async function timed(into: number[], fn: () => Promise<void>): Promise<void> {
  const t = performance.now();
  await fn();
  into.push(performance.now() - t);
}

async function measure(
  stack: BenchStack,
  label: string,
  n: number,
  concurrency: number,
  one: (i: number, f: Figures) => Promise<void>,
): Promise<Figures> {
  const f: Figures = { open: [], complete: [], seconds: 0, cpu: { process: 0, temporal: 0, database: 0 } };
  const t0 = performance.now();
  const cpu0 = stack.cpu();
  const step = Math.max(1, Math.floor(n / 4));
  await inFlight(
    n,
    concurrency,
    (i) => one(i, f),
    (done) => {
      if (done % step === 0 || done === n) progressLine(`  ${label}: ${done}/${n} cases`);
    },
  );
  f.seconds = (performance.now() - t0) / 1000;
  const cpu1 = stack.cpu();
  const perCase = (k: keyof CpuSeconds): number => ((cpu1[k] - cpu0[k]) * 1000) / n;
  f.cpu = { process: perCase('process'), temporal: perCase('temporal'), database: perCase('database') };
  return f;
}

let seq = 0;

function rawOne(stack: BenchStack, rawQueue: string) {
  return async (_i: number, f: Figures): Promise<void> => {
    seq += 1;
    const workflowId = `RAW-${process.pid}-${seq}`;
    let handle: Awaited<ReturnType<typeof stack.temporal.workflow.getHandle>> | undefined;
    await timed(f.open, async () => {
      const start = new WithStartWorkflowOperation('rawCase', {
        workflowId,
        taskQueue: rawQueue,
        workflowIdConflictPolicy: 'FAIL',
      });
      await stack.temporal.workflow.executeUpdateWithStart(rawAdvance, {
        args: ['open'],
        startWorkflowOperation: start,
      });
      handle = await start.workflowHandle();
    });
    await timed(f.complete, async () => {
      await handle?.executeUpdate(rawAdvance, { args: ['complete'] });
    });
  };
}

function apiOne(stack: BenchStack) {
  const today = romeDate(Date.now());
  return async (i: number, f: Figures): Promise<void> => {
    seq += 1;
    const input = {
      employer: { taxCode: '01234567890', name: `Bench ${i}`, sector: 'industry', averageEmployees: 80 },
      productionUnit: { id: `bench-${seq}`, address: 'Via 1', municipality: 'Lucca', province: 'LU' },
      cause: 'temporary_market',
      causeDescription: 'bench',
      suspension: { from: addDays(today, 2), to: addDays(today, 20) },
      workersConcerned: 10,
      reductionHoursPerWeek: 20,
      unionNoticeDate: today,
    };
    let taskId = '';
    await timed(f.open, async () => {
      const r = await stack.http('POST', '/v1/cases', officer, { procedure: 'CIGO', office: 'lucca', input });
      if (r.status !== 201) throw new Error(`open: ${r.status} ${JSON.stringify(r.body)}`);
      taskId = (r.body as { tasks: { taskId: string }[] }).tasks[0]?.taskId ?? '';
    });
    await timed(f.complete, async () => {
      const r = await stack.http('POST', `/v1/tasks/${taskId}/complete`, officer, {
        outcome: 'not_requested',
      });
      if (r.status !== 200) throw new Error(`complete: ${r.status} ${JSON.stringify(r.body)}`);
    });
  };
}

const cpuLine = (c: CpuSeconds): string =>
  `${c.process.toFixed(1)} + ${c.temporal.toFixed(1)} + ${c.database.toFixed(1)} ms`;
const ms = (v: number): string => `${v.toFixed(1).padStart(7)} ms`;
const ratio = (api: number, raw: number): string => `${(api / raw).toFixed(2).padStart(5)}×`;

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const rawQueue = 'bench-raw';
  const rawWorker = await Worker.create({
    connection: stack.nativeConnection,
    namespace: 'default',
    taskQueue: rawQueue,
    workflowsPath: require.resolve('./bench/raw-workflow'),
    // The same payload encryption as the API's worker: the floor pays for it too.
    dataConverter: stack.dataConverter,
  });
  const rawRun = rawWorker.run();
  const rssBefore = rssMiB();
  // Warm both paths (bundles loaded, connections open, caches filled) before measuring.
  await measure(stack, 'warm-up raw', WARM_UP, 4, rawOne(stack, rawQueue));
  await measure(stack, 'warm-up api', WARM_UP, 4, apiOne(stack));

  if (SOAK > 0) {
    await soak(stack, rssBefore);
    rawWorker.shutdown();
    await rawRun;
    await stack.close();
    return;
  }
  const lines: string[] = [];
  const throughput: { level: number; raw: number; api: number }[] = [];
  for (const level of LEVELS) {
    const raw = await measure(stack, `raw, ${level} in flight`, CASES, level, rawOne(stack, rawQueue));
    const api = await measure(stack, `api, ${level} in flight`, CASES, level, apiOne(stack));
    const rawTp = CASES / raw.seconds;
    const apiTp = CASES / api.seconds;
    throughput.push({ level, raw: rawTp, api: apiTp });
    const o = [percentile(raw.open, 50), percentile(api.open, 50)] as const;
    const c = [percentile(raw.complete, 50), percentile(api.complete, 50)] as const;
    lines.push(
      `${String(level).padStart(2)} in flight  open p50   raw ${ms(o[0])}  api ${ms(o[1])}  ${ratio(o[1], o[0])}` +
        `   (p95 raw ${ms(percentile(raw.open, 95))}, api ${ms(percentile(api.open, 95))})`,
      `             complete p50 raw ${ms(c[0])}  api ${ms(c[1])}  ${ratio(c[1], c[0])}` +
        `   (p95 raw ${ms(percentile(raw.complete, 95))}, api ${ms(percentile(api.complete, 95))})`,
      `             throughput   raw ${rawTp.toFixed(1).padStart(6)} cases/s  api ${apiTp.toFixed(1).padStart(6)} cases/s  api at ${((100 * apiTp) / rawTp).toFixed(0)} % of raw`,
      `             cpu per case raw ${cpuLine(raw.cpu)}  api ${cpuLine(api.cpu)}`,
    );
  }
  const events = await stack.db.events.countDocuments();
  const cases = await stack.db.cases.countDocuments();
  process.stdout.write(
    [
      '',
      `bench: ${CASES} cases per level, on ${os.cpus().length} cores, Temporal dev server (in memory) + FerretDB + 1 worker and the API in one process`,
      '  raw = a trivial workflow opened by an Update with start and advanced by one Update (no activities)',
      '  api = POST /v1/cases (a CIGO case) then POST /v1/tasks/:id/complete, each answering the case from its read model',
      '  cpu per case = this process (API, worker) + Temporal server + database, in CPU milliseconds',
      ...lines,
      `read model      ${cases} cases, ${events} events written`,
      `memory          rss ${rssBefore.toFixed(0)} MiB before, ${rssMiB().toFixed(0)} MiB after (API + worker + raw worker in one process)`,
      '',
    ].join('\n'),
  );
  rawWorker.shutdown();
  await rawRun;
  await stack.close();
}

/**
 * Memory over a long run: SOAK cases through the API, 16 in flight, with the RSS after every tenth of them. The
 * worker's cache (WORKER_CACHED_WORKFLOWS) fills first; after that the RSS should stay flat.
 */
async function soak(stack: BenchStack, rssBefore: number): Promise<void> {
  const step = Math.max(1, Math.floor(SOAK / 10));
  const samples: string[] = [];
  const t0 = performance.now();
  await inFlight(
    SOAK,
    16,
    (i) =>
      apiOne(stack)(i, { open: [], complete: [], seconds: 0, cpu: { process: 0, temporal: 0, database: 0 } }),
    (done) => {
      if (done % step === 0) {
        const heap = process.memoryUsage().heapUsed / 2 ** 20;
        samples.push(
          `${String(done).padStart(6)} cases  rss ${rssMiB().toFixed(0).padStart(5)} MiB  heap ${heap.toFixed(0).padStart(5)} MiB`,
        );
        progressLine(`  soak: ${done}/${SOAK} cases, rss ${rssMiB().toFixed(0)} MiB`);
      }
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    [
      '',
      `bench soak: ${SOAK} API cases (open + complete), 16 in flight, ${(SOAK / seconds).toFixed(1)} cases/s; rss ${rssBefore.toFixed(0)} MiB before`,
      ...samples.map((x) => `  ${x}`),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
