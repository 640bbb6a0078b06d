/**
 * Starts the real servers the suites need, once per run: a MongoDB-wire server (FerretDB on SQLite, unless
 * MONGODB_URI points at a real MongoDB) and a Temporal dev server. Workflow suites start their own time-skipping
 * server (time is global to it, so one per file). Connection details reach the test workers through env vars.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningServer } from '../../scripts/local-servers';
import { buildConsole } from '../../scripts/build-console';
import {
  readProvisionedPaths,
  scratchDir,
  startMongoWire,
  startTemporalDev,
} from '../../scripts/local-servers';

declare global {
  var __CPI_SERVERS__: RunningServer[] | undefined;
  var __CPI_DATA_DIR__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const paths = readProvisionedPaths();
  // Logs stay in the temporary folder (a failing run names them); the database's files live in memory where
  // the machine allows it, and go with the run.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpi-test-'));
  const data = scratchDir('cpi-test-data-');
  globalThis.__CPI_DATA_DIR__ = data;
  const servers: RunningServer[] = [];
  globalThis.__CPI_SERVERS__ = servers;
  // If jest dies without running the teardown, do not leave servers (or their data) behind.
  process.once('exit', () => {
    for (const s of servers) s.child?.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  const started = Date.now();
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
  } else {
    const mongo = await startMongoWire({
      paths,
      dataDir: data,
      logFile: path.join(dir, 'db.log'),
    });
    servers.push(mongo);
    process.env.TEST_MONGODB_URI = mongo.uri;
  }
  const temporal = await startTemporalDev({
    cli: paths.temporalCli,
    logFile: path.join(dir, 'temporal.log'),
  });
  servers.push(temporal);
  process.env.TEST_TEMPORAL_ADDRESS = `127.0.0.1:${temporal.port}`;
  process.env.TEST_TIME_SKIPPING_SERVER = paths.temporalTestServer;
  process.env.TEST_LOG_DIR = dir;
  process.env.TEST_CHROMIUM = paths.chromium;
  // The console's pages, as `npm run build` makes them: the browser suite loads them from the API.
  await buildConsole();
  process.stderr.write(
    `\n[test servers] database ${process.env.TEST_MONGODB_URI}, temporal ${process.env.TEST_TEMPORAL_ADDRESS}, up in ${Date.now() - started} ms (logs in ${dir})\n`,
  );
}
