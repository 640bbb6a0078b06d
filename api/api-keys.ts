/**
 * API keys: the credentials of machines (the regional labour system, an employer's portal, a payroll consultant's
 * software), issued by an administrator (issue 12 §5). A key is `cpik_<id>_<secret>`: the id names it in lists and
 * the audit trail, the secret (256 random bits) is shown once and stored only as its SHA-256 (a slow hash adds
 * nothing to a random secret of that length). A key acts as an integrator for its client, limited to its
 * procedures and offices, with the relays it was given; a client has at most two active keys, so that one can
 * replace the other without a gap; a revoked or expired key is refused.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection } from 'mongodb';
import { z } from 'zod';
import { text } from '../domain/schemas';
import { OFFICE_CODES } from '../domain/offices';
import { RELAYS } from '../domain/procedure';
import type { Relay } from '../domain/procedure';
import type { Principal } from './auth';
import { problems } from './problem';

export const API_KEY_PREFIX = 'cpik_';
const KEY_PATTERN = /^cpik_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Active keys per client: the one in use and its replacement. */
export const ACTIVE_KEYS_PER_CLIENT = 2;

export interface ApiKeyDoc {
  _id: string;
  client: string;
  name: string;
  /** The procedures the key may open and see cases of; null: all. */
  procedures: string[] | null;
  /** The offices the key may open cases in; null: all. */
  offices: string[] | null;
  relays: Relay[] | null;
  secretHash: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokedReason: string | null;
  lastUsedAt: string | null;
}

export const apiKeyCreateBody = z
  .object({
    client: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only')
      .meta({
        description: 'The machine the key is for: its principal (sub) in the audit trail and in scopes',
      }),
    name: text(200).meta({ description: 'What the key is for, for people reading lists' }),
    procedures: z.array(z.string().min(1).max(32)).min(1).max(50).optional(),
    offices: z
      .array(z.enum(OFFICE_CODES as [string, ...string[]]))
      .min(1)
      .max(50)
      .optional(),
    relays: z.array(z.enum(RELAYS)).min(1).max(RELAYS.length).optional(),
    expiresInDays: z.int().min(1).max(730).default(365),
  })
  .strict();

export const apiKeyListQuery = z
  .object({ client: z.string().min(1).max(200).optional(), active: z.enum(['true', 'false']).optional() })
  .strict();

export const apiKeyRevokeQuery = z.object({ reason: text(1000).optional() }).strict();

export const apiKeyIdParam = z.string().regex(/^[0-9a-f]{16}$/, 'a key id (16 hexadecimal digits)');

const hashOf = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The stored key as shown to administrators: everything but the hash. */
export function apiKeyView(doc: ApiKeyDoc, now = Date.now()): Record<string, unknown> {
  const { _id, secretHash: _h, ...rest } = doc;
  return { keyId: _id, ...rest, active: isActive(doc, now) };
}

function isActive(doc: ApiKeyDoc, now: number): boolean {
  return doc.revokedAt === null && Date.parse(doc.expiresAt) > now;
}

/** Keys by id, read from `api_keys` and kept for a few seconds; a revocation holds at once in this process. */
export class ApiKeys {
  private readonly cache = new Map<string, { doc: ApiKeyDoc | null; until: number }>();

  constructor(
    private readonly keys: Collection<ApiKeyDoc>,
    private readonly ttlMs = 10_000,
  ) {}

  static isApiKey(credential: string): boolean {
    return credential.startsWith(API_KEY_PREFIX);
  }

  /** The principal a key acts as, or 401. */
  async verify(credential: string): Promise<Principal> {
    const m = KEY_PATTERN.exec(credential);
    if (!m?.[1] || !m[2]) throw problems.unauthorized('The API key is malformed.');
    const id = m[1];
    const doc = await this.read(id);
    const given = Buffer.from(hashOf(m[2]), 'hex');
    if (!doc || !timingSafeEqual(given, Buffer.from(doc.secretHash, 'hex')))
      throw problems.unauthorized('The API key is not valid.');
    if (doc.revokedAt !== null) throw problems.unauthorized(`The API key ${id} has been revoked.`);
    if (Date.parse(doc.expiresAt) <= Date.now())
      throw problems.unauthorized(`The API key ${id} has expired.`);
    return {
      sub: doc.client,
      role: 'integrator',
      offices: doc.offices ?? [],
      ...(doc.relays ? { relays: doc.relays } : {}),
      ...(doc.procedures ? { procedures: doc.procedures } : {}),
      keyId: id,
    };
  }

  async create(body: z.infer<typeof apiKeyCreateBody>, by: string): Promise<{ doc: ApiKeyDoc; key: string }> {
    const now = new Date();
    const active = await this.keys.countDocuments({
      client: body.client,
      revokedAt: null,
      expiresAt: { $gt: now.toISOString() },
    });
    if (active >= ACTIVE_KEYS_PER_CLIENT) {
      throw problems.conflict(
        'too-many-active-keys',
        `${body.client} already has ${active} active keys: revoke the one being replaced first.`,
      );
    }
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const doc: ApiKeyDoc = {
      _id: id,
      client: body.client,
      name: body.name,
      procedures: body.procedures ?? null,
      offices: body.offices ?? null,
      relays: body.relays ?? null,
      secretHash: hashOf(secret),
      createdAt: now.toISOString(),
      createdBy: by,
      expiresAt: new Date(now.getTime() + body.expiresInDays * 86_400_000).toISOString(),
      revokedAt: null,
      revokedBy: null,
      revokedReason: null,
      lastUsedAt: null,
    };
    await this.keys.insertOne(doc);
    return { doc, key: `${API_KEY_PREFIX}${id}_${secret}` };
  }

  async list(q: z.infer<typeof apiKeyListQuery>): Promise<ApiKeyDoc[]> {
    const nowIso = new Date().toISOString();
    const filter: Record<string, unknown> = q.client ? { client: q.client } : {};
    if (q.active === 'true') Object.assign(filter, { revokedAt: null, expiresAt: { $gt: nowIso } });
    const docs = await this.keys.find(filter).sort({ createdAt: -1 }).limit(500).batchSize(501).toArray();
    return q.active === 'false' ? docs.filter((d) => !isActive(d, Date.now())) : docs;
  }

  async revoke(id: string, by: string, reason: string | null): Promise<ApiKeyDoc> {
    const doc = await this.keys.findOne({ _id: id });
    if (!doc) throw problems.notFound(`API key ${id}`);
    if (doc.revokedAt === null) {
      await this.keys.updateOne(
        { _id: id },
        { $set: { revokedAt: new Date().toISOString(), revokedBy: by, revokedReason: reason } },
      );
    }
    this.cache.delete(id);
    const after = await this.keys.findOne({ _id: id });
    if (!after) throw problems.notFound(`API key ${id}`);
    return after;
  }

  private async read(id: string): Promise<ApiKeyDoc | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.doc;
    const doc = await this.keys.findOne({ _id: id });
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { doc, until: Date.now() + this.ttlMs });
    // When it was last used, to within the cache's life: never awaited, never in the way of the request.
    if (doc)
      void this.keys
        .updateOne({ _id: id }, { $set: { lastUsedAt: new Date().toISOString() } })
        .catch(() => undefined);
    return doc;
  }
}
