/**
 * Fixed-window counters kept in the database, so that a limit holds across API replicas: one row per bucket, key
 * and window (`rate_limits`, by `_id`, which FerretDB serves from its index). Old windows are purged by the
 * reconciler's run (FerretDB v1 has no TTL indexes), with the idempotency keys past their period.
 */
import type { Db } from './db';
import { isDuplicateKey } from './db';

interface CounterDoc {
  _id: string;
  count: number;
  expiresAt: Date;
}

export class RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly bucket: string,
    readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  private window(now: number): { id: (key: string) => string; retryAfterSeconds: number; end: number } {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    const end = start + this.windowMs;
    return {
      id: (key) => `${this.bucket}:${key}:${start}`,
      retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)),
      end,
    };
  }

  private get rows() {
    return this.db.connection.collection<CounterDoc>('rate_limits');
  }

  /** Seconds to wait when `key` has used up this window, 0 otherwise (counts nothing). */
  async blocked(key: string): Promise<number> {
    const w = this.window(Date.now());
    const row = await this.rows.findOne({ _id: w.id(key) });
    return row && row.count >= this.limit ? w.retryAfterSeconds : 0;
  }

  /** Counts one use by `key`; seconds to wait when that went past the limit, 0 otherwise. */
  async hit(key: string): Promise<number> {
    const w = this.window(Date.now());
    const inc = () =>
      this.rows.findOneAndUpdate(
        { _id: w.id(key) },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(w.end) } },
        { upsert: true, returnDocument: 'after' },
      );
    let row;
    try {
      row = await inc();
    } catch (err) {
      // Two first uses of a window at once: both upserts insert, one is refused; the row exists now.
      if (!isDuplicateKey(err)) throw err;
      row = await inc();
    }
    return row && row.count > this.limit ? w.retryAfterSeconds : 0;
  }
}

/** Drops the windows that have ended; answers how many. */
export async function purgeRateLimits(db: Db, now = new Date()): Promise<number> {
  const r = await db.connection.collection<CounterDoc>('rate_limits').deleteMany({ expiresAt: { $lt: now } });
  return r.deletedCount;
}

/**
 * How long an `Idempotency-Key` is kept: a retry within it joins the first request; after it the key may be used
 * again (and starts a new case).
 */
export const IDEMPOTENCY_KEY_DAYS = 7;

/** Drops the idempotency keys older than IDEMPOTENCY_KEY_DAYS; answers how many. */
export async function purgeIdempotencyKeys(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - IDEMPOTENCY_KEY_DAYS * 24 * 3_600_000);
  const r = await db.idempotency.deleteMany({ createdAt: { $lt: before } });
  return r.deletedCount;
}
