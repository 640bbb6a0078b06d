import path from 'node:path';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { createActivities } from '../activities';
import type { AppLogger } from '../platform/logger';
import { createLogger, temporalLogger } from '../platform/logger';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index');

export type WorkflowBundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;

/** Bundles the workflow code once (tests reuse the bundle across workers); webpack's chatter goes to debug. */
export function bundleWorkflows(logger?: AppLogger): Promise<WorkflowBundle> {
  const quiet = temporalLogger(
    logger ?? createLogger({ level: 'warn', format: 'pretty', service: 'bundler' }),
  );
  return bundleWorkflowCode({
    workflowsPath: require.resolve(WORKFLOWS_PATH),
    logger: {
      ...quiet,
      info: (message: string, meta?: Record<string, unknown>): void => {
        quiet.debug(message, meta);
      },
    },
  });
}

export interface CreateWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  bundle?: WorkflowBundle;
  logger?: AppLogger;
  extra?: Partial<WorkerOptions>;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  const bundle = opts.bundle ?? (await bundleWorkflows(opts.logger));
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: bundle,
    activities: createActivities(opts),
    ...opts.extra,
  });
}
