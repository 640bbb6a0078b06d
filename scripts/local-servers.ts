/**
 * Starts and stops the local servers that `npm run dev` and the tests use: the Temporal dev server, the
 * time-skipping test server's binary path, and a MongoDB-wire server (FerretDB on SQLite, or mongod).
 * Paths come from .tools/paths.env, written by scripts/provision.sh.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export interface ProvisionedPaths {
  temporalCli: string;
  temporalTestServer: string;
  mongoKind: 'ferretdb' | 'mongod' | 'memory-server' | 'uri';
  mongoBin: string;
  /** Chromium for the console's browser tests (empty when none was found). */
  chromium: string;
}

/**
 * Where throw-away server data goes (tests, benchmarks): memory (`/dev/shm`) where the machine has it, so that
 * the SQLite files under FerretDB cost no disk flushes; the system's temporary folder otherwise.
 */
export function scratchDir(prefix: string): string {
  const base = process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  return mkdtempSync(path.join(base, prefix));
}

export function readProvisionedPaths(): ProvisionedPaths {
  const file = path.join(ROOT, '.tools', 'paths.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: run 'npm run provision' (bash scripts/provision.sh) first`);
  }
  const env = Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    temporalCli: env.TEMPORAL_CLI ?? '',
    temporalTestServer: env.TEMPORAL_TEST_SERVER ?? '',
    mongoKind: (env.MONGO_KIND || 'uri') as ProvisionedPaths['mongoKind'],
    mongoBin: env.MONGO_BIN ?? '',
    chromium: env.CHROMIUM ?? '',
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForPort(
  port: number,
  child: ChildProcess,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

export interface RunningServer {
  name: string;
  child?: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

function launch(name: string, bin: string, args: string[], logFile: string): ChildProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  return spawn(bin, args, { stdio: ['ignore', out, out], detached: false });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** The Temporal dev server; with `dbFile` its state survives restarts, otherwise it is in memory. */
export async function startTemporalDev(opts: {
  cli: string;
  port?: number;
  uiPort?: number | null;
  dbFile?: string;
  logFile: string;
}): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  // Updates are on by default in recent servers; the flags keep older CLIs working too.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  const child = launch('temporal', opts.cli, args, opts.logFile);
  await waitForPort(port, child, 'the Temporal dev server');
  return { name: 'temporal', child, port, stop: stopper(child) };
}

/** A MongoDB-wire server with its data under `dataDir`. */
export async function startMongoWire(opts: {
  paths: ProvisionedPaths;
  dataDir: string;
  port?: number;
  logFile: string;
}): Promise<RunningServer & { uri: string }> {
  const port = opts.port ?? (await freePort());
  mkdirSync(opts.dataDir, { recursive: true });
  if (opts.paths.mongoKind === 'memory-server') {
    // Downloads a real mongod on first use (needs internet); data stays in dataDir across restarts.
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const server = await MongoMemoryServer.create({
      instance: { ip: '127.0.0.1', port, dbPath: opts.dataDir, storageEngine: 'wiredTiger' },
    });
    return {
      name: 'mongodb-memory-server',
      port,
      uri: `mongodb://127.0.0.1:${port}/`,
      stop: async () => {
        await server.stop({ doCleanup: false });
      },
    };
  }
  let child: ChildProcess;
  if (opts.paths.mongoKind === 'ferretdb') {
    child = launch(
      'ferretdb',
      opts.paths.mongoBin,
      ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-dir', opts.dataDir],
      opts.logFile,
    );
  } else if (opts.paths.mongoKind === 'mongod') {
    child = launch(
      'mongod',
      opts.paths.mongoBin,
      ['--bind_ip', '127.0.0.1', '--port', String(port), '--dbpath', opts.dataDir],
      opts.logFile,
    );
  } else {
    throw new Error('no local database server was provisioned: set MONGODB_URI');
  }
  await waitForPort(port, child, `the database server (${opts.paths.mongoKind})`);
  return {
    name: opts.paths.mongoKind,
    child,
    port,
    uri: `mongodb://127.0.0.1:${port}/`,
    stop: stopper(child),
  };
}
