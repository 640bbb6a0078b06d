/**
 * Webhooks (issue 13 §3): what a delivery is made of, independent of who schedules it.
 *
 * - Signing per the Standard Webhooks specification: `webhook-id` (the event's id, the same on every attempt, so a
 *   receiver drops a repeat), `webhook-timestamp` (seconds, fresh on every attempt) and `webhook-signature`, one
 *   `v1,<base64 HMAC-SHA256>` of `<id>.<timestamp>.<body>` per secret in force, space-separated (two during a
 *   rotation). Secrets are `whsec_` and 24 random bytes in base64; the HMAC key is those bytes.
 * - Callback URLs: http or https, no credentials; in production https only, and no loopback, private, link-local
 *   or otherwise non-public address, checked when the subscription is made and again at every connection (a name
 *   that later resolves to an inside address is refused then).
 * - The POST itself, bounded by a timeout: a receiver that never answers is a failed attempt, not a hang.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { CaseEventType } from '../domain/case-model';
import type { EventDoc } from './db';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * The task queue of the webhook activities: a worker of its own polls it, so subscriptions waiting for events
 * (each holds one activity slot while it waits) never take the slots of the cases' activities.
 */
export const webhookTaskQueue = (caseTaskQueue: string): string => `${caseTaskQueue}-webhooks`;

/** The workflow id of a subscription's dispatcher (workflows/webhooks.ts). */
export const dispatcherId = (subscriptionId: string): string => `webhook-${subscriptionId}`;

/** The delivery schedule: Temporal retries a failed attempt with this backoff, then the subscription is parked. */
export interface WebhookRetryPolicy {
  /** Attempts of one event before the subscription is parked. */
  maxAttempts: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

/** 12 attempts 5 s apart and doubling up to an hour: about 2 h 50 min of trying before an event parks. */
export const WEBHOOK_RETRY_DEFAULTS: WebhookRetryPolicy = {
  maxAttempts: 12,
  initialIntervalMs: 5_000,
  maxIntervalMs: 3_600_000,
};

/** The wait before attempt `attempt + 1` (the backoff Temporal applies: doubling, capped). */
export function retryDelayMs(policy: WebhookRetryPolicy, attempt: number): number {
  return Math.min(policy.initialIntervalMs * 2 ** (attempt - 1), policy.maxIntervalMs);
}

export interface UrlPolicy {
  /** Only https (production). */
  requireHttps: boolean;
  /** Loopback and private addresses allowed (development and the tests' receivers). */
  allowPrivate: boolean;
  /** Only this machine (the tests, the contract run and the benchmarks, whose URLs are generated). */
  loopbackOnly?: boolean;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether a URL's host is this machine, by its literal address or the name `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = bareHost(hostname);
  if (host === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
}

/** The `webhook-signature` header: one `v1,<signature>` per secret. */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map(
      (s) => `v1,${createHmac('sha256', secretKey(s)).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    )
    .join(' ');
}

/** Addresses no callback may reach outside development: RFC 6890 special-purpose blocks, both families. */
const INSIDE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INSIDE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INSIDE.addSubnet(net, prefix, 'ipv6');

/** Whether an address is on the public internet (IPv4-mapped IPv6 addresses are judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !INSIDE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** What is wrong with a callback URL under the policy, or null. Names are resolved when inside addresses are refused. */
export async function callbackUrlProblem(raw: string, policy: UrlPolicy): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (policy.requireHttps && url.protocol !== 'https:') return 'must use https';
  if (url.username || url.password) return 'must not carry credentials: the signature authenticates us';
  if (url.hash) return 'must not have a fragment';
  if (policy.loopbackOnly) return isLoopbackHost(url.hostname) ? null : 'must point to this machine here';
  if (policy.allowPrivate) return null;
  const host = bareHost(url.hostname);
  if (isIP(host)) return isPublicAddress(host) ? null : 'points to a loopback or private address';
  const addresses = await new Promise<LookupAddress[] | null>((resolve) =>
    dnsLookup(host, { all: true }, (err, found) => resolve(err ? null : found)),
  );
  if (!addresses || addresses.length === 0) return `names a host that does not resolve (${host})`;
  if (addresses.some((a) => !isPublicAddress(a.address)))
    return 'names a host that resolves to a loopback or private address';
  return null;
}

/** A DNS lookup that refuses inside addresses: the check is made again on the address actually connected to. */
function publicOnlyLookup(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, found) => {
    if (err) return callback(err, '');
    const bad = found.find((a) => !isPublicAddress(a.address));
    if (bad) {
      const refused: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${bad.address}, a loopback or private address`,
      );
      refused.code = 'EADDRNOTPUBLIC';
      return callback(refused, '');
    }
    if ((options as LookupAllOptions).all) return callback(null, found);
    const first = found[0];
    return first ? callback(null, first.address, first.family) : callback(new Error('no address'), '');
  });
}

export interface PostResult {
  /** The receiver's status, when it answered. */
  status: number | null;
  /** Why there was no answer (refused, timed out, unreachable), or the start of a non-2xx answer's body. */
  error: string | null;
  durationMs: number;
}

/** POSTs a JSON body; never throws, never waits past `timeoutMs`. */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; allowPrivate: boolean; loopbackOnly?: boolean },
): Promise<PostResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number | null, error: string | null): void => {
      if (done) return;
      done = true;
      resolve({ status, error, durationMs: Date.now() - started });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      finish(null, 'the callback URL does not parse');
      return;
    }
    const host = bareHost(target.hostname);
    if (opts.loopbackOnly && !isLoopbackHost(host)) {
      finish(null, `${host} is not this machine, the only host deliveries may reach here`);
      return;
    }
    if (!opts.allowPrivate && isIP(host) && !isPublicAddress(host)) {
      finish(null, `${host} is a loopback or private address`);
      return;
    }
    const send = target.protocol === 'https:' ? https.request : http.request;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        ...(opts.allowPrivate ? {} : { lookup: publicOnlyLookup }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Only the start of an answer is kept (shown with a failed attempt); the rest is read and dropped.
          if (size < 500) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const ok = status >= 200 && status < 300;
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
          finish(status, ok ? null : text || `answered ${status}`);
        });
        res.on('error', (err) => finish(status, err.message));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const timedOut = err.name === 'AbortError' || err.name === 'TimeoutError';
      finish(null, timedOut ? `no answer within ${opts.timeoutMs} ms` : err.message || String(err.code));
    });
    req.end(body);
  });
}

/** What a subscription selects, beyond its owner's scope. Empty lists select all. */
export interface SubscriptionFilters {
  types: CaseEventType[];
  procedures: string[];
  offices: string[];
}

/** The filter (MongoDB) of the events a subscription's filters select. */
export function filterOf(f: SubscriptionFilters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.types.length > 0) out.type = { $in: f.types };
  if (f.procedures.length > 0) out.procedure = { $in: f.procedures };
  if (f.offices.length > 0) out.office = { $in: f.offices };
  return out;
}

/** The body of a delivery: the Standard Webhooks envelope around the event as the feed shows it. */
export function deliveryBody(e: EventDoc): string {
  const { _id, office, openedBySub: _s, batchEnd: _b, ...event } = e;
  return JSON.stringify({
    type: `case.${e.type}`,
    timestamp: e.at,
    data: { ...event, office, position: _id },
  });
}
