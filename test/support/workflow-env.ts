import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { readProvisionedPaths } from '../../scripts/local-servers';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor, CaseAck, CaseStart, CaseView } from '../../domain/case-model';
import { PROCEDURES } from '../../domain/catalogue';
import { RELAYS } from '../../domain/procedure';
import { caseQuery, completeTaskUpdate, newsUpdate, settledUpdate } from '../../workflows/messages';
import { romeDate } from '../../domain/dates';
import { findOffice, officeCalendar } from '../../domain/offices';
import type { ActivityDeps } from '../../activities';
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import type { WorkflowBundle } from '../../worker/create-worker';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { installTemporalRuntime } from '../../worker/runtime';
import { testMongoUri, testTemporalAddress, timeSkippingServerPath, uniqueName } from './env';

/** One time-skipping server, one database and one workflow bundle per test file. */
export interface WorkflowTestContext {
  env: TestWorkflowEnvironment;
  db: Db;
  bundle: WorkflowBundle;
  taskQueue: string;
  /** Cases the current test opened, ended by withWorker in any case. */
  started: string[];
  server: 'time-skipping' | 'dev';
  /** Servers replaced because their clock stayed locked, stopped with the suite. */
  retired: TestWorkflowEnvironment[];
}

/**
 * Declares the suite's set-up and tear-down and returns its context, filled in before the first test runs (one
 * time-skipping server, one database and one bundle per file).
 */
export function workflowSuite(server: 'time-skipping' | 'dev' = 'time-skipping'): WorkflowTestContext {
  const ctx = {} as WorkflowTestContext;
  if (server === 'time-skipping') {
    // Rarely, under load, the time-skipping server keeps a workflow task of a case open and its clock locked for
    // good (see README, known limits). Such a test runs once more, on a fresh server (withWorker checks the clock),
    // and its first failure is printed.
    jest.retryTimes(1, { logErrorsBeforeRetry: true });
  }
  beforeAll(async () => {
    Object.assign(ctx, await setUpWorkflowTests(server));
  }, 120_000);
  afterAll(() => tearDownWorkflowTests('env' in ctx ? ctx : undefined));
  return ctx;
}

/**
 * `dev` runs the suite on the run's Temporal dev server (real time: its tests never sleep), for what the
 * time-skipping server does not do faithfully: many workflows signalling a case while it continues as new.
 */
async function setUpWorkflowTests(server: 'time-skipping' | 'dev'): Promise<WorkflowTestContext> {
  installTemporalRuntime(
    createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', format: 'pretty', service: 'test' }),
  );
  const [env, db, bundle] = await Promise.all([
    server === 'dev'
      ? TestWorkflowEnvironment.createFromExistingServer({ address: testTemporalAddress() })
      : timeSkippingServer(),
    connectDb(testMongoUri(), { dbName: uniqueName('wf') }),
    bundleWorkflows(),
  ]);
  return { env, db, bundle, taskQueue: uniqueName('tq'), started: [], server, retired: [] };
}

function timeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
  });
}

/**
 * A time-skipping server whose clock no longer skips (a minute does not pass in two seconds) is replaced by a
 * fresh one: a workflow task it kept open would hold every later test of the file.
 */
async function ensureClockSkips(ctx: WorkflowTestContext): Promise<void> {
  if (ctx.server !== 'time-skipping') return;
  const skips = await cancellableSleep(ctx, 60_000, 2_000);
  if (skips) return;
  process.stderr.write('time-skipping server stuck: starting a fresh one for the next test\n');
  // Stopped with the suite, not now: a call of the failed test still waiting on it must not fail the suite.
  ctx.retired.push(ctx.env);
  ctx.env = await timeSkippingServer();
}

async function tearDownWorkflowTests(ctx: WorkflowTestContext | undefined): Promise<void> {
  if (!ctx) return;
  await ctx.db.connection.dropDatabase().catch(() => undefined);
  await ctx.db.close();
  await ctx.env.teardown();
  for (const env of ctx.retired) await env.teardown().catch(() => undefined);
}

/** Runs `fn` while a worker polls the suite's task queue. */
export async function withWorker<T>(
  ctx: WorkflowTestContext,
  fn: () => Promise<T>,
  deps: Omit<ActivityDeps, 'db'> = {},
): Promise<T> {
  await ensureClockSkips(ctx);
  // A queue of its own per test: a worker left behind by a failed test cannot steal the next test's tasks.
  ctx.taskQueue = uniqueName('tq');
  const worker = await createWorker({
    connection: ctx.env.nativeConnection,
    namespace: ctx.env.namespace ?? 'default',
    taskQueue: ctx.taskQueue,
    db: ctx.db,
    bundle: ctx.bundle,
    ...deps,
    // A stuck activity from a failed test must not hold the shutdown, and so the next test, for ever.
    extra: { shutdownForceTime: '10 seconds' },
  });
  return worker.runUntil(async () => {
    try {
      return await fn();
    } finally {
      // A test may leave a case running (a failed one, or one that ends its case by terminating it). End it while
      // the worker still runs, so that no task of it is left half done: a pending task on a queue with no worker
      // stops the time-skipping server from skipping time for every later test.
      await endStarted(ctx);
    }
  });
}

async function endStarted(ctx: WorkflowTestContext): Promise<void> {
  for (const id of ctx.started.splice(0).flatMap(withChildren)) {
    const handle = ctx.env.client.workflow.getHandle(id);
    // Settled first: a case ended in the middle of a workflow task (a local activity running) can leave the
    // time-skipping server's clock locked for the tests after.
    await within(ctx.env.connection, 5_000, () => handle.executeUpdate(settledUpdate)).catch(() => null);
    await handle.terminate('test ended').catch(() => undefined); // already ended, or never opened
  }
}

/**
 * A collective-dismissal case opens its workers' cases with ids derived from its own (…W001, …W002): a test that
 * fails midway must end those too, or they block time skipping for the tests after it.
 */
function withChildren(caseId: string): string[] {
  const [code, year, id] = caseId.split('-');
  if (code !== 'MOB') return [caseId];
  return [
    caseId,
    ...Array.from({ length: 30 }, (_, i) => `PIC-${year}-${id}W${String(i + 1).padStart(3, '0')}`),
  ];
}

export async function today(ctx: WorkflowTestContext): Promise<string> {
  return romeDate(await ctx.env.currentTimeMs());
}

export function caseStart(caseId: string, input: object, office = 'lucca'): CaseStart {
  const o = findOffice(office);
  if (!o) throw new Error(office);
  return {
    caseId,
    procedure: caseId.split('-')[0] ?? 'CIGO',
    office,
    officeCalendar: officeCalendar(o),
    serviceTargetWorkingDays: o.serviceTargetWorkingDays,
    input: input as Record<string, unknown>,
    openedBy: { sub: 'officer-lucca', role: 'officer' },
  };
}

export function openTask(view: CaseView, key: string): CaseView['tasks'][number] {
  const t = view.tasks.find((x) => x.key === key && x.status === 'open');
  if (!t)
    throw new Error(
      `no open task ${key}; tasks: ${view.tasks.map((x) => `${x.key}:${x.status}`).join(', ')}`,
    );
  return t;
}

/** The failure type of a refused Update, or 'accepted'. */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
      return err.cause.type ?? 'untyped';
    throw err;
  }
}

export type CaseWorkflow = (start: CaseStart) => Promise<CaseView>;
export type Handle = WorkflowHandle<CaseWorkflow>;

export const testOfficer = { sub: 'officer-lucca', role: 'officer' as const };

/** Starts a case of `workflowType` on the suite's queue and waits until it has settled. */
export async function openCase(
  ctx: WorkflowTestContext,
  workflowType: string,
  input: object,
  office = 'lucca',
  /** Further workflow arguments after the start (a procedure's options, such as a lowered continue-as-new threshold). */
  more: unknown[] = [],
): Promise<{ caseId: string; handle: Handle; view: CaseView }> {
  const code = PROCEDURES.find((p) => p.workflowType === workflowType)?.code ?? workflowType;
  const caseId = uniqueName(`${code}-2026`).replace('_', '-');
  const handle = await ctx.env.client.workflow.start<CaseWorkflow>(workflowType, {
    workflowId: caseId,
    taskQueue: ctx.taskQueue,
    args: [caseStart(caseId, input, office), ...more] as [CaseStart],
  });
  ctx.started.push(caseId);
  await handle.executeUpdate(settledUpdate);
  return { caseId, handle, view: await handle.query(caseQuery) };
}

/** Sends an Update and answers the case as it stands after it (Updates answer an acknowledgement only). */
export async function act<Arg>(
  handle: Handle,
  def: UpdateDefinition<CaseAck, [Arg]>,
  arg: Arg,
): Promise<CaseView> {
  const ack = await handle.executeUpdate(def, { args: [arg] });
  const view = await handle.query(caseQuery);
  if (view.version < ack.version)
    throw new Error(`the case went back from ${ack.version} to ${view.version}`);
  return view;
}

export function completeTask(
  handle: Handle,
  taskId: string,
  outcome: string,
  data: Record<string, unknown> = {},
  actor: Actor = testOfficer,
): Promise<CaseView> {
  return act(handle, completeTaskUpdate, { taskId, outcome, data, actor });
}

export function sendNews(
  handle: Handle,
  type: string,
  data: Record<string, unknown>,
  actor: Actor = { sub: 'integrator', role: 'integrator' },
): Promise<CaseView> {
  // These suites test the procedures, not who may send what: the sender relays every party's news.
  return act(handle, newsUpdate, { type, data, actor, relays: [...RELAYS] });
}

/**
 * Waits until a condition holds on the case: what happens behind a call to the outside world, or a child's
 * signal, reaches the case after the Update that led to it answered.
 */
export async function until(handle: Handle, pred: (v: CaseView) => boolean): Promise<CaseView> {
  for (let i = 0; i < 100; i += 1) {
    // A case opened in the background does not answer until it exists; a query sent while a case continues as
    // new may never be answered by the time-skipping server: it is given up after a while and sent again.
    const v = await within(handle.client.connection, 2_000, () => handle.query(caseQuery)).catch(() => null);
    if (v && pred(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met; case at ${(await handle.query(caseQuery)).step}`);
}

/** Skips time to an hour after an instant (never a fixed span: holidays move terms). */
export async function sleepPastInstant(ctx: WorkflowTestContext, instant: string | number): Promise<void> {
  const at = typeof instant === 'number' ? instant : Date.parse(instant);
  const ms = at - (await ctx.env.currentTimeMs()) + 3_600_000;
  if (ms <= 0) return;
  // The server skips time only when nothing is in progress: a sleep that takes real time is a test left stuck.
  if (!(await cancellableSleep(ctx, ms, 20_000))) {
    throw new Error(
      `the time-skipping server did not skip to ${new Date(at).toISOString()}; now ${new Date(
        await ctx.env.currentTimeMs(),
      ).toISOString()}; cases: ${await whatRuns(ctx)}`,
    );
  }
}

/** What the test's cases are doing, for a test that is stuck: each one's status, pending task and last events. */
async function whatRuns(ctx: WorkflowTestContext): Promise<string> {
  const out: string[] = [];
  for (const id of ctx.started) {
    const handle = ctx.env.client.workflow.getHandle(id);
    const d = await handle.describe().catch(() => null);
    if (!d) continue;
    const events = (await handle.fetchHistory().catch(() => null))?.events ?? [];
    const last = events.slice(-8).map((e) => String(e.eventType));
    out.push(
      `${id} ${d.status.name} pendingTask=${JSON.stringify(d.raw.pendingWorkflowTask ?? null)} ` +
        `activities=${d.raw.pendingActivities?.length ?? 0} last=[${last.join(',')}]`,
    );
  }
  return out.join(' | ') || 'none';
}

/**
 * What `call` answers, or null when it takes more than `ms` of real time: the call is then cancelled, so that it
 * cannot fail later, once its server is gone.
 */
async function within<T>(
  connection: { withAbortSignal<R>(signal: AbortSignal, fn: () => Promise<R>): Promise<R> },
  ms: number,
  call: () => Promise<T>,
): Promise<T | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    return await connection.withAbortSignal(abort.signal, call);
  } catch (err) {
    if (abort.signal.aborted) return null;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Skips `ms` of the server's time; false if that takes more than `bound` ms of real time (the call cancelled). */
async function cancellableSleep(ctx: WorkflowTestContext, ms: number, bound: number): Promise<boolean> {
  return (await within(ctx.env.connection, bound, () => ctx.env.sleep(ms).then(() => true))) === true;
}

/** Skips time past a deadline of the case, as the case computed it. */
export async function sleepPastDeadline(
  ctx: WorkflowTestContext,
  handle: Handle,
  deadlineId: string,
): Promise<CaseView> {
  // A step behind a call to the outside world (an adapter) sets its terms after the Update that led to it answered.
  const v = await until(handle, (x) => x.deadlines.some((d) => d.id === deadlineId)).catch(() => null);
  const d = v?.deadlines.find((x) => x.id === deadlineId);
  if (!d) throw new Error(`no deadline ${deadlineId}`);
  await sleepPastInstant(ctx, d.dueAt);
  return handle.query(caseQuery);
}

/**
 * With RECORD_HISTORIES=1, saves the case's history for test/workflows/replay.test.ts, which replays it against
 * later code. The CLI's JSON export is the format Worker.runReplayHistory reads.
 */
export function recordHistory(ctx: WorkflowTestContext, caseId: string, file: string): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const out = execFileSync(readProvisionedPaths().temporalCli, [
    'workflow',
    'show',
    '--address',
    ctx.env.address,
    '-w',
    caseId,
    '--output',
    'json',
  ]);
  writeFileSync(path.join(__dirname, '..', 'histories', file), out);
}
