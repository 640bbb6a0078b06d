import path from 'node:path';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { createActivities } from '../activities';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index');

export type WorkflowBundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;

/** Bundles the workflow code once (tests reuse the bundle across workers). */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: require.resolve(WORKFLOWS_PATH) });
}

export interface CreateWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  bundle?: WorkflowBundle;
  extra?: Partial<WorkerOptions>;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  const bundle = opts.bundle ?? (await bundleWorkflows());
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: bundle,
    activities: createActivities(opts),
    ...opts.extra,
  });
}
