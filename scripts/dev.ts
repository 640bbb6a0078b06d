/**
 * `npm run dev`: the whole system on embedded defaults, in one command. Starts the Temporal dev server (state in
 * .data/temporal.db), FerretDB on SQLite (.data/db), the worker and the API; seeds offices, demo principals and
 * demo cases; prints the tokens and URLs. Ctrl-C or SIGTERM stops everything; a restart keeps every case.
 * TEMPORAL_ADDRESS or MONGODB_URI, when set, are used instead of the embedded servers.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { DevClock } from '../api/app';
import { connectApi } from '../api/connect';
import { buildConsole } from './build-console';
import { HttpProblem } from '../api/problem';
import { CaseService } from '../api/service';
import { addDays, romeDate } from '../domain/dates';
import { loadConfig, webhookDelivery } from '../platform/config';
import { connectDb } from '../platform/db';
import { createLogger } from '../platform/logger';
import { newPayloadKeyEntry } from '../platform/payload-codec';
import { createWebhookWorker, createWorker } from '../worker/create-worker';
import { installTemporalRuntime } from '../worker/runtime';
import type { RunningServer } from './local-servers';
import { ROOT, readProvisionedPaths, startMongoWire, startTemporalDev } from './local-servers';
import { DEMO_PRINCIPALS, demoTokens, seedReferenceData } from './seed';

const DATA = path.join(ROOT, '.data');

function devSecret(): string {
  const file = path.join(DATA, 'dev-jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The development payload key, made once per checkout like the secret (production gives PAYLOAD_KEYS). */
function devPayloadKeys(): string {
  const file = path.join(DATA, 'dev-payload-keys');
  if (!existsSync(file)) writeFileSync(file, newPayloadKeyEntry('dev-1'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  const t0 = Date.now();
  mkdirSync(DATA, { recursive: true });
  const prov = spawnSync('bash', [path.join(ROOT, 'scripts', 'provision.sh')], { stdio: 'inherit' });
  if (prov.status !== 0) process.exit(prov.status ?? 1);
  const paths = readProvisionedPaths();
  const servers: RunningServer[] = [];

  if (!process.env.MONGODB_URI) {
    const port = Number(process.env.DEV_DB_PORT ?? 27018);
    const db = await startMongoWire({
      paths,
      dataDir: path.join(DATA, 'db'),
      port,
      logFile: path.join(DATA, 'db.log'),
    });
    servers.push(db);
    process.env.MONGODB_URI = `${db.uri}cpi`;
  }
  let uiUrl: string | null = null;
  // The demo clock: an in-memory, time-skipping Temporal whose time an administrator moves forward, so that a
  // procedure can be walked through its legal terms of days in minutes. Its cases live in a database of their own.
  const clockMode = process.env.CPI_DEV_CLOCK === 'skip';
  if (clockMode) process.env.MONGODB_URI = `${process.env.MONGODB_URI ?? ''}-clock`;
  if (!process.env.TEMPORAL_ADDRESS && !clockMode) {
    const port = Number(process.env.DEV_TEMPORAL_PORT ?? 7233);
    const uiPort = Number(process.env.DEV_TEMPORAL_UI_PORT ?? 8233);
    const t = await startTemporalDev({
      cli: paths.temporalCli,
      port,
      uiPort,
      dbFile: path.join(DATA, 'temporal.db'),
      logFile: path.join(DATA, 'temporal.log'),
    });
    servers.push(t);
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  process.env.JWT_SECRET ??= devSecret();
  process.env.PAYLOAD_KEYS ??= devPayloadKeys();
  if (uiUrl) process.env.TEMPORAL_UI_URL ??= uiUrl;
  process.env.CODEC_CORS_ORIGINS ??= uiUrl ? `${uiUrl},${uiUrl.replace('127.0.0.1', 'localhost')}` : '';
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'dev' });
  installTemporalRuntime(logger, { handleSignals: false });
  let devClock: DevClock | undefined;
  let stopClock = (): Promise<void> => Promise.resolve();
  if (clockMode) {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: paths.temporalTestServer } },
    });
    config.TEMPORAL_ADDRESS = env.address;
    devClock = { now: () => env.currentTimeMs(), advance: (ms) => env.sleep(ms) };
    stopClock = () => env.teardown();
  }

  // The console's pages (dist/console), built from console/ at every start: a second or two.
  await buildConsole();
  const db = await connectDb(config.MONGODB_URI);
  // The demo clock's Temporal starts empty: so does its read model.
  if (clockMode) await db.connection.dropDatabase();
  await seedReferenceData(db);
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db,
    logger,
    ...(config.PAYLOAD_KEYS ? { payloadKeys: config.PAYLOAD_KEYS } : {}),
  });
  // Webhook deliveries on their own queue (worker/create-worker.ts), as deployed.
  const hooks = await createWebhookWorker({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db,
    webhooks: webhookDelivery(config),
    concurrency: config.WEBHOOK_CONCURRENCY,
    ...(config.PAYLOAD_KEYS ? { payloadKeys: config.PAYLOAD_KEYS } : {}),
  });
  const workerDone = Promise.all([worker.run(), hooks.run()]);
  const {
    app,
    temporal,
    close: closeApi,
  } = await connectApi(config, db, logger, {
    ...(devClock ? { devClock } : {}),
    // The console's sign-in page offers the demo principals (only here, never in production).
    devPrincipals: demoTokens(config.JWT_SECRET).map((t) => {
      const p = DEMO_PRINCIPALS.find((d) => d.sub === t.sub);
      return { sub: t.sub, name: p?.name ?? t.sub, role: t.role, offices: p?.offices ?? [], token: t.token };
    }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.PORT, '127.0.0.1', () => resolve(s));
  });

  // Demo cases: opened once (the Idempotency-Key makes a restart find them again).
  const service = new CaseService({ db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const today = romeDate(Date.now());
  const demo = demoCases(today);
  for (const d of demo) {
    const officer = DEMO_PRINCIPALS.find((p) => p.offices.length === 1 && p.offices[0] === d.office);
    if (!officer) continue;
    try {
      await service.startCase(officer, { procedure: d.procedure, office: d.office, input: d.input }, d.key);
    } catch (err) {
      // Opened on an earlier day with other dates: the key finds that case, whose body differs. Keep it.
      if (!(err instanceof HttpProblem && err.slug === 'idempotency-key-reused')) throw err;
    }
  }

  const base = `http://127.0.0.1:${config.PORT}`;
  const lines = [
    '',
    `CPI casework is up in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    `  Console        ${base}/console/   (officers and supervisors: pick a demo user)`,
    `  API            ${base}   (health ${base}/healthz, OpenAPI ${base}/openapi.json)`,
    `  Temporal       ${config.TEMPORAL_ADDRESS}${uiUrl ? `   (UI ${uiUrl})` : ''}`,
    `  Database       ${config.MONGODB_URI}`,
    '  Demo tokens (Authorization: Bearer <token>), also written to .data/tokens.json:',
    ...demoTokens(config.JWT_SECRET).map((t) => `    ${t.sub.padEnd(26)} ${t.role.padEnd(10)} ${t.token}`),
    clockMode
      ? '  Demo clock: POST /v1/dev/clock {"days": N} (admin) moves time forward; this mode keeps nothing on restart.'
      : '  Ctrl-C stops everything; cases are kept in .data/.',
    '',
  ];
  writeFileSync(
    path.join(DATA, 'tokens.json'),
    JSON.stringify(Object.fromEntries(demoTokens(config.JWT_SECRET).map((t) => [t.sub, t.token])), null, 2),
  );
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    worker.shutdown();
    hooks.shutdown();
    await workerDone;
    await Promise.all([closeApi(), nativeConnection.close(), db.close()]);
    await stopClock();
    for (const s of servers.reverse()) await s.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `dev stack failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});

/** Demo cases (CIGO, CIGS, FIS, a collective dismissal), opened by the office's officer, dated around today. */
function demoCases(
  today: string,
): { office: string; key: string; procedure: string; input: Record<string, unknown> }[] {
  const unit = (id: string, municipality: string) => ({
    id,
    address: 'Via Provinciale 1',
    municipality,
    province: 'LU',
    region: 'Toscana',
  });
  const cigo = (taxCode: string, name: string, u: ReturnType<typeof unit>) => ({
    employer: { taxCode, name, sector: 'industry', averageEmployees: 85, solidarityFund: 'none' },
    productionUnit: u,
    cause: 'temporary_market',
    causeDescription: 'Temporary drop in orders',
    suspension: { from: addDays(today, 3), to: addDays(today, 30) },
    workersConcerned: 30,
    reductionHoursPerWeek: 20,
    unionNoticeDate: today,
  });
  return [
    {
      office: 'lucca',
      key: 'demo-cigo-lucca',
      procedure: 'CIGO',
      input: cigo('01234567890', 'Cartiera del Serchio S.p.A.', unit('stab-porcari', 'Porcari')),
    },
    {
      office: 'viareggio',
      key: 'demo-cigo-viareggio',
      procedure: 'CIGO',
      input: cigo('09876543210', 'Cantiere Navale Darsena S.r.l.', unit('darsena-1', 'Viareggio')),
    },
    {
      office: 'castelnuovo-barga',
      key: 'demo-cigs-barga',
      procedure: 'CIGS',
      input: {
        employer: {
          taxCode: '01122334455',
          name: 'Metallurgica Valle del Serchio S.p.A.',
          sector: 'industry',
          averageEmployees: 240,
          solidarityFund: 'none',
        },
        productionUnits: [unit('fornaci-1', 'Fornaci di Barga')],
        cause: 'reorganisation',
        causeDescription: 'Conversion of the rolling mill to low-emission furnaces',
        programme: 'New furnaces on line 1, then line 2; operators retrained; full hours back in month 10',
        period: { from: addDays(today, 45), to: addDays(today, 45 + 270) },
        workersConcerned: 60,
        unionNoticeDate: today,
      },
    },
    {
      office: 'castelnuovo-barga',
      key: 'demo-fis-barga',
      procedure: 'FIS',
      input: {
        employer: {
          taxCode: '05566778899',
          name: 'Albergo Le Panie S.r.l.',
          sector: 'services',
          averageEmployees: 9,
          solidarityFund: 'none',
        },
        productionUnit: unit('albergo', 'Castelnuovo di Garfagnana'),
        cause: 'temporary_market',
        causeDescription: 'Bookings cancelled after the landslide on the valley road',
        suspension: { from: addDays(today, 5), to: addDays(today, 32) },
        workersConcerned: 6,
        reductionHoursPerWeek: 24,
        unionNoticeDate: today,
      },
    },
    {
      office: 'viareggio',
      key: 'demo-mob-viareggio',
      procedure: 'MOB',
      input: {
        employer: {
          taxCode: '06677889900',
          name: 'Mobilificio Tirreno S.r.l.',
          sector: 'industry',
          averageEmployees: 95,
          solidarityFund: 'none',
        },
        productionUnits: [unit('camaiore-1', 'Camaiore')],
        openingNotice: {
          sentOn: today,
          reasons: 'The upholstery line closes',
          whyUnavoidable: 'No other line can take the upholsterers',
          redundant: [{ unitId: 'camaiore-1', profile: 'Upholsterer', count: 7 }],
          normallyEmployed: [{ unitId: 'camaiore-1', profile: 'Upholsterer', count: 20 }],
          timetable: 'Dismissals within the quarter',
          socialMeasures: 'Outplacement with the regional agency',
          extraPayments: 'Three months of pay for voluntary leavers',
          recipients: [
            { kind: 'rsa-rsu', name: 'RSU Mobilificio Tirreno', receivedOn: today },
            { kind: 'region', name: 'Regione Toscana - Settore lavoro', receivedOn: today },
          ],
        },
        workforce: { total: 95, women: 30, disabledEmployed: 6, disabledQuota: 5 },
      },
    },
    // Targeted placement: three people asking to enrol at Lucca (their documents check waits in the inbox) and an
    // employer's obligation year starting next January.
    ...(
      [
        ['RSSMRA88C03E715A', 'Maria Rossi', 75, 4000],
        ['VRDLCU88C03E715C', 'Lucia Verdi', 60, 2000],
        ['BNCGNN88C03E715B', 'Gianni Bianchi', 60, 20_000],
      ] as const
    ).map(([taxCode, name, percentage, isee]) => ({
      office: 'lucca',
      key: `demo-l68-${taxCode}`,
      procedure: 'L68I',
      input: {
        person: { taxCode, name, birthDate: '1988-03-03' },
        list: 'art1',
        disability: { category: 'civil-invalid', percentage },
        documents: {
          invalidityReport: { date: addDays(today, -40) },
          functionalReport: { date: addDays(today, -20) },
        },
        unemployedSince: addDays(today, -100),
        servicePactSignedOn: today,
        isee,
        dependants: 1,
        requestedOn: today,
      },
    })),
    {
      office: 'lucca',
      key: 'demo-l68-employer',
      procedure: 'L68O',
      input: {
        employer: { taxCode: '01122334466', name: 'Vetreria Versilia S.r.l.', kind: 'private' },
        year: Number(today.slice(0, 4)) + 1,
      },
    },
  ];
}
