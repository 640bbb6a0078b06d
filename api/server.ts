/** API entry: parse config, connect, listen, shut down cleanly on SIGTERM/SIGINT. */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../platform/config';
import { connectDb } from '../platform/db';
import { createLogger } from '../platform/logger';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'api' });
  const db = await connectDb(config.MONGODB_URI);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({
    db,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    jwtSecret: config.JWT_SECRET,
    logger,
    bodyLimit: config.BODY_LIMIT,
  });
  const server: Server = app.listen(config.PORT, () => logger.info('api listening', { port: config.PORT }));
  const stop = (signal: string): void => {
    logger.info('api stopping', { signal });
    server.close(() => {
      void Promise.all([connection.close(), db.close()]).then(() => process.exit(0));
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
