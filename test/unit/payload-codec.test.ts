import { defaultPayloadConverter } from '@temporalio/common';
import type { ConfigError } from '../../platform/config';
import { loadConfig } from '../../platform/config';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  newPayloadKeyEntry,
  parsePayloadKeys,
} from '../../platform/payload-codec';

const person = { taxCode: 'RSSMRA80A01E715X', disability: { percentage: 67 } };
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

describe('payload encryption', () => {
  const old = newPayloadKeyEntry('k1');
  const fresh = newPayloadKeyEntry('k2');

  it('when a payload is encoded, then it carries the key id and no clear text, and decodes back to itself', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(old));
    const plain = defaultPayloadConverter.toPayload(person);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(text(sealed!.data)).not.toContain('RSSMRA80A01E715X');
    expect(text(sealed!.data)).not.toContain('percentage');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(person);
    // A fresh nonce each time: the same value never gives the same bytes.
    const [again] = await codec.encode([plain]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
  });

  it('when a key is rotated, then new payloads use the new key and old ones still open', async () => {
    const before = new EncryptionCodec(parsePayloadKeys(old));
    const after = new EncryptionCodec(parsePayloadKeys(`${fresh},${old}`));
    const [sealedBefore] = await before.encode([defaultPayloadConverter.toPayload(person)]);
    const [sealedAfter] = await after.encode([defaultPayloadConverter.toPayload(person)]);
    expect(text(sealedAfter!.metadata![KEY_ID_METADATA])).toBe('k2');
    const opened = await after.decode([sealedBefore!, sealedAfter!]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([person, person]);
    // Once the old key is dropped, its payloads no longer open, and the error names the key.
    const onlyNew = new EncryptionCodec(parsePayloadKeys(fresh));
    await expect(onlyNew.decode([sealedBefore!])).rejects.toThrow(/key "k1"/);
  });

  it('when a payload was altered, then it is refused; when it was never encrypted, it passes through', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(old));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(person)]);
    const data = Buffer.from(sealed!.data!);
    data[20] = (data[20] ?? 0) ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow();
    const plain = defaultPayloadConverter.toPayload('recorded before encryption');
    await expect(codec.decode([plain])).resolves.toEqual([plain]);
  });

  it('when the keys are malformed, then the error names the entry and never shows a key', () => {
    expect(() => parsePayloadKeys('k1')).toThrow(/entry 1/);
    expect(() => parsePayloadKeys(`k1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => parsePayloadKeys(`${old},${old}`)).toThrow(/twice/);
    const env = { MONGODB_URI: 'mongodb://127.0.0.1:27017/cpi', JWT_SECRET: 'x'.repeat(32) };
    let error: unknown;
    try {
      loadConfig({ ...env, PAYLOAD_KEYS: `${old},k3:c2hvcnQ=` });
    } catch (err) {
      error = err;
    }
    expect((error as ConfigError).problems.join()).toMatch(/PAYLOAD_KEYS: key k3 is not 32 bytes/);
    expect((error as Error).message).not.toContain(old.split(':')[1]);
    expect(() => loadConfig({ ...env, NODE_ENV: 'production' })).toThrow(
      /PAYLOAD_KEYS: required in production/,
    );
    expect(loadConfig({ ...env, NODE_ENV: 'production', PAYLOAD_KEYS: old }).PAYLOAD_KEYS?.activeId).toBe(
      'k1',
    );
  });
});
