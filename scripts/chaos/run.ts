/**
 * The fault suite (issue 12 §2): the whole stack as separate processes (FerretDB on SQLite files, the Temporal dev
 * server on its SQLite file, the API and the worker as deployed), `cases` CIGO cases worked through the HTTP API at
 * once, each step sent with an Idempotency-Key and retried on a 5xx, a 429 or a broken connection. While they run,
 * the worker, then the Temporal dev server, then the database server are killed with SIGKILL and started again on
 * the same files. Then every case is checked against the engine and the read model. Used by `npm run chaos` and,
 * smaller, by `test/api/chaos.test.ts`.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { Principal } from '../../api/auth';
import { signToken } from '../../api/auth';
import type { CaseView } from '../../domain/case-model';
import { INSTITUTIONAL_RELAYS } from '../../domain/procedure';
import { addDays, romeDate } from '../../domain/dates';
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import { dataConverterOf, newPayloadKeyEntry, parsePayloadKeys } from '../../platform/payload-codec';
import { caseQuery } from '../../workflows/messages';
import { bundleWorkflows } from '../../worker/create-worker';
import type { RunningServer } from '../local-servers';
import {
  ROOT,
  freePort,
  readProvisionedPaths,
  startMongoWire,
  startTemporalDev,
  waitForPort,
} from '../local-servers';
import { seedReferenceData } from '../seed';

export type Fault = 'worker' | 'temporal' | 'database';

export interface ChaosOptions {
  cases: number;
  /** The processes killed, in order, as the work passes 15 %, 40 % and 65 % of its steps. */
  faults: Fault[];
  /** How long a killed process stays down before it is started again. */
  downMs?: number;
  /** Where the servers keep their files and the processes write their logs. */
  dir: string;
  /** How long one case may take, retries included, before its client gives up. */
  caseDeadlineMs?: number;
  progress?: (line: string) => void;
}

export interface FaultRecord {
  what: Fault;
  /** Seconds from the start of the work. */
  atSeconds: number;
  stepsDone: number;
  /** From the kill to the next step answered successfully. */
  recoveredAfterSeconds: number | null;
}

export interface ChaosFigures {
  cases: number;
  started: number;
  completed: number;
  lost: number;
  duplicated: number;
  gaps: number;
  disagreements: number;
  /** Refusals (4xx other than 429) that a correct client should never get. */
  refused: number;
  retries: number;
  /** Transient answers the clients retried, by status (`network` for a broken connection). */
  transient: Record<string, number>;
  /** Processes that died on their own and were started again by the supervisor (as a deployment's restart policy). */
  unplannedRestarts: Record<string, number>;
  faults: FaultRecord[];
  seconds: number;
  /** A webhook subscription to a receiver in this process, made before the work: what reached it. */
  webhooks: {
    /** The events of the started cases, which the receiver must get. */
    events: number;
    received: number;
    /** Events never received by the end of the wait. */
    missing: number;
    /** Cases whose events arrived out of order (a repeat of the latest one is allowed: at least once). */
    outOfOrder: number;
    /** POSTs of an event already received (at least once, not exactly once). */
    repeats: number;
    /** Seconds from the end of the work until the last event arrived. */
    drainSeconds: number;
  };
  details: string[];
}

const STEPS_PER_CASE = 6;
const officer: Principal = { sub: 'officer-lucca', role: 'officer', offices: ['lucca'] };
const admin: Principal = { sub: 'admin', role: 'admin', offices: [] };
const relay: Principal = {
  sub: 'relay-institutions',
  role: 'integrator',
  offices: [],
  relays: [...INSTITUTIONAL_RELAYS],
};

/** A process the supervisor keeps running: started again after an unplanned exit, or after a kill when told to. */
class Supervised {
  private current: { child?: ChildProcess; stop(): Promise<void> } | null = null;
  private stopping = false;
  private held = false;
  unplannedRestarts = 0;

  constructor(
    readonly name: string,
    private readonly launch: () => Promise<{ child?: ChildProcess; stop(): Promise<void> }>,
  ) {}

  async start(): Promise<void> {
    const running = await this.launch();
    this.current = running;
    running.child?.once('exit', () => {
      if (this.stopping || this.held || this.current !== running) return;
      // Died by itself: started again, as `restart: unless-stopped` would.
      this.unplannedRestarts += 1;
      setTimeout(() => void this.start().catch(() => undefined), 500);
    });
  }

  /** SIGKILL, a pause, and a start on the same files and port. */
  async killAndRestart(downMs: number): Promise<void> {
    this.held = true;
    const child = this.current?.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await new Promise((r) => setTimeout(r, downMs));
    this.held = false;
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.stop();
  }
}

function nodeProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  logFile: string,
): { child: ChildProcess; stop(): Promise<void> } {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

interface Answer {
  status: number;
  body: unknown;
}

class TransientError extends Error {}

export async function runChaos(opts: ChaosOptions): Promise<ChaosFigures> {
  const say = opts.progress ?? (() => undefined);
  const downMs = opts.downMs ?? 2000;
  const deadlineMs = opts.caseDeadlineMs ?? 240_000;
  mkdirSync(opts.dir, { recursive: true });
  const paths = readProvisionedPaths();
  const secret = randomBytes(32).toString('hex');
  const keysEntry = newPayloadKeyEntry('chaos');
  const dbPort = await freePort();
  const temporalPort = await freePort();
  const apiPort = await freePort();
  const log = (n: string) => path.join(opts.dir, `${n}.log`);

  const servers: Supervised[] = [];
  const database = new Supervised('database', async () => {
    const s: RunningServer = await startMongoWire({
      paths,
      dataDir: path.join(opts.dir, 'db'),
      port: dbPort,
      logFile: log('database'),
    });
    return s;
  });
  const temporalServer = new Supervised('temporal', () =>
    startTemporalDev({
      cli: paths.temporalCli,
      port: temporalPort,
      dbFile: path.join(opts.dir, 'temporal.db'),
      logFile: log('temporal'),
    }),
  );
  const mongoUri = `mongodb://127.0.0.1:${dbPort}/chaos`;
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  say('bundling the workflows');
  const bundlePath = path.join(opts.dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflows()).code);
  const appEnv: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    MONGODB_URI: mongoUri,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: 'cpi-chaos',
    JWT_SECRET: secret,
    PAYLOAD_KEYS: keysEntry,
    UPDATE_TIMEOUT_MS: '10000',
    WORKFLOW_BUNDLE_PATH: bundlePath,
    // Every client comes from 127.0.0.1: the per-address limits must not throttle the test's own retries.
    AUTH_FAILURES_PER_MINUTE: '100000',
    // The receiver is this process: a short backoff, and enough attempts to outlast every fault.
    WEBHOOK_LOOPBACK_ONLY: 'true',
    WEBHOOK_RETRY_INITIAL_MS: '500',
    WEBHOOK_RETRY_MAX_MS: '2000',
    WEBHOOK_MAX_ATTEMPTS: '100',
  };
  const worker = new Supervised('worker', () =>
    Promise.resolve(nodeProcess('worker', 'worker/main.ts', appEnv, log('worker'))),
  );
  const api = new Supervised('api', async () => {
    const p = nodeProcess('api', 'api/server.ts', { ...appEnv, PORT: String(apiPort) }, log('api'));
    await waitForPort(apiPort, p.child, 'the API', 120_000);
    return p;
  });
  const byFault: Record<Fault, Supervised> = { worker, temporal: temporalServer, database };

  let db: Db | undefined;
  let connection: Connection | undefined;
  let receiverClose: () => Promise<void> = () => Promise.resolve();
  try {
    say('starting the database, Temporal, the worker and the API');
    for (const s of [database, temporalServer]) {
      await s.start();
      servers.push(s);
    }
    db = await connectDb(mongoUri);
    await seedReferenceData(db);
    await worker.start();
    servers.push(worker);
    await api.start();
    servers.push(api);
    connection = await Connection.connect({ address: temporalAddress });
    const client = new Client({
      connection,
      namespace: 'default',
      dataConverter: dataConverterOf(parsePayloadKeys(keysEntry)),
    });

    const base = `http://127.0.0.1:${apiPort}`;
    const tokens = new Map<string, string>([
      [officer.sub, signToken(officer, secret, '2h')],
      [relay.sub, signToken(relay, secret, '2h')],
    ]);
    // A receiver of every event, subscribed before the work (by an administrator: every case is in scope).
    const received: { id: string; caseId: string; seq: number }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          data: { caseId: string; seq: number };
        };
        received.push({
          id: String(req.headers['webhook-id']),
          caseId: body.data.caseId,
          seq: body.data.seq,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverClose = () => new Promise((r) => receiver.close(() => r()));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const subscribed = await fetch(`${base}/v1/subscriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signToken(admin, secret, '2h')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ url: hookUrl, procedures: ['CIGO'] }),
    });
    if (subscribed.status !== 201) throw new Error(`subscribing answered ${subscribed.status}`);
    const figures: ChaosFigures = {
      cases: opts.cases,
      started: 0,
      completed: 0,
      lost: 0,
      duplicated: 0,
      gaps: 0,
      disagreements: 0,
      refused: 0,
      retries: 0,
      transient: {},
      unplannedRestarts: {},
      faults: [],
      seconds: 0,
      webhooks: { events: 0, received: 0, missing: 0, outOfOrder: 0, repeats: 0, drainSeconds: 0 },
      details: [],
    };
    const t0 = Date.now();
    let stepsDone = 0;
    let lastSuccess = 0;
    const totalSteps = opts.cases * STEPS_PER_CASE;
    const pending = [...opts.faults];
    const thresholds = [0.15, 0.4, 0.65];
    let injecting: Promise<void> = Promise.resolve();
    const openFaults: { record: FaultRecord; killedAt: number }[] = [];

    const stepDone = (): void => {
      stepsDone += 1;
      lastSuccess = Date.now();
      for (const f of openFaults)
        if (f.record.recoveredAfterSeconds === null && lastSuccess > f.killedAt + downMs)
          f.record.recoveredAfterSeconds = (lastSuccess - f.killedAt) / 1000;
      const next = pending[0];
      const at = thresholds[opts.faults.length - pending.length];
      if (next && at !== undefined && stepsDone >= at * totalSteps) {
        pending.shift();
        const record: FaultRecord = {
          what: next,
          atSeconds: (Date.now() - t0) / 1000,
          stepsDone,
          recoveredAfterSeconds: null,
        };
        figures.faults.push(record);
        openFaults.push({ record, killedAt: Date.now() });
        say(`kill -9 ${next} after ${stepsDone}/${totalSteps} steps`);
        injecting = injecting.then(() => byFault[next].killAndRestart(downMs));
      }
    };

    const call = async (
      as: Principal,
      method: string,
      url: string,
      body: unknown,
      key: string | undefined,
      deadline: number,
    ): Promise<Answer> => {
      for (let attempt = 0; ; attempt += 1) {
        let wait = Math.min(3000, 250 * 2 ** Math.min(attempt, 4));
        try {
          const res = await fetch(`${base}${url}`, {
            method,
            headers: {
              authorization: `Bearer ${tokens.get(as.sub) ?? ''}`,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          const parsed: unknown = text ? JSON.parse(text) : null;
          if (res.status < 500 && res.status !== 429) return { status: res.status, body: parsed };
          figures.transient[String(res.status)] = (figures.transient[String(res.status)] ?? 0) + 1;
          const after = Number(res.headers.get('retry-after'));
          if (after > 0) wait = Math.min(wait, after * 1000);
        } catch {
          figures.transient.network = (figures.transient.network ?? 0) + 1;
        }
        if (Date.now() + wait > deadline)
          throw new TransientError(`${method} ${url}: no answer before the deadline`);
        figures.retries += 1;
        await new Promise((r) => setTimeout(r, wait));
      }
    };

    const today = romeDate(Date.now());
    const run = randomBytes(3).toString('hex');
    const caseIds: (string | undefined)[] = new Array<string | undefined>(opts.cases);
    const closedSeen: boolean[] = new Array<boolean>(opts.cases).fill(false);
    const units = (i: number): string => `chaos-${run}-${i}`;

    const one = async (i: number): Promise<void> => {
      const deadline = Date.now() + deadlineMs;
      const key = (step: string): string => `chaos-${run}-${i}-${step}`;
      const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
      const input = {
        employer: {
          taxCode: '01234567890',
          name: 'Cartiera del Serchio S.p.A.',
          sector: 'industry',
          averageEmployees: 120,
          solidarityFund: 'none',
        },
        productionUnit: {
          id: units(i),
          address: 'Via Nuova 3',
          municipality: 'Lucca',
          province: 'LU',
          region: 'Toscana',
        },
        cause: 'temporary_market',
        causeDescription: 'Temporary fall in orders',
        suspension: { from: addDays(today, 2), to: addDays(today, 29) },
        workersConcerned: 40,
        reductionHoursPerWeek: 20,
        unionNoticeDate: today,
      };
      const expectOk = (a: Answer, what: string): CaseView => {
        if (a.status !== 200 && a.status !== 201) {
          figures.refused += 1;
          throw new Error(`${what}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
        }
        stepDone();
        return a.body as CaseView;
      };
      const taskOf = (c: CaseView, k: string): string => {
        const t = c.tasks.find((x) => x.key === k && x.status === 'open');
        if (!t) throw new Error(`case ${c.caseId} has no open ${k} (step ${c.step})`);
        return t.taskId;
      };
      try {
        let c = expectOk(
          await call(
            officer,
            'POST',
            '/v1/cases',
            { procedure: 'CIGO', office: 'lucca', input },
            key('open'),
            deadline,
          ),
          'open',
        );
        caseIds[i] = c.caseId;
        await pause();
        const union = taskOf(c, 'union-consultation');
        c = expectOk(
          await call(officer, 'POST', `/v1/tasks/${union}/claim`, undefined, key('claim'), deadline),
          'claim',
        );
        await pause();
        c = expectOk(
          await call(
            officer,
            'POST',
            `/v1/tasks/${union}/complete`,
            { outcome: 'agreement', data: { minutesDate: today } },
            key('union'),
            deadline,
          ),
          'union consultation',
        );
        await pause();
        c = expectOk(
          await call(
            officer,
            'POST',
            `/v1/tasks/${taskOf(c, 'inps-application')}/complete`,
            {
              outcome: 'filed',
              data: {
                filedOn: today,
                inpsProtocol: `INPS-${i}`,
                hoursRequested: 2400,
                technicalReport: true,
              },
            },
            key('filed'),
            deadline,
          ),
          'application filed',
        );
        await pause();
        c = expectOk(
          await call(
            officer,
            'POST',
            `/v1/tasks/${taskOf(c, 'completeness-check')}/complete`,
            { outcome: 'complete', data: {} },
            key('complete'),
            deadline,
          ),
          'completeness',
        );
        await pause();
        c = expectOk(
          await call(
            relay,
            'POST',
            `/v1/cases/${c.caseId}/news`,
            {
              type: 'inps-decision',
              data: {
                decision: 'authorised',
                decidedOn: today,
                protocol: `DEC-${i}`,
                authorised: input.suspension,
              },
            },
            key('decision'),
            deadline,
          ),
          'INPS decision',
        );
        // The decision may wait for the dossier's delivery to INPS; the case then closes by itself.
        while (c.status !== 'closed' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500));
          const got = await call(officer, 'GET', `/v1/cases/${c.caseId}`, undefined, undefined, deadline);
          if (got.status === 200) c = got.body as CaseView;
        }
        closedSeen[i] = c.status === 'closed';
        if (!closedSeen[i])
          figures.details.push(`case ${i} (${c.caseId}) not closed by its deadline: ${c.step}`);
      } catch (err) {
        figures.details.push(`case ${i}: ${(err as Error).message}`);
      }
    };

    say(`${opts.cases} cases in flight`);
    await Promise.all(Array.from({ length: opts.cases }, (_, i) => one(i)));
    await injecting;
    figures.seconds = (Date.now() - t0) / 1000;
    say(`work done in ${figures.seconds.toFixed(1)} s; checking every case`);

    // ---- the checks ----
    const started = caseIds.filter((x): x is string => x !== undefined);
    figures.started = new Set(started).size;
    figures.completed = closedSeen.filter(Boolean).length;
    for (const [i, caseId] of caseIds.entries()) {
      if (!caseId) continue;
      const doc = await db.cases.findById(caseId).lean();
      if (!doc) {
        figures.lost += 1;
        figures.details.push(`lost: ${caseId} acknowledged but not in the read model`);
        continue;
      }
      if (closedSeen[i] && doc.status !== 'closed') {
        figures.lost += 1;
        figures.details.push(`lost: ${caseId} was seen closed, the read model says ${doc.status}`);
      }
      const seqs = (await db.events.find({ caseId }, { seq: 1 }).sort({ seq: 1 }).lean()).map((e) => e.seq);
      if (seqs.length !== doc.version || seqs.some((s, k) => s !== k + 1)) {
        figures.gaps += 1;
        figures.details.push(`gap: ${caseId} version ${doc.version}, events ${seqs.length}`);
      }
      // The workflow's own view (the result once completed), allowed a few seconds to settle.
      let agreed = false;
      let last = '';
      for (let attempt = 0; attempt < 20 && !agreed; attempt += 1) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
        const handle = client.workflow.getHandle(caseId);
        let view: CaseView;
        try {
          const status = (await handle.describe()).status.name;
          view =
            status === 'COMPLETED' ? ((await handle.result()) as CaseView) : await handle.query(caseQuery);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) {
            last = 'no workflow';
            break;
          }
          last = (err as Error).message;
          continue;
        }
        const now = await db.cases.findById(caseId, { version: 1, status: 1, step: 1 }).lean();
        agreed = now?.version === view.version && now.status === view.status && now.step === view.step;
        last = `read model v${now?.version} ${now?.status}/${now?.step}, workflow v${view.version} ${view.status}/${view.step}`;
      }
      if (!agreed) {
        figures.disagreements += 1;
        figures.details.push(`disagrees: ${caseId}: ${last}`);
      }
    }
    // One case per client: in the read model (by the unit each client used) and in the engine.
    for (let i = 0; i < opts.cases; i += 1) {
      const n = await db.cases.countDocuments({ 'input.productionUnit.id': units(i) });
      if (n > 1) {
        figures.duplicated += n - 1;
        figures.details.push(`duplicated: unit ${units(i)} has ${n} cases`);
      }
    }
    const inEngine = (await client.workflow.count('WorkflowType = "cigOrdinaria"')).count;
    if (inEngine > figures.started) {
      figures.duplicated += inEngine - figures.started;
      figures.details.push(
        `duplicated: the engine has ${inEngine} CIGO workflows for ${figures.started} cases`,
      );
    }
    // Every event of every started case reaches the receiver, in order per case, within five minutes.
    const expected = new Set<string>();
    for (const caseId of new Set(started))
      for (const e of await db.events.find({ caseId }, { eventId: 1 }).lean()) expected.add(e.eventId);
    const drainUntil = Date.now() + 300_000;
    const got = (): Set<string> => new Set(received.map((r) => r.id));
    while ([...expected].some((id) => !got().has(id)) && Date.now() < drainUntil)
      await new Promise((r) => setTimeout(r, 250));
    const ids = got();
    const lastSeq = new Map<string, number>();
    const disordered = new Set<string>();
    for (const r of received) {
      if ((lastSeq.get(r.caseId) ?? 0) > r.seq) disordered.add(r.caseId);
      lastSeq.set(r.caseId, Math.max(lastSeq.get(r.caseId) ?? 0, r.seq));
    }
    figures.webhooks = {
      events: expected.size,
      received: [...expected].filter((id) => ids.has(id)).length,
      missing: [...expected].filter((id) => !ids.has(id)).length,
      outOfOrder: disordered.size,
      repeats: received.length - ids.size,
      drainSeconds: (Date.now() - t0) / 1000 - figures.seconds,
    };
    for (const caseId of [...disordered].slice(0, 5)) {
      const order = received.filter((r) => r.caseId === caseId).map((r) => r.seq);
      const positions = (await db.events.find({ caseId }, { seq: 1 }).sort({ _id: 1 }).lean()).map(
        (e) => e.seq,
      );
      figures.details.push(
        `webhooks: the events of ${caseId} arrived out of order: seq ${order.join(',')}; in the feed ${positions.join(',')}`,
      );
    }
    if (figures.webhooks.missing > 0)
      figures.details.push(`webhooks: ${figures.webhooks.missing} events never arrived`);
    for (const s of servers)
      if (s.unplannedRestarts > 0) figures.unplannedRestarts[s.name] = s.unplannedRestarts;
    return figures;
  } finally {
    await receiverClose();
    await connection?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    for (const s of servers.reverse()) await s.stop().catch(() => undefined);
  }
}
