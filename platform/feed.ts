/**
 * The event feed's positions: every case event takes one position in a single sequence, its `_id` in
 * `case_events`, so that a reader who pages by position never skips an event written late and never sees one twice,
 * and a case's events are in the feed in their order.
 *
 * Positions are taken by inserting, never reserved: a writer inserts its events, in order, at the positions after
 * the last one written, and the unique `_id` decides between two writers who aim at the same one (the loser moves
 * on past it). A position is therefore only written once the one before it is, so the positions written always form
 * a prefix with no gap: a reader of `_id > cursor` can miss nothing that comes later. Where the last position is,
 * is kept as a hint (`counters`), raised after each write; a hint behind the truth (a writer died before raising
 * it, two raised it at once) only costs the next writer a few tries forward. It needs no atomic counter, which
 * FerretDB v1 lacks (its find-and-modify is a read then a write): only unique indexes and `_id` lookups.
 */
import type { mongo } from 'mongoose';
import type { Db, EventDoc } from './db';
import { driverCollection, isDuplicateKey } from './db';

const HINT = 'case-events-last';
/** Positions as fixed-width decimal strings: they sort as text as they do as numbers (16 digits: 10^16 events). */
const WIDTH = 16;

export function positionKey(n: number): string {
  return String(n).padStart(WIDTH, '0');
}

/** The position just before `key` (a cursor that makes a read start at `key`), or null before the first. */
export function positionBefore(key: string): string | null {
  const n = Number(key);
  return n > 0 ? positionKey(n - 1) : null;
}

/** An event as the projection hands it over, before it takes a position. */
export type EventRow = Omit<EventDoc, '_id'>;

function events(db: Db): mongo.Collection<mongo.Document & { _id: string }> {
  return driverCollection(db.events);
}

/** The last position the hint knows written (-1: none), never past the truth. */
async function hint(db: Db): Promise<number> {
  const doc = (await driverCollection(db.counters).findOne({ _id: HINT })) as { last?: number } | null;
  return typeof doc?.last === 'number' ? doc.last : -1;
}

async function raiseHint(db: Db, last: number): Promise<void> {
  const counters = driverCollection(db.counters);
  try {
    await counters.updateOne({ _id: HINT }, { $max: { last } }, { upsert: true });
  } catch (err) {
    // Two first writers created the hint at once: it exists now.
    if (!isDuplicateKey(err)) throw err;
    await counters.updateOne({ _id: HINT }, { $max: { last } });
  }
}

/** The index in the batch of the document an ordered insert stopped at. */
function stoppedAt(err: unknown): number {
  const writeErrors = (err as { writeErrors?: { index?: number } | { index?: number }[] }).writeErrors;
  const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  return typeof first?.index === 'number' ? first.index : 0;
}

/**
 * Appends events to the feed: each once, in the order given, after every event appended before this call began
 * (so a case's events, written one write after the other, are in the feed in their order). A retried write stores
 * nothing twice.
 */
export async function appendEvents(db: Db, rows: EventRow[]): Promise<void> {
  let pending = rows;
  const known = await hint(db);
  // No hint yet (a new database, or one written before it existed): found once by walking the positions.
  let at = known >= 0 ? known + 1 : await feedEnd(db);
  let last = -1;
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > 10_000) throw new Error('the feed could not place the events');
    // Each event names the last position of its batch, so that a writer who collides with it jumps past the batch.
    const end = at + pending.length - 1;
    const batch = pending.map((row, i) => ({ ...row, _id: positionKey(at + i), batchEnd: end }));
    try {
      // Ordered: a document is written only after the one before it, so the positions stay a prefix.
      await events(db).insertMany(batch, { ordered: true });
      last = at + batch.length - 1;
      pending = [];
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const k = stoppedAt(err);
      const refused = batch[k];
      if (!refused) throw err;
      if (k > 0) last = at + k - 1;
      const there = await events(db).findOne(
        { _id: refused._id },
        { projection: { eventId: 1, batchEnd: 1 } },
      );
      if (there) {
        // The position is another event's (or this one's, written by an earlier try): move past it, and past the
        // rest of its batch, written in order after it.
        pending = pending.slice(there.eventId === refused.eventId ? k + 1 : k);
        const theirEnd = typeof there.batchEnd === 'number' ? there.batchEnd : at + k;
        at = Math.max(at + k + 1, theirEnd + 1);
      } else {
        // The position is free, so the event itself collided: it is stored already (a retried write).
        pending = pending.slice(k + 1);
        at += k;
      }
    }
  }
  if (last >= 0) await raiseHint(db, last);
}

/**
 * How many positions are written (all of them a prefix): positions below it are final. Walks forward from the hint
 * over positions written since (a writer may have died before raising it), and raises it.
 */
export async function feedEnd(db: Db): Promise<number> {
  const known = await hint(db);
  let end = known + 1;
  for (;;) {
    const rows = await events(db)
      .find({ _id: { $gte: positionKey(end) } }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(1000)
      .batchSize(1001)
      .toArray();
    let moved = 0;
    for (const r of rows) {
      if (r._id !== positionKey(end)) break;
      end += 1;
      moved += 1;
    }
    if (moved < 1000) break;
  }
  if (end - 1 > known) await raiseHint(db, end - 1);
  return end;
}
