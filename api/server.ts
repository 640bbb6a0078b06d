/** API entry: parse config, connect, listen, shut down cleanly on SIGTERM/SIGINT. */
import type { Server } from 'node:http';
import { loadConfigOrExit } from '../platform/config';
import { connectDb } from '../platform/db';
import { createLogger } from '../platform/logger';
import { connectApi } from './connect';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'api' });
  const db = await connectDb(config.MONGODB_URI);
  const { app, close } = await connectApi(config, db, logger);
  const server: Server = app.listen(config.PORT, () => logger.info('api listening', { port: config.PORT }));
  const stop = (signal: string): void => {
    logger.info('api stopping', { signal });
    server.close(() => {
      void Promise.all([close(), db.close()]).then(() => process.exit(0));
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
