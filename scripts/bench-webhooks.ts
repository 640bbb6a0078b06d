/**
 * `npm run bench:webhooks`: webhook delivery against the floor, on the same Temporal dev server in the same run.
 * BENCH_WEBHOOK_EVENTS events (default 2,000: the events of a large collective dismissal) are written to the feed,
 * then a subscription delivers them to a receiver on this machine; the floor is a plain workflow POSTing as many
 * signed bodies, one activity each. Prints the deliveries per second of both, the ratio, the dispatcher's history
 * (events per delivery and runs, continued as new) and the RSS. Bounded; it stops by itself.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import type { Principal } from '../api/auth';
import { appendEvents } from '../platform/feed';
import { newWebhookSecret, postJson, signatureHeader } from '../platform/webhooks';
import { createWebhookWorker } from '../worker/create-worker';
import type { RawPostActivities } from './bench/raw-webhooks';
import { progressLine, rssMiB, startBenchStack } from './bench/stack';

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000);
const admin: Principal = { sub: 'admin', role: 'admin', offices: [] };

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const rssBefore = rssMiB();
  // The receiver: counts what it is sent, answers 204 at once.
  const seen = new Set<string>();
  let posts = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts += 1;
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') seen.add(id);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const hooks = await createWebhookWorker({
    connection: stack.nativeConnection,
    namespace: 'default',
    taskQueue: 'bench',
    db: stack.db,
    payloadKeys: stack.payloadKeys,
    webhooks: { allowPrivate: true, loopbackOnly: true },
  });
  const hooksRun = hooks.run();

  // The floor: the same number of signed POSTs, one activity each, from a plain workflow.
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'case.TaskCompleted', timestamp: new Date().toISOString(), data: {} });
  const rawActivities: RawPostActivities = {
    async rawPost({ i }) {
      const ts = Math.floor(Date.now() / 1000);
      const id = `raw:${i}`;
      const r = await postJson(
        url,
        {
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': signatureHeader([secret], id, ts, body),
        },
        body,
        { timeoutMs: 10_000, allowPrivate: true, loopbackOnly: true },
      );
      if (r.status !== 204) throw new Error(`receiver answered ${r.status ?? r.error}`);
    },
  };
  const rawWorker = await Worker.create({
    connection: stack.nativeConnection,
    namespace: 'default',
    taskQueue: 'bench-raw-webhooks',
    workflowsPath: require.resolve('./bench/raw-webhooks'),
    activities: rawActivities,
    dataConverter: stack.dataConverter,
  });
  const rawRun = rawWorker.run();
  let t = performance.now();
  await stack.temporal.workflow.execute('rawDeliveries', {
    taskQueue: 'bench-raw-webhooks',
    workflowId: `raw-webhooks-${Date.now()}`,
    args: [EVENTS],
  });
  const rawSeconds = (performance.now() - t) / 1000;

  // The events, as a dismissal's projections write them: batches of 20 in the feed.
  const caseId = 'MOB-2026-01BENCHWEBHOOKS0000000000000';
  for (let seq = 1; seq <= EVENTS; seq += 20) {
    await appendEvents(
      stack.db,
      Array.from({ length: Math.min(20, EVENTS - seq + 1) }, (_, k) => ({
        eventId: `${caseId}:${seq + k}`,
        caseId,
        seq: seq + k,
        type: 'TaskCompleted' as const,
        at: new Date().toISOString(),
        actor: { sub: 'officer-lucca', role: 'officer' as const },
        summary: `event ${seq + k}`,
        data: { worker: seq + k },
        office: 'lucca',
        procedure: 'MOB',
        openedBySub: 'officer-lucca',
      })),
    );
  }
  seen.clear();
  t = performance.now();
  const created = await stack.http('POST', '/v1/subscriptions', admin, { url, from: '0000000000000000' });
  if (created.status !== 201) throw new Error(`subscribe answered ${created.status}`);
  const subscriptionId = (created.body as { subscriptionId: string }).subscriptionId;
  const deadline = Date.now() + 30 * 60_000;
  while (seen.size < EVENTS) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size} of ${EVENTS} delivered in 30 minutes`);
    progressLine(`  delivered ${seen.size}/${EVENTS}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const apiSeconds = (performance.now() - t) / 1000;

  // The dispatcher's history: what one delivery costs the engine, and how often it continued as new.
  let runs = 0;
  let historyEvents = 0;
  for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = 'webhook-${subscriptionId}'` })) {
    runs += 1;
    historyEvents += w.historyLength;
  }
  const rawTp = EVENTS / rawSeconds;
  const apiTp = EVENTS / apiSeconds;
  process.stdout.write(
    [
      '',
      `bench:webhooks: ${EVENTS} events to a receiver on this machine, Temporal dev server (in memory) + FerretDB`,
      '  raw = a plain workflow POSTing as many signed bodies, one activity each',
      '  api = a subscription: the dispatcher reads the feed, signs with the sealed secret, records each attempt',
      `throughput  raw ${rawTp.toFixed(1)} deliveries/s  api ${apiTp.toFixed(1)} deliveries/s  api at ${((100 * apiTp) / rawTp).toFixed(0)} % of raw`,
      `receiver    ${seen.size} ids received once or more, ${posts - EVENTS} POSTs in all beyond the raw run's`,
      `history     ${runs} runs of the dispatcher (continued as new), ${historyEvents} events in all: ${(historyEvents / EVENTS).toFixed(1)} per delivery`,
      `memory      rss ${rssBefore.toFixed(0)} MiB before, ${rssMiB().toFixed(0)} MiB after`,
      '',
    ].join('\n'),
  );
  rawWorker.shutdown();
  hooks.shutdown();
  await Promise.all([rawRun, hooksRun]);
  receiver.close();
  await stack.close();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:webhooks failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
