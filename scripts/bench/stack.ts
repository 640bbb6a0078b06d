/**
 * What the benchmarks run on: an in-memory Temporal dev server and a FerretDB of their own, the case worker and the
 * API in this process over real HTTP on loopback, and a client to the same server for the raw baseline.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { signToken } from '../../api/auth';
import { connectApi } from '../../api/connect';
import type { Principal } from '../../api/auth';
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { createWorker } from '../../worker/create-worker';
import { installTemporalRuntime } from '../../worker/runtime';
import type { RunningServer } from '../local-servers';
import { readProvisionedPaths, scratchDir, startMongoWire, startTemporalDev } from '../local-servers';
import { seedReferenceData } from '../seed';
import type { PayloadKeys } from '../../platform/payload-codec';
import { dataConverterOf, newPayloadKeyEntry, parsePayloadKeys } from '../../platform/payload-codec';

export interface BenchStack {
  db: Db;
  /** A client of the same Temporal server, for the raw baseline and for reading histories. */
  temporal: Client;
  nativeConnection: NativeConnection;
  /** Sends a request to the API as `as` and answers the status and the parsed body. */
  http(
    method: 'GET' | 'POST',
    url: string,
    as: Principal,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }>;
  /** The data converter of the stack's clients and worker (encrypted payloads): the raw baseline's worker uses it too. */
  dataConverter: DataConverter;
  /** The keys the stack encrypts payloads and seals webhook secrets with. */
  payloadKeys: PayloadKeys;
  /** The API's base URL (loopback). */
  base: string;
  /** A bearer token of `p`, signed with the stack's secret. */
  token(p: Principal): string;
  /** CPU seconds used so far by this process and by each server (Linux; NaN elsewhere). */
  cpu(): CpuSeconds;
  close(): Promise<void>;
}

export interface CpuSeconds {
  process: number;
  temporal: number;
  database: number;
}

/** user + system CPU seconds of a child process, from /proc (clock ticks of 1/100 s). */
function childCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const SECRET = 'bench-secret-bench-secret-bench-secret';
export const TASK_QUEUE = 'bench';

export interface BenchStackOptions {
  /** The API's abuse limits (the contract run sends many unauthenticated requests from one address). */
  limits?: { authFailuresPerMinute?: number; applicationsPerMinute?: number };
}

export async function startBenchStack(opts: BenchStackOptions = {}): Promise<BenchStack> {
  const paths = readProvisionedPaths();
  // Logs in the temporary folder; the database's files in memory where the machine allows it, gone at the end.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpi-bench-'));
  const data = scratchDir('cpi-bench-data-');
  const servers: RunningServer[] = [];
  // Stopped with the process, however it ends (a bench interrupted must not leave servers behind).
  process.once('exit', () => {
    for (const s of servers) s.child?.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const mongo = await startMongoWire({
    paths,
    dataDir: data,
    logFile: path.join(dir, 'db.log'),
  });
  servers.push(mongo);
  const temporalServer = await startTemporalDev({
    cli: paths.temporalCli,
    logFile: path.join(dir, 'temporal.log'),
  });
  servers.push(temporalServer);
  const logger = createLogger({ level: 'error', format: 'pretty', service: 'bench' });
  installTemporalRuntime(logger);
  const address = `127.0.0.1:${temporalServer.port}`;
  const db = await connectDb(`${mongo.uri}bench`);
  await seedReferenceData(db);
  const nativeConnection = await NativeConnection.connect({ address });
  // Payloads are encrypted as in production (platform/payload-codec.ts), so the figures include the codec.
  const payloadKeys = parsePayloadKeys(newPayloadKeyEntry('bench'));
  // The worker as deployed (worker/main.ts), with its default bounds.
  const worker: Worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    db,
    logger,
    payloadKeys,
    ...(process.env.BENCH_CACHED_WORKFLOWS
      ? { limits: { cachedWorkflows: Number(process.env.BENCH_CACHED_WORKFLOWS) } }
      : {}),
  });
  const workerRun = worker.run();
  const api = await connectApi(
    {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      JWT_SECRET: SECRET,
      BODY_LIMIT: '1mb',
      UPDATE_TIMEOUT_MS: 30_000,
      PAYLOAD_KEYS: payloadKeys,
      // Subscriptions made here (the contract run generates them) name nothing but this machine, and no webhook
      // worker runs: nothing is delivered.
      WEBHOOK_LOOPBACK_ONLY: true,
      ...(opts.limits?.authFailuresPerMinute
        ? { AUTH_FAILURES_PER_MINUTE: opts.limits.authFailuresPerMinute }
        : {}),
      ...(opts.limits?.applicationsPerMinute
        ? { APPLICATIONS_PER_MINUTE: opts.limits.applicationsPerMinute }
        : {}),
    },
    db,
    logger,
  );
  const server: Server = api.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connection = await Connection.connect({ address });
  const temporal = new Client({
    connection,
    namespace: 'default',
    dataConverter: dataConverterOf(payloadKeys),
  });
  const tokens = new Map<string, string>();
  const tokenOf = (as: Principal): string => {
    let token = tokens.get(as.sub);
    if (!token) {
      token = signToken(as, SECRET, '2h');
      tokens.set(as.sub, token);
    }
    return token;
  };
  return {
    db,
    temporal,
    nativeConnection,
    dataConverter: dataConverterOf(payloadKeys),
    payloadKeys,
    base,
    token: tokenOf,
    async http(method, url, as, body) {
      const token = tokenOf(as);
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    cpu() {
      const self = process.cpuUsage();
      return {
        process: (self.user + self.system) / 1e6,
        temporal: childCpuSeconds(temporalServer.child?.pid),
        database: childCpuSeconds(mongo.child?.pid),
      };
    },
    async close() {
      server.close();
      worker.shutdown();
      await workerRun;
      await api.close();
      await connection.close();
      await nativeConnection.close();
      await db.close();
      for (const s of servers.reverse()) await s.stop();
    },
  };
}

/** The process's resident set, in MiB. */
export function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `work(i)` for i in [0, n) with `inFlight` at a time; `progress` hears each one done. */
export async function inFlight(
  n: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
  progress?: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next;
        next += 1;
        await work(i);
        done += 1;
        progress?.(done);
      }
    }),
  );
}

/** A progress line on stderr, rewritten in place. */
export function progressLine(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
  else process.stderr.write(`${text}\n`);
}
