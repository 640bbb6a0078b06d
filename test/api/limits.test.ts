/**
 * Abuse limits on the real stack: failed authentications per client address answer 429 with Retry-After past the
 * limit; counters live in the database (so they hold across API replicas) and ended windows are purged.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { tokenPolicy } from '../../api/auth';
import { createLogger } from '../../platform/logger';
import {
  IDEMPOTENCY_KEY_DAYS,
  RateLimiter,
  purgeIdempotencyKeys,
  purgeRateLimits,
} from '../../platform/rate-limit';
import type { ApiStack } from '../support/api-env';
import { JWT_SECRET, principals, startApiStack } from '../support/api-env';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const strict = () =>
  createApp({
    db: s.db,
    temporal: s.client,
    taskQueue: s.taskQueue,
    tokens: tokenPolicy(JWT_SECRET),
    logger: createLogger({ level: 'error', format: 'json', service: 't' }),
    limits: { authFailuresPerMinute: 3, applicationsPerMinute: 2 },
  });

/** Windows are minutes: a test that counts a few requests does not start in a window's last two seconds. */
async function clearOfMinuteBoundary(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 2_000) await new Promise((r) => setTimeout(r, left + 50));
}

describe('abuse limits', () => {
  it('when an address keeps failing to authenticate, then past the limit it gets 429 with Retry-After, also on a second replica', async () => {
    await s.db.connection.collection('rate_limits').deleteMany({});
    await clearOfMinuteBoundary();
    const app = strict();
    for (let i = 0; i < 3; i += 1) {
      expect((await request(app).get('/v1/cases').set('Authorization', 'Bearer not-a-token')).status).toBe(
        401,
      );
    }
    const limited = await request(app).get('/v1/cases').set('Authorization', 'Bearer not-a-token');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body.type).toBe('urn:cpi-casework:problem:too-many-requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another API process shares the counters: the address is limited there too, even with a valid token.
    const replica = strict();
    const valid = { Authorization: `Bearer ${s.token(principals.lucca)}` };
    expect((await request(replica).get('/v1/cases').set(valid)).status).toBe(429);
  });

  it('when a portal submits to notices past its limit, then the next submission is 429 before anything is read', async () => {
    await s.db.connection.collection('rate_limits').deleteMany({});
    await clearOfMinuteBoundary();
    const app = strict();
    const portal = { Authorization: `Bearer ${s.token(principals.otherIntegrator)}` };
    const send = () => request(app).post('/v1/notices/ART16-2026-NONE/applications').set(portal).send({});
    expect((await send()).status).not.toBe(429);
    expect((await send()).status).not.toBe(429);
    const third = await send();
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
  });

  it('when a principal submits more than the limit in a window, then it is told to wait; ended windows are purged', async () => {
    await clearOfMinuteBoundary();
    const limiter = new RateLimiter(s.db, 'test-bucket', 2, 60_000);
    expect(await limiter.hit('portal-a')).toBe(0);
    expect(await limiter.hit('portal-a')).toBe(0);
    expect(await limiter.hit('portal-a')).toBeGreaterThan(0);
    expect(await limiter.blocked('portal-a')).toBeGreaterThan(0);
    expect(await limiter.hit('portal-b')).toBe(0);
    // Windows end: a purge an hour later removes them, and nothing is counted any more.
    const rows = s.db.connection.collection('rate_limits');
    expect(await rows.countDocuments({ _id: { $regex: /^test-bucket:/ } } as never)).toBe(2);
    expect(await purgeRateLimits(s.db, new Date(Date.now() + 3_600_000))).toBeGreaterThanOrEqual(2);
    expect(await rows.countDocuments({ _id: { $regex: /^test-bucket:/ } } as never)).toBe(0);
    expect(await limiter.blocked('portal-a')).toBe(0);
  });

  it('when an idempotency key is older than its period, then the clean-up drops it and keeps the recent ones', async () => {
    const day = 24 * 3_600_000;
    await s.db.idempotency.create([
      {
        _id: 'p:old-key',
        caseId: 'CIGO-2026-OLD',
        requestHash: 'h',
        createdAt: new Date(Date.now() - (IDEMPOTENCY_KEY_DAYS + 1) * day),
      },
      { _id: 'p:new-key', caseId: 'CIGO-2026-NEW', requestHash: 'h', createdAt: new Date(Date.now() - day) },
    ]);
    expect(await purgeIdempotencyKeys(s.db)).toBeGreaterThanOrEqual(1);
    expect(await s.db.idempotency.findById('p:old-key').lean()).toBeNull();
    expect(await s.db.idempotency.findById('p:new-key').lean()).not.toBeNull();
  });
});
