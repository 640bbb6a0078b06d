/**
 * Webhooks on the real stack (issue 13 §3): a real HTTP receiver verifies every delivery's signature with the
 * reference Standard Webhooks library, is down for a while in the middle of a CIGO case, and still receives every
 * event of the case, in order, each id at least once; a receiver that keeps failing parks its subscription after
 * the configured attempts, and a redelivery from the parked position brings everything after it, in order.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { romeDate } from '../../domain/dates';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';

interface Delivery {
  id: string;
  signatures: number;
  body: {
    type: string;
    timestamp: string;
    data: { caseId: string; seq: number; type: string; position: string };
  };
}

/** A receiver on this machine: verifies each request with the secrets it knows, answers per its mode. */
class Receiver {
  server: Server | null = null;
  port = 0;
  received: Delivery[] = [];
  /** Requests whose signature did not verify with every secret it must carry. */
  bad: string[] = [];
  mode: 'accept' | 'fail' = 'accept';
  secrets: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = req.headers as Record<string, string>;
        try {
          // Each secret in force must verify the delivery on its own (a rotation carries both signatures).
          for (const s of this.secrets) new Webhook(s).verify(raw, headers);
        } catch (err) {
          this.bad.push(`${headers['webhook-id']}: ${(err as Error).message}`);
          res.writeHead(400).end();
          return;
        }
        if (this.mode === 'fail') {
          res.writeHead(500).end('receiver broken');
          return;
        }
        this.received.push({
          id: headers['webhook-id'] ?? '',
          signatures: (headers['webhook-signature'] ?? '').split(' ').length,
          body: JSON.parse(raw) as Delivery['body'],
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Down: the port refuses connections until `start` again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  ofCase(caseId: string): Delivery[] {
    return this.received.filter((d) => d.body.data.caseId === caseId);
  }
}

// Short backoff: an attempt every 0.2 s doubling to 0.8 s, six attempts (about 3 s) before a subscription parks.
const POLICY = { maxAttempts: 6, initialIntervalMs: 200, maxIntervalMs: 800 };

let s: ApiStack;
const receiver = new Receiver();
beforeAll(async () => {
  s = await startApiStack({ webhooks: { policy: POLICY, timeoutMs: 2_000 } });
  await receiver.start();
}, 120_000);
afterAll(async () => {
  await receiver.stop();
  await s?.close();
});

const auth = (p: keyof typeof principals): Record<string, string> => ({
  Authorization: `Bearer ${s.token(principals[p])}`,
});

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  tries = 300,
): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached in time`);
}

async function caseEvents(caseId: string): Promise<{ eventId: string; seq: number; type: string }[]> {
  const res = await request(s.app).get(`/v1/cases/${caseId}/events`).set(auth('lucca'));
  return res.body.items as { eventId: string; seq: number; type: string }[];
}

/** Opens a CIGO case as the employer's portal and works it to INPS's decision, calling `meanwhile` halfway. */
async function cigoCase(
  unit: string,
  meanwhile: () => Promise<void> = () => Promise.resolve(),
): Promise<string> {
  const today = romeDate(Date.now());
  const input = cigoInput(today, {
    productionUnit: {
      id: unit,
      address: 'Via Nuova 3',
      municipality: 'Lucca',
      province: 'LU',
      region: 'Toscana',
    },
  });
  const opened = await request(s.app)
    .post('/v1/cases')
    .set(auth('integrator'))
    .send({ procedure: 'CIGO', office: 'lucca', input });
  expect(opened.status).toBe(201);
  const caseId = opened.body.caseId as string;
  let c = opened.body as { tasks: { key: string; status: string; taskId: string }[] };
  const complete = async (key: string, outcome: string, data: Record<string, unknown>): Promise<void> => {
    const task = c.tasks.find((t) => t.key === key && t.status === 'open')!;
    const res = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome, data });
    expect(res.status).toBe(200);
    c = res.body as typeof c;
  };
  await complete('union-consultation', 'agreement', { minutesDate: today });
  await meanwhile();
  await complete('inps-application', 'filed', {
    filedOn: today,
    inpsProtocol: `INPS-${unit}`,
    hoursRequested: 2400,
    technicalReport: true,
  });
  await complete('completeness-check', 'complete', {});
  const decided = await request(s.app)
    .post(`/v1/cases/${caseId}/news`)
    .set(auth('relay'))
    .send({
      type: 'inps-decision',
      data: { decision: 'authorised', decidedOn: today, protocol: 'D-1', authorised: input.suspension },
    });
  expect(decided.status).toBe(200);
  await until(
    `${caseId} closed`,
    () => caseEvents(caseId),
    (es) => es.at(-1)?.type === 'CaseClosed',
  );
  return caseId;
}

let firstCase = '';
let subscriptionId = '';

describe('webhook subscriptions', () => {
  it('when the receiver is down in the middle of a case, then it still gets every event once per id, in order, each signature verified', async () => {
    const created = await request(s.app)
      .post('/v1/subscriptions')
      .set(auth('integrator'))
      .send({ url: receiver.url, procedures: ['CIGO'], description: 'employer portal' });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toMatchObject({ status: 'active', procedures: ['CIGO'], delivered: 0 });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    subscriptionId = created.body.subscriptionId as string;
    receiver.secrets = [created.body.secret as string];
    // The secret is never shown again.
    const read = await request(s.app).get(`/v1/subscriptions/${subscriptionId}`).set(auth('integrator'));
    expect(read.body.secret).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(created.body.secret);

    firstCase = await cigoCase('hook-unit-1', async () => {
      // The receiver goes away for 1.5 s while the case moves on.
      await receiver.stop();
      await new Promise((r) => setTimeout(r, 1_500));
      await receiver.start();
    });
    const events = await caseEvents(firstCase);
    const got = await until(
      'every event delivered',
      () => Promise.resolve(receiver.ofCase(firstCase)),
      (ds) => new Set(ds.map((d) => d.id)).size === events.length,
    );
    expect(receiver.bad).toEqual([]);
    expect([...new Set(got.map((d) => d.id))]).toEqual(events.map((e) => e.eventId));
    // In order: a repeat (an answer lost) only ever repeats the latest event, never goes back.
    const seqs = got.map((d) => d.body.data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(got[0]!.body).toMatchObject({ type: 'case.CaseOpened', data: { caseId: firstCase, seq: 1 } });

    // The deliveries show the attempts made while the receiver was down.
    const deliveries = await request(s.app)
      .get(`/v1/subscriptions/${subscriptionId}/deliveries?limit=100`)
      .set(auth('integrator'));
    expect(deliveries.status).toBe(200);
    const items = deliveries.body.items as {
      status: string;
      attemptCount: number;
      attempts: { error: string | null }[];
    }[];
    expect(items).toHaveLength(events.length);
    expect(items.every((d) => d.status === 'delivered')).toBe(true);
    const retried = items.filter((d) => d.attemptCount > 1);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried[0]!.attempts[0]!.error).toMatch(/ECONNREFUSED|connect/);
    const sub = await until(
      'the subscription counts its deliveries',
      async () =>
        (await request(s.app).get(`/v1/subscriptions/${subscriptionId}`).set(auth('integrator'))).body as {
          delivered: number;
        },
      (b) => b.delivered === events.length,
    );
    expect(sub).toMatchObject({ status: 'active', parked: null });
  });

  it('when a receiver keeps failing, then its subscription parks after the attempts, and a redelivery from there brings the rest in order', async () => {
    const broken = new Receiver();
    broken.mode = 'fail';
    await broken.start();
    try {
      const feed = await request(s.app).get('/v1/events?limit=500').set(auth('integrator'));
      const opened = (feed.body.items as { caseId: string; type: string; position: string }[]).find(
        (e) => e.caseId === firstCase && e.type === 'CaseOpened',
      )!;
      const created = await request(s.app)
        .post('/v1/subscriptions')
        .set(auth('integrator'))
        .send({
          url: broken.url,
          types: ['CaseOpened', 'TaskCompleted', 'CaseClosed'],
          from: opened.position,
        });
      expect(created.status).toBe(201);
      const id = created.body.subscriptionId as string;
      broken.secrets = [created.body.secret as string];

      const parked = await until(
        'parked',
        async () =>
          (await request(s.app).get(`/v1/subscriptions/${id}`).set(auth('integrator'))).body as {
            status: string;
            parked: { position: string; eventId: string; reason: string };
          },
        (b) => b.status === 'parked',
      );
      expect(parked.parked).toMatchObject({ position: opened.position, eventId: `${firstCase}:1` });
      expect(parked.parked.reason).toMatch(/6 attempts failed; the last: the receiver answered 500/);
      const failed = await request(s.app)
        .get(`/v1/subscriptions/${id}/deliveries?status=failed`)
        .set(auth('integrator'));
      expect(failed.body.items).toHaveLength(1);
      expect(failed.body.items[0]).toMatchObject({
        eventId: `${firstCase}:1`,
        attemptCount: 6,
        status: 'failed',
      });
      expect(failed.body.items[0].attempts.map((a: { status: number }) => a.status)).toEqual([
        500, 500, 500, 500, 500, 500,
      ]);
      // Parked: nothing after the failed event was sent (which would have broken the order).
      await new Promise((r) => setTimeout(r, 500));
      expect(broken.received).toEqual([]);

      broken.mode = 'accept';
      const redelivered = await request(s.app)
        .post(`/v1/subscriptions/${id}/redeliver`)
        .set(auth('integrator'))
        .send({ from: opened.position });
      expect(redelivered.status).toBe(202);
      expect(redelivered.body).toMatchObject({ status: 'active', parked: null });
      const expected = (await caseEvents(firstCase)).filter((e) =>
        ['CaseOpened', 'TaskCompleted', 'CaseClosed'].includes(e.type),
      );
      const got = await until(
        'redelivered',
        () => Promise.resolve(broken.ofCase(firstCase)),
        (ds) => new Set(ds.map((d) => d.id)).size === expected.length,
      );
      expect([...new Set(got.map((d) => d.id))]).toEqual(expected.map((e) => e.eventId));
      expect(broken.bad).toEqual([]);
    } finally {
      await broken.stop();
    }
  });

  it('when the secret is rotated, then deliveries carry both signatures for the overlap, and the old one ends with a rotation without overlap', async () => {
    const rotated = await request(s.app)
      .post(`/v1/subscriptions/${subscriptionId}/secrets`)
      .set(auth('integrator'))
      .send({});
    expect(rotated.status).toBe(201);
    expect(rotated.body.secrets).toHaveLength(2);
    expect(rotated.body.secrets[1].expiresAt).not.toBeNull();
    const old = receiver.secrets[0]!;
    // Both secrets must verify every delivery from now on.
    receiver.secrets = [rotated.body.secret as string, old];
    const second = await cigoCase('hook-unit-2');
    const got = await until(
      'the second case delivered',
      () => Promise.resolve(receiver.ofCase(second)),
      (ds) => ds.some((d) => d.body.type === 'case.CaseClosed'),
    );
    expect(receiver.bad).toEqual([]);
    expect(got.every((d) => d.signatures === 2)).toBe(true);

    const again = await request(s.app)
      .post(`/v1/subscriptions/${subscriptionId}/secrets`)
      .set(auth('integrator'))
      .send({ overlapHours: 0 });
    expect(again.body.secrets).toHaveLength(1);
    receiver.secrets = [again.body.secret as string];
    const third = await cigoCase('hook-unit-3');
    const last = await until(
      'the third case delivered',
      () => Promise.resolve(receiver.ofCase(third)),
      (ds) => ds.some((d) => d.body.type === 'case.CaseClosed'),
    );
    expect(last.every((d) => d.signatures === 1)).toBe(true);
    expect(receiver.bad).toEqual([]);
  });

  it('refuses what it cannot serve: other roles, bad URLs and filters; others see no one else’s subscription', async () => {
    const officer = await request(s.app)
      .post('/v1/subscriptions')
      .set(auth('lucca'))
      .send({ url: receiver.url });
    expect(officer.status).toBe(403);
    const ftp = await request(s.app)
      .post('/v1/subscriptions')
      .set(auth('integrator'))
      .send({ url: 'ftp://x.example' });
    expect(ftp.status).toBe(400);
    expect(ftp.headers['content-type']).toContain('application/problem+json');
    expect(ftp.body.errors[0].path).toBe('url');
    const type = await request(s.app)
      .post('/v1/subscriptions')
      .set(auth('integrator'))
      .send({ url: receiver.url, types: ['NoSuchEvent'] });
    expect(type.status).toBe(400);
    expect(type.body.errors[0].path).toMatch(/^types/);
    const other = await request(s.app)
      .get(`/v1/subscriptions/${subscriptionId}`)
      .set(auth('otherIntegrator'));
    expect(other.status).toBe(404);
    const list = await request(s.app).get('/v1/subscriptions').set(auth('otherIntegrator'));
    expect(list.body.items).toEqual([]);
    const all = await request(s.app).get('/v1/subscriptions').set(auth('admin'));
    expect((all.body.items as { subscriptionId: string }[]).map((x) => x.subscriptionId)).toContain(
      subscriptionId,
    );
  });

  it('when a subscription is deleted, then its dispatcher ends and it is gone', async () => {
    const del = await request(s.app).delete(`/v1/subscriptions/${subscriptionId}`).set(auth('integrator'));
    expect(del.status).toBe(204);
    const handle = s.client.workflow.getHandle(`webhook-${subscriptionId}`);
    await expect(handle.result()).resolves.toBe('deleted');
    const gone = await request(s.app).get(`/v1/subscriptions/${subscriptionId}`).set(auth('integrator'));
    expect(gone.status).toBe(404);
  });
});
