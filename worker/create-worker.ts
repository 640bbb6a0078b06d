import path from 'node:path';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { optimize } from 'webpack';
import type { ActivityDeps } from '../activities';
import { createActivities } from '../activities';
import type { Config } from '../platform/config';
import { WORKER_DEFAULTS } from '../platform/config';
import type { AppLogger } from '../platform/logger';
import { createLogger, temporalLogger } from '../platform/logger';
import { dataConverterOf } from '../platform/payload-codec';
import { webhookTaskQueue } from '../platform/webhooks';
import type { WebhookDeliveryOptions } from '../activities/webhooks';
import { createWebhookActivities } from '../activities/webhooks';
import type { PayloadKeys } from '../platform/payload-codec';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index');
/** Failures with their messages in (encrypted) encoded attributes, in workflows and activities alike. */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, '..', 'platform', 'failure-converter');

/** Workflow code bundled once: by `bundleWorkflows`, or read from a file built beforehand (`WORKFLOW_BUNDLE_PATH`). */
export interface WorkflowBundle {
  code: string;
}

/** Bundles the workflow code once (tests reuse the bundle across workers); webpack's chatter goes to debug. */
export function bundleWorkflows(logger?: AppLogger): Promise<WorkflowBundle> {
  const quiet = temporalLogger(
    logger ?? createLogger({ level: 'warn', format: 'pretty', service: 'bundler' }),
  );
  return bundleWorkflowCode({
    workflowsPath: require.resolve(WORKFLOWS_PATH),
    failureConverterPath: require.resolve(FAILURE_CONVERTER_PATH),
    // One file: the procedures that workflows/index.ts imports when a run starts are in it, evaluated on demand.
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [...(config.plugins ?? []), new optimize.LimitChunkCountPlugin({ maxChunks: 1 })],
    }),
    logger: {
      ...quiet,
      info: (message: string, meta?: Record<string, unknown>): void => {
        quiet.debug(message, meta);
      },
    },
  });
}

export interface CreateWorkerOptions extends ActivityDeps {
  /** Keys that encrypt what the worker sends to Temporal (platform/payload-codec.ts); plain payloads otherwise. */
  payloadKeys?: PayloadKeys;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  bundle?: WorkflowBundle;
  logger?: AppLogger;
  /** The worker's bounds (platform/config.ts); the defaults otherwise. */
  limits?: Partial<WorkerLimits>;
  extra?: Partial<WorkerOptions>;
}

export interface WorkerLimits {
  cachedWorkflows: number;
  workflowTasks: number;
  activities: number;
}

/** The worker's bounds from the configuration. */
export function workerLimits(
  config: Pick<Config, 'WORKER_CACHED_WORKFLOWS' | 'WORKER_WORKFLOW_TASKS' | 'WORKER_ACTIVITIES'>,
): WorkerLimits {
  return {
    cachedWorkflows: config.WORKER_CACHED_WORKFLOWS,
    workflowTasks: config.WORKER_WORKFLOW_TASKS,
    activities: config.WORKER_ACTIVITIES,
  };
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  const bundle = opts.bundle ?? (await bundleWorkflows(opts.logger));
  const limits: WorkerLimits = {
    cachedWorkflows: WORKER_DEFAULTS.cachedWorkflows,
    workflowTasks: WORKER_DEFAULTS.workflowTasks,
    activities: WORKER_DEFAULTS.activities,
    ...opts.limits,
  };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: bundle,
    activities: createActivities(opts),
    dataConverter: dataConverterOf(opts.payloadKeys),
    // Bounded memory: a fixed number of cached runs, and a fixed number of tasks at once. Local activities (the
    // read-model writes) run inside workflow tasks, so they are bounded by the same figure as those.
    maxCachedWorkflows: limits.cachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: limits.workflowTasks,
    maxConcurrentActivityTaskExecutions: limits.activities,
    maxConcurrentLocalActivityExecutions: limits.workflowTasks * 2,
    ...opts.extra,
  });
}

export interface CreateWebhookWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The cases' task queue: the webhook worker polls its companion (`webhookTaskQueue`). */
  taskQueue: string;
  db: ActivityDeps['db'];
  /** How webhooks are delivered (defaults: 12 attempts, 10 s each, public addresses only). */
  webhooks?: Partial<WebhookDeliveryOptions>;
  /** The payload keys: they seal the webhook secrets at rest, and encrypt what reaches Temporal. */
  payloadKeys?: PayloadKeys;
  /** Deliveries and waits at once: each live subscription holds one while it waits for events. */
  concurrency?: number;
  extra?: Partial<WorkerOptions>;
}

/**
 * The worker of the webhook activities (activities/webhooks.ts), on a queue of its own: subscriptions waiting for
 * events and receivers slow to answer never take the case activities' slots. Runs beside the case worker.
 */
export function createWebhookWorker(opts: CreateWebhookWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: webhookTaskQueue(opts.taskQueue),
    activities: createWebhookActivities(opts.db, {
      ...opts.webhooks,
      ...(opts.payloadKeys ? { payloadKeys: opts.payloadKeys } : {}),
    }),
    dataConverter: dataConverterOf(opts.payloadKeys),
    maxConcurrentActivityTaskExecutions: opts.concurrency ?? WEBHOOK_WORKER_DEFAULT_CONCURRENCY,
    ...opts.extra,
  });
}

export const WEBHOOK_WORKER_DEFAULT_CONCURRENCY = 200;
