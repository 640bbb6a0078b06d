import { randomBytes } from 'node:crypto';

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  return uri;
}

export function testTemporalAddress(): string {
  const addr = process.env.TEST_TEMPORAL_ADDRESS;
  if (!addr) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests through jest (global setup)');
  return addr;
}

export function timeSkippingServerPath(): string {
  const p = process.env.TEST_TIME_SKIPPING_SERVER;
  if (!p) throw new Error('TEST_TIME_SKIPPING_SERVER is not set: run the tests through jest (global setup)');
  return p;
}

/** A database of its own for each suite, so suites never see each other's cases. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
