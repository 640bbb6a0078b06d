import { INSTITUTIONAL_RELAYS } from '../../domain/procedure';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Worker } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import type { Express } from 'express';
import type { Principal } from '../../api/auth';
import type { CaseView } from '../../domain/case-model';
import { signToken } from '../../api/auth';
import type { DevClock } from '../../api/app';
import { connectApi } from '../../api/connect';
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { parsePayloadKeys } from '../../platform/payload-codec';
import type { CreateWebhookWorkerOptions, WorkflowBundle } from '../../worker/create-worker';
import { bundleWorkflows, createWebhookWorker, createWorker } from '../../worker/create-worker';
import { installTemporalRuntime } from '../../worker/runtime';
import { seedReferenceData } from '../../scripts/seed';
import { testMongoUri, testTemporalAddress, timeSkippingServerPath, uniqueName } from './env';

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
/** The browser origin the suites' codec endpoint lets in (a Temporal UI). */
export const CODEC_UI_ORIGIN = 'http://temporal-ui.test:8233';
/** The suites' payload keys: the API and the worker encrypt what they send to Temporal, as in production. */
export const PAYLOAD_KEYS = parsePayloadKeys(
  `test-2:${Buffer.alloc(32, 2).toString('base64')},test-1:${Buffer.alloc(32, 1).toString('base64')}`,
);

/** The real stack of one API suite: Temporal dev server, database, a worker in this process and the app. */
export interface ApiStack {
  app: Express;
  db: Db;
  client: Client;
  taskQueue: string;
  bundle: WorkflowBundle;
  nativeConnection: NativeConnection;
  worker: Worker;
  /** The webhook worker, beside the case worker (worker/create-worker.ts). */
  hooks?: Worker;
  workerRun: Promise<void>;
  token(p: Principal): string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export const principals = {
  lucca: { sub: 'officer-lucca', role: 'officer', offices: ['lucca'] },
  lucca2: { sub: 'officer-lucca-2', role: 'officer', offices: ['lucca'] },
  viareggio: { sub: 'officer-viareggio', role: 'officer', offices: ['viareggio'] },
  supervisor: {
    sub: 'supervisor-lu',
    role: 'supervisor',
    offices: ['lucca', 'castelnuovo-barga', 'viareggio'],
  },
  integrator: { sub: 'integrator-portal', role: 'integrator', offices: [] },
  otherIntegrator: { sub: 'integrator-other', role: 'integrator', offices: [] },
  // The institutions' relay (INPS, the Ministry, the Region, training bodies, public bodies, the national portal).
  relay: {
    sub: 'relay-institutions',
    role: 'integrator',
    offices: [],
    relays: [...INSTITUTIONAL_RELAYS],
  },
  admin: { sub: 'admin', role: 'admin', offices: [] },
} satisfies Record<string, Principal>;

/**
 * Starts the stack against the suite's Temporal dev server, or against `temporalAddress` (a time-skipping test
 * server, for suites whose cases must run through legal terms of days).
 */
export async function startApiStack(
  opts: {
    temporalAddress?: string;
    devClock?: DevClock;
    /** More of the API's configuration (an identity provider's settings). */
    config?: Partial<Parameters<typeof connectApi>[0]>;
    /** How the worker delivers webhooks (a short backoff, for receivers that are down a moment). */
    webhooks?: CreateWebhookWorkerOptions['webhooks'];
    /** The console's sign-in offers the suites' principals, as `npm run dev` offers its demo ones. */
    devPrincipals?: boolean;
  } = {},
): Promise<ApiStack> {
  const temporalAddress = opts.temporalAddress ?? testTemporalAddress();
  const logger = createLogger({
    level: process.env.TEST_LOG_LEVEL ?? 'error',
    format: 'pretty',
    service: 'test',
  });
  installTemporalRuntime(logger);
  const db = await connectDb(testMongoUri(), { dbName: uniqueName('api') });
  await seedReferenceData(db);
  const bundle = await bundleWorkflows();
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const taskQueue = uniqueName('api-tq');
  const api = await connectApi(
    {
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      JWT_SECRET,
      BODY_LIMIT: '1mb',
      UPDATE_TIMEOUT_MS: 15_000,
      PAYLOAD_KEYS,
      CODEC_CORS_ORIGINS: [CODEC_UI_ORIGIN],
      TEMPORAL_UI_URL: CODEC_UI_ORIGIN,
      WEBHOOK_LOOPBACK_ONLY: true,
      ...opts.config,
    },
    db,
    logger,
    // Every JSON answer is checked against the body its route declares (api/views.ts).
    {
      checkAnswers: true,
      ...(opts.devClock ? { devClock: opts.devClock } : {}),
      ...(opts.devPrincipals
        ? {
            devPrincipals: Object.values(principals as Record<string, Principal>).map((p) => ({
              sub: p.sub,
              name: p.sub,
              role: p.role,
              offices: p.offices,
              token: signToken(p, JWT_SECRET, '1h'),
            })),
          }
        : {}),
    },
  );
  const stack: ApiStack = {
    app: api.app,
    db,
    client: api.temporal,
    taskQueue,
    bundle,
    nativeConnection,
    worker: undefined as unknown as Worker,
    workerRun: Promise.resolve(),
    token: (p) => signToken(p, JWT_SECRET, '1h'),
    async startWorker() {
      stack.worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        db,
        bundle,
        payloadKeys: PAYLOAD_KEYS,
        extra: { shutdownForceTime: '10 seconds' },
      });
      const hooks = await createWebhookWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        db,
        payloadKeys: PAYLOAD_KEYS,
        // The tests' receivers listen on this machine.
        webhooks: { allowPrivate: true, loopbackOnly: true, ...opts.webhooks },
        extra: { shutdownForceTime: '10 seconds' },
      });
      stack.hooks = hooks;
      stack.workerRun = Promise.all([stack.worker.run(), hooks.run()]).then(() => undefined);
    },
    async stopWorker() {
      stack.worker.shutdown();
      stack.hooks?.shutdown();
      await stack.workerRun;
    },
    async close() {
      await stack.stopWorker().catch(() => undefined);
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
      await api.close();
      await nativeConnection.close();
    },
  };
  await stack.startWorker();
  return stack;
}

/**
 * Reads a case through the API until `pred` holds, every 100 ms, at most `tries` times: the read model follows
 * signals between cases and timers a moment after the action that caused them.
 */
export async function readCaseUntil(
  s: ApiStack,
  caseId: string,
  as: Principal,
  pred: (c: CaseView) => boolean,
  tries = 100,
): Promise<CaseView> {
  for (let i = 0; i < tries; i += 1) {
    const res = await request(s.app)
      .get(`/v1/cases/${caseId}`)
      .set({ Authorization: `Bearer ${s.token(as)}` });
    if (res.status !== 200) throw new Error(`GET /v1/cases/${caseId} answered ${res.status}`);
    if (pred(res.body as CaseView)) return res.body as CaseView;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} never reached the expected state`);
}

/**
 * The stack of a suite whose cases run through terms of days: on a time-skipping test server, wired as the demo
 * clock of `npm run dev` (CPI_DEV_CLOCK=skip), so the test moves time through `POST /v1/dev/clock`.
 */
export async function startTimeSkippingApiStack(
  opts: { devPrincipals?: boolean } = {},
): Promise<{ s: ApiStack; env: TestWorkflowEnvironment }> {
  // The runtime is installed before the test server's client exists (it would create a default one).
  installTemporalRuntime(
    createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', format: 'pretty', service: 'test' }),
  );
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
  });
  const s = await startApiStack({
    ...opts,
    temporalAddress: env.address,
    devClock: { now: () => env.currentTimeMs(), advance: (ms) => env.sleep(ms) },
  });
  // Closing the stack also stops its time-skipping server.
  const closeStack = s.close;
  s.close = async () => {
    await closeStack();
    await env.teardown();
  };
  return { s, env };
}
