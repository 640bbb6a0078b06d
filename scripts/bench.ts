/**
 * `npm run bench`: latency and throughput of the API on the real stack (Temporal dev server, FerretDB, a worker),
 * over real HTTP on loopback. Opens BENCH_CASES cases (default 60) with BENCH_CONCURRENCY requests in flight
 * (default 4), completes the first task of each, reads each case back, and prints the figures. Bounded in count;
 * it stops by itself.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { signToken } from '../api/auth';
import { connectApi } from '../api/connect';
import { addDays, romeDate } from '../domain/dates';
import { connectDb } from '../platform/db';
import { createLogger } from '../platform/logger';
import { createWorker } from '../worker/create-worker';
import { installTemporalRuntime } from '../worker/runtime';
import { readProvisionedPaths, startMongoWire, startTemporalDev } from './local-servers';
import { seedReferenceData } from './seed';

const CASES = Number(process.env.BENCH_CASES ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function row(name: string, ms: number[]): string {
  return `${name.padEnd(16)} n=${String(ms.length).padStart(4)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)} ms  p95 ${pct(ms, 95).toFixed(1).padStart(7)} ms  max ${Math.max(
    ...ms,
  )
    .toFixed(1)
    .padStart(7)} ms`;
}

async function timed<T>(into: number[], fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  into.push(performance.now() - t);
  return r;
}

async function main(): Promise<void> {
  const paths = readProvisionedPaths();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpi-bench-'));
  const mongo = await startMongoWire({
    paths,
    dataDir: path.join(dir, 'db'),
    logFile: path.join(dir, 'db.log'),
  });
  const temporalServer = await startTemporalDev({
    cli: paths.temporalCli,
    logFile: path.join(dir, 'temporal.log'),
  });
  const logger = createLogger({ level: 'error', format: 'pretty', service: 'bench' });
  installTemporalRuntime(logger);
  const address = `127.0.0.1:${temporalServer.port}`;
  const db = await connectDb(`${mongo.uri}bench`);
  await seedReferenceData(db);
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: 'bench',
    db,
    logger,
  });
  const workerRun = worker.run();
  const secret = 'bench-secret-bench-secret-bench-secret';
  const api = await connectApi(
    {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'bench',
      JWT_SECRET: secret,
      BODY_LIMIT: '1mb',
      UPDATE_TIMEOUT_MS: 15_000,
    },
    db,
    logger,
  );
  const server = api.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = signToken({ sub: 'officer-lucca', role: 'officer', offices: ['lucca'] }, secret, '1h');
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const today = romeDate(Date.now());

  const startMs: number[] = [];
  const completeMs: number[] = [];
  const readMs: number[] = [];
  const listMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const rssBefore = process.memoryUsage().rss;
  const runOne = async (i: number): Promise<void> => {
    const input = {
      employer: { taxCode: '01234567890', name: `Bench ${i}`, sector: 'industry', averageEmployees: 80 },
      productionUnit: { id: `bench-${i}`, address: 'Via 1', municipality: 'Lucca', province: 'LU' },
      cause: 'temporary_market',
      causeDescription: 'bench',
      suspension: { from: addDays(today, 2), to: addDays(today, 20) },
      workersConcerned: 10,
      reductionHoursPerWeek: 20,
      unionNoticeDate: today,
    };
    const created = (await timed(startMs, async () => {
      const r = await fetch(`${base}/v1/cases`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ procedure: 'CIGO', office: 'lucca', input }),
      });
      if (r.status !== 201) throw new Error(`start: ${r.status} ${await r.text()}`);
      return r.json();
    })) as { caseId: string; tasks: { taskId: string }[] };
    const taskId = created.tasks[0]?.taskId;
    await timed(completeMs, async () => {
      const r = await fetch(`${base}/v1/tasks/${taskId}/complete`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ outcome: 'not_requested' }),
      });
      if (r.status !== 200) throw new Error(`complete: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
    await timed(readMs, async () =>
      (await fetch(`${base}/v1/cases/${created.caseId}`, { headers })).arrayBuffer(),
    );
    await timed(listMs, async () =>
      (await fetch(`${base}/v1/tasks?view=available&limit=50`, { headers })).arrayBuffer(),
    );
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CASES) await runOne(next++);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const events = await db.events.countDocuments();
  process.stdout.write(
    [
      `bench: ${CASES} CIGO cases, ${CONCURRENCY} in flight, Temporal dev server + FerretDB + 1 worker, on ${os.cpus().length} cores`,
      row('POST /v1/cases', startMs),
      row('complete task', completeMs),
      row('GET case', readMs),
      row('GET tasks', listMs),
      `throughput       ${(CASES / seconds).toFixed(1)} cases/s opened and advanced (${((CASES * 4) / seconds).toFixed(1)} requests/s), ${events} events written`,
      `memory           rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (api + worker in one process; +${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MiB during the run)`,
      '',
    ].join('\n'),
  );
  server.close();
  worker.shutdown();
  await workerRun;
  await api.close();
  await nativeConnection.close();
  await db.close();
  await temporalServer.stop();
  await mongo.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
