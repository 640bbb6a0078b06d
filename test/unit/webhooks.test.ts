/**
 * Webhook parts that need no stack: signatures as the Standard Webhooks reference library makes and checks them,
 * the callback-URL policy of production, the bounded POST, and secrets sealed at rest.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { openSecret, parsePayloadKeys, sealSecret } from '../../platform/payload-codec';
import {
  callbackUrlProblem,
  isPublicAddress,
  newWebhookSecret,
  postJson,
  retryDelayMs,
  signatureHeader,
} from '../../platform/webhooks';

const production = { requireHttps: true, allowPrivate: false };

describe('signatures', () => {
  it('match the reference library for one secret, and verify with each of two', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'case.CaseOpened', data: { seq: 1 } });
    const at = new Date();
    const ts = Math.floor(at.getTime() / 1000);
    expect(signatureHeader([secret], 'CIGO-1:1', ts, body)).toBe(
      new Webhook(secret).sign('CIGO-1:1', at, body),
    );
    const next = newWebhookSecret();
    const headers = {
      'webhook-id': 'CIGO-1:1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signatureHeader([next, secret], 'CIGO-1:1', ts, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(next).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });
});

describe('callback URLs in production', () => {
  it.each([
    ['http://hooks.example.org/x', 'must use https'],
    ['https://127.0.0.1/x', 'points to a loopback or private address'],
    ['https://[::1]/x', 'points to a loopback or private address'],
    ['https://10.1.2.3/x', 'points to a loopback or private address'],
    ['https://192.168.0.10/x', 'points to a loopback or private address'],
    ['https://169.254.169.254/latest', 'points to a loopback or private address'],
    ['https://[::ffff:127.0.0.1]/x', 'points to a loopback or private address'],
    ['https://user:pw@93.184.216.34/x', 'must not carry credentials: the signature authenticates us'],
    ['ftp://93.184.216.34/x', 'must be an http or https URL'],
    ['not a url', 'is not an absolute URL'],
  ])('%s is refused: %s', async (url, problem) => {
    expect(await callbackUrlProblem(url, production)).toBe(problem);
  });

  it('a public address over https is accepted, and anything on this machine in development', async () => {
    expect(await callbackUrlProblem('https://93.184.216.34/hooks', production)).toBeNull();
    expect(
      await callbackUrlProblem('http://127.0.0.1:9000/hooks', { requireHttps: false, allowPrivate: true }),
    ).toBeNull();
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2001:4860:4860::8888')).toBe(true);
    expect(isPublicAddress('fd00::1')).toBe(false);
    expect(isPublicAddress('100.64.1.1')).toBe(false);
  });
});

describe('a delivery', () => {
  it('to a receiver that never answers ends at its timeout, as a failed attempt', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const r = await postJson(url, {}, '{}', { timeoutMs: 300, allowPrivate: true });
    silent.closeAllConnections();
    silent.close();
    expect(r).toMatchObject({ status: null, error: 'no answer within 300 ms' });
    expect(r.durationMs).toBeLessThan(2_000);
  });

  it('to another machine is refused before connecting where deliveries are kept on this one', async () => {
    const r = await postJson('https://93.184.216.34/', {}, '{}', {
      timeoutMs: 300,
      allowPrivate: true,
      loopbackOnly: true,
    });
    expect(r.error).toBe('93.184.216.34 is not this machine, the only host deliveries may reach here');
    expect(
      await callbackUrlProblem('https://hooks.example.org/', {
        requireHttps: false,
        allowPrivate: true,
        loopbackOnly: true,
      }),
    ).toBe('must point to this machine here');
    expect(
      await callbackUrlProblem('http://localhost:8/', {
        requireHttps: false,
        allowPrivate: true,
        loopbackOnly: true,
      }),
    ).toBeNull();
  });

  it('to an inside address is refused before connecting when inside addresses are not allowed', async () => {
    const r = await postJson('http://127.0.0.1:9/', {}, '{}', { timeoutMs: 300, allowPrivate: false });
    expect(r).toMatchObject({ status: null, error: '127.0.0.1 is a loopback or private address' });
  });

  it('is retried on a doubling backoff, capped', () => {
    const policy = { maxAttempts: 12, initialIntervalMs: 5_000, maxIntervalMs: 3_600_000 };
    expect([1, 2, 3, 11].map((a) => retryDelayMs(policy, a))).toEqual([5_000, 10_000, 20_000, 3_600_000]);
  });
});

describe('secrets at rest', () => {
  it('are sealed with the active payload key and opened with any listed key', () => {
    const keys = parsePayloadKeys(
      `k2:${Buffer.alloc(32, 7).toString('base64')},k1:${Buffer.alloc(32, 8).toString('base64')}`,
    );
    const secret = newWebhookSecret();
    const sealed = sealSecret(keys, secret);
    expect(sealed).toMatch(/^aes:k2:/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(openSecret(keys, sealed)).toBe(secret);
    expect(() =>
      openSecret(parsePayloadKeys(`k1:${Buffer.alloc(32, 8).toString('base64')}`), sealed),
    ).toThrow(/k2/);
  });
});
