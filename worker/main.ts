/** Worker entry for deployment: runs the case workflows and activities against TEMPORAL_ADDRESS and MONGODB_URI. */
import { readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit, webhookDelivery } from '../platform/config';
import { connectDb } from '../platform/db';
import { createLogger } from '../platform/logger';
import { createWebhookWorker, createWorker, workerLimits } from './create-worker';
import { installTemporalRuntime } from './runtime';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'worker' });
  installTemporalRuntime(logger);
  const db = await connectDb(config.MONGODB_URI);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db,
    logger,
    limits: workerLimits(config),
    ...(config.WORKFLOW_BUNDLE_PATH
      ? { bundle: { code: readFileSync(config.WORKFLOW_BUNDLE_PATH, 'utf8') } }
      : {}),
    ...(config.PAYLOAD_KEYS ? { payloadKeys: config.PAYLOAD_KEYS } : {}),
  });
  const hooks = await createWebhookWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db,
    webhooks: webhookDelivery(config),
    concurrency: config.WEBHOOK_CONCURRENCY,
    ...(config.PAYLOAD_KEYS ? { payloadKeys: config.PAYLOAD_KEYS } : {}),
  });
  logger.info('worker started', { taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS });
  // Both workers shut down gracefully on SIGINT/SIGTERM (the SDK installs the handlers); then we close up.
  await Promise.all([worker.run(), hooks.run()]);
  await connection.close();
  await db.close();
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
