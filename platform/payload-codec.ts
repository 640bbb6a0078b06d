/**
 * Encryption of what Temporal stores (issue 12 §7): workflow inputs, Update arguments and results, activity
 * arguments and results carry tax codes, incomes and disability percentages (special-category data, GDPR art. 9).
 * Client and worker pass every payload through this codec, so the engine's history, its UI and its CLI hold
 * ciphertext only; the codec endpoint (api/app.ts, `/codec/*`) decodes for authenticated operators.
 *
 * AES-256-GCM, a fresh 96-bit nonce per payload; the key id travels in the payload's metadata, so a key is rotated
 * by adding a new one first in `PAYLOAD_KEYS` and keeping the old ones for as long as histories encrypted with them
 * are kept. A payload without our encoding (histories recorded before encryption, the CLI's own inputs) passes
 * through unchanged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ProtoPayload = temporal.api.common.v1.Payload;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKeys {
  /** The key new payloads are encrypted with. */
  activeId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * Parses `PAYLOAD_KEYS`: comma-separated `id:base64` entries of 32-byte keys, the first being the active one.
 * Throws a message that names the entry but never shows a key.
 */
export function parsePayloadKeys(spec: string): PayloadKeys {
  const keys = new Map<string, Buffer>();
  let activeId: string | undefined;
  for (const [i, entry] of spec.split(',').entries()) {
    const m = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/=_-]+)$/.exec(entry.trim());
    if (!m?.[1] || !m[2]) throw new Error(`entry ${i + 1} is not <key-id>:<base64 key>`);
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32) throw new Error(`key ${m[1]} is not 32 bytes (AES-256) once base64-decoded`);
    if (keys.has(m[1])) throw new Error(`key id ${m[1]} is listed twice`);
    keys.set(m[1], key);
    activeId ??= m[1];
  }
  if (!activeId) throw new Error('no key given');
  return { activeId, keys };
}

/** A new random key in the `id:base64` form of `PAYLOAD_KEYS` (scripts/token.ts prints one). */
export function newPayloadKeyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

const META = (s: string): Uint8Array => Buffer.from(s, 'utf8');

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {}

  /** Whether a payload was written by this codec (the rest pass through). */
  static isEncrypted(p: Payload): boolean {
    const enc = p.metadata?.encoding;
    return enc !== undefined && Buffer.from(enc).toString('utf8') === ENCRYPTED_ENCODING;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.activeId);
    if (!key) return Promise.reject(new ValueError('the active payload key is missing'));
    return Promise.resolve(
      payloads.map((p) => {
        if (EncryptionCodec.isEncrypted(p)) return p;
        const nonce = randomBytes(NONCE_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, nonce);
        const plain = ProtoPayload.encode(p).finish();
        const body = Buffer.concat([cipher.update(plain), cipher.final()]);
        return {
          metadata: { encoding: META(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: META(this.keys.activeId) },
          data: Buffer.concat([nonce, body, cipher.getAuthTag()]),
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((p) => this.decodeOne(p))));
  }

  private decodeOne(p: Payload): Payload {
    if (!EncryptionCodec.isEncrypted(p)) return p;
    const idBytes = p.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? Buffer.from(idBytes).toString('utf8') : '';
    const key = this.keys.keys.get(id);
    if (!key) throw new ValueError(`payload encrypted with key "${id}", which is not in PAYLOAD_KEYS`);
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
    const decoded = ProtoPayload.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

/**
 * The data converter of every client and worker: failures keep their text in encoded attributes, and every payload
 * is encrypted when keys are configured (the SDK's JSON otherwise, as in the workflow tests).
 */
export function dataConverterOf(keys: PayloadKeys | undefined): DataConverter {
  return {
    failureConverterPath: require.resolve('./failure-converter'),
    ...(keys ? { payloadCodecs: [new EncryptionCodec(keys)] } : {}),
  };
}

/**
 * A secret kept in the database (a webhook subscription's signing secret, which must be read back to sign):
 * encrypted with the active payload key as `aes:<key-id>:<base64 nonce|ciphertext|tag>`, or kept as `plain:` when
 * no keys are configured (development; production requires keys).
 */
export function sealSecret(keys: PayloadKeys | undefined, secret: string): string {
  if (!keys) return `plain:${secret}`;
  const key = keys.keys.get(keys.activeId);
  if (!key) throw new ValueError('the active payload key is missing');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `aes:${keys.activeId}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
}

export function openSecret(keys: PayloadKeys | undefined, sealed: string): string {
  if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
  const m = /^aes:([^:]+):(.+)$/.exec(sealed);
  if (!m?.[1] || !m[2]) throw new ValueError('a sealed secret of an unknown form');
  const key = keys?.keys.get(m[1]);
  if (!key) throw new ValueError(`secret sealed with key "${m[1]}", which is not in PAYLOAD_KEYS`);
  const data = Buffer.from(m[2], 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}
