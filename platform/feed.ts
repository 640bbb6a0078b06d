/**
 * The event feed's positions: every case event takes one position in a single sequence, its `_id` in
 * `case_events`, so that a reader who pages by position never skips an event written late and never sees one twice.
 *
 * - A writer takes a run of positions from a counter (one atomic `$inc`) and inserts its events at them. Positions
 *   are unique (`_id`), events too (`eventId`).
 * - Positions are handed out in order but may be filled out of order (two workers, one slower to insert). The
 *   feed is read only up to the **watermark**: the length of the prefix of positions that are all filled. A
 *   position inside that prefix never changes again.
 * - A position whose writer died before inserting is a gap that would hold the watermark back forever: after
 *   `gapMs` a reader closes it with a tombstone. A writer that comes back late finds its position taken, takes a new
 *   one and inserts there, after the watermark: its event is late, never lost.
 * - A writer whose event is stored already (a retried write) closes the positions it took for it at once.
 *
 * Only `_id` lookups, one atomic counter and unique indexes: it runs the same on MongoDB and FerretDB.
 */
import type { mongo } from 'mongoose';
import type { Db, EventDoc } from './db';
import { driverCollection, isDuplicateKey } from './db';

/** How long a taken position may stay empty before a reader closes it (a writer that died between take and write). */
export const FEED_GAP_MS = 15_000;
const COUNTER = 'case-events';
const WATERMARK = 'case-events-watermark';
/** Positions as fixed-width decimal strings: they sort as text as they do as numbers (16 digits: 10^16 events). */
const WIDTH = 16;
export const FEED_POSITION = /^[0-9]{16}$/;

export function positionKey(n: number): string {
  return String(n).padStart(WIDTH, '0');
}

export function positionNumber(key: string): number {
  return Number(key);
}

/** An event as the projection hands it over, before it takes a position. */
export type EventRow = Omit<EventDoc, '_id'>;

/** A position closed without an event. */
interface Tombstone {
  _id: string;
  tombstone: true;
  at: string;
}

function events(db: Db): mongo.Collection<mongo.Document & { _id: string }> {
  return driverCollection(db.events);
}

/** Takes `n` consecutive positions: answers the first. */
export async function take(db: Db, n: number): Promise<number> {
  const inc = () =>
    driverCollection(db.counters).findOneAndUpdate(
      { _id: COUNTER },
      { $inc: { next: n } },
      { upsert: true, returnDocument: 'after' },
    );
  let after;
  try {
    after = await inc();
  } catch (err) {
    // Two first writers created the counter at once: it exists now, and the increment goes through.
    if (!isDuplicateKey(err)) throw err;
    after = await inc();
  }
  const next = (after as { next?: number } | null)?.next;
  if (typeof next !== 'number') throw new Error('the feed counter answered no position');
  return next - n;
}

/** Closes a position without an event (answers false when an event got there first). */
async function close(db: Db, position: string): Promise<boolean> {
  const doc: Tombstone = { _id: position, tombstone: true, at: new Date().toISOString() };
  try {
    await events(db).insertOne(doc);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** The batch's documents the insert refused (duplicate keys), by their index in the batch. */
function refusedIndexes(err: unknown, size: number): number[] {
  const writeErrors = (err as { writeErrors?: { index?: number } | { index?: number }[] }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  const found = list.map((w) => w.index).filter((i): i is number => typeof i === 'number');
  // A driver that does not say which: every document is looked at again.
  return found.length > 0 ? found : [...Array(size).keys()];
}

/**
 * Appends events to the feed: each once, in the order given, at positions after those of every event appended
 * before this call began (so a case's events, written one write after the other, are in the feed in their order).
 */
export async function appendEvents(
  db: Db,
  rows: EventRow[],
  /** How positions are taken: the counter; a test hands out positions of its choosing (a late writer's). */
  takePositions: (db: Db, n: number) => Promise<number> = take,
): Promise<void> {
  let pending = rows;
  // Each round either stores an event or finds it stored; a position lost to a tombstone means one more round.
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > 20) throw new Error('the feed could not place the events: positions kept being closed');
    const first = await (round === 0 ? takePositions : take)(db, pending.length);
    const batch = pending.map((row, i) => ({ ...row, _id: positionKey(first + i) }));
    try {
      await events(db).insertMany(batch, { ordered: false });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again: EventRow[] = [];
      for (const i of refusedIndexes(err, batch.length)) {
        const mine = batch[i];
        if (!mine) continue;
        const there = await events(db).findOne({ _id: mine._id });
        if (there && there.eventId === mine.eventId) continue; // stored after all
        if (there) {
          // A reader closed the position while this writer was late: the event takes a new one.
          again.push(pending[i] as EventRow);
          continue;
        }
        // The position is free, so the event is what collided: stored earlier (a retried write). Close it.
        await close(db, mine._id);
      }
      pending = again;
    }
  }
}

interface GapWatch {
  position: number;
  since: number;
}
const watchedGaps = new WeakMap<Db, GapWatch>();

/**
 * Moves the watermark over the positions filled since, closing a gap that has stayed open `gapMs`. Answers the
 * watermark: every position below it holds an event or a tombstone, for good.
 */
export async function advanceFeed(db: Db, opts: { gapMs?: number; now?: number } = {}): Promise<number> {
  const gapMs = opts.gapMs ?? FEED_GAP_MS;
  const counters = driverCollection(db.counters);
  const start = ((await counters.findOne({ _id: WATERMARK })) as { upTo?: number } | null)?.upTo ?? 0;
  let upTo = start;
  for (;;) {
    const rows = await events(db)
      .find({ _id: { $gte: positionKey(upTo) } }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(1000)
      .toArray();
    let moved = 0;
    for (const r of rows) {
      if (r._id !== positionKey(upTo)) break;
      upTo += 1;
      moved += 1;
    }
    if (moved === rows.length && rows.length === 1000) continue;
    // Is the next position taken by a writer that has not written it yet?
    const taken = ((await counters.findOne({ _id: COUNTER })) as { next?: number } | null)?.next ?? 0;
    if (upTo >= taken) break;
    const now = opts.now ?? Date.now();
    const watch = watchedGaps.get(db);
    if (!watch || watch.position !== upTo) {
      watchedGaps.set(db, { position: upTo, since: now });
      break;
    }
    if (now - watch.since < gapMs) break;
    // The writer has had its time: the position is closed (or found filled), and the walk goes on.
    await close(db, positionKey(upTo));
  }
  if (upTo > start) {
    try {
      await counters.updateOne({ _id: WATERMARK }, { $max: { upTo } }, { upsert: true });
    } catch (err) {
      // Two readers created the watermark at once: the other's row is there now.
      if (!isDuplicateKey(err)) throw err;
      await counters.updateOne({ _id: WATERMARK }, { $max: { upTo } });
    }
  }
  return upTo;
}

/** The filter that hides closed positions from readers. */
export const NOT_TOMBSTONE = { tombstone: { $exists: false } } as const;
