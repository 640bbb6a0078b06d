/**
 * The event feed against a real database (platform/feed.ts): a reader paging by position never skips an event a
 * slower writer was still inserting, never sees one twice, and is held back by a dead writer's gap only until it
 * is closed.
 */
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import type { EventRow } from '../../platform/feed';
import { NOT_TOMBSTONE, advanceFeed, appendEvents, positionKey, take } from '../../platform/feed';
import { testMongoUri, uniqueName } from '../support/env';

let db: Db;
beforeEach(async () => {
  db = await connectDb(testMongoUri(), { dbName: uniqueName('feed') });
});
afterEach(async () => {
  await db.connection.dropDatabase();
  await db.close();
});

function row(caseId: string, seq: number): EventRow {
  return {
    eventId: `${caseId}:${seq}`,
    caseId,
    seq,
    type: 'TaskCompleted',
    at: new Date().toISOString(),
    actor: { sub: 'officer-lucca', role: 'officer' },
    summary: `event ${seq}`,
    data: {},
    office: 'lucca',
    procedure: 'CIGO',
    openedBySub: 'officer-lucca',
  };
}

/** What a reader sees after `after`, up to the watermark (the API's feed query, unscoped). */
async function read(after: string | null, limit = 1000): Promise<{ ids: string[]; last: string | null }> {
  const upTo = await advanceFeed(db);
  const range: Record<string, string> = { $lt: positionKey(upTo) };
  if (after) range.$gt = after;
  const docs = await db.events
    .find({ ...NOT_TOMBSTONE, _id: range })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return { ids: docs.map((d) => d.eventId), last: docs.length ? docs[docs.length - 1]!._id : after };
}

/** A writer that has taken its positions and not yet written them: answers how to finish the write. */
async function slowWriter(rows: EventRow[]): Promise<() => Promise<void>> {
  const first = await take(db, rows.length);
  return () => appendEvents(db, rows, () => Promise.resolve(first));
}

test('a reader waits for a slower writer instead of skipping its event', async () => {
  const finishA = await slowWriter([row('A', 1)]);
  await appendEvents(db, [row('B', 1), row('B', 2)]);
  // B's events sit after A's taken position: the feed shows nothing yet rather than B without A.
  expect((await read(null)).ids).toEqual([]);
  await finishA();
  expect((await read(null)).ids).toEqual(['A:1', 'B:1', 'B:2']);
});

test("a dead writer's gap is closed after its time, and its late event is placed after, once", async () => {
  const finishLate = await slowWriter([row('A', 1)]);
  await appendEvents(db, [row('B', 1)]);
  const t0 = Date.now();
  expect(await advanceFeed(db, { now: t0, gapMs: 1000 })).toBe(0);
  expect(await advanceFeed(db, { now: t0 + 500, gapMs: 1000 })).toBe(0);
  // Past its time the position is closed with a tombstone and the watermark moves over it.
  expect(await advanceFeed(db, { now: t0 + 1500, gapMs: 1000 })).toBe(2);
  const first = await read(null);
  expect(first.ids).toEqual(['B:1']);
  // The writer comes back: its position is taken, so its event goes after the watermark, and is read next.
  await finishLate();
  const next = await read(first.last);
  expect(next.ids).toEqual(['A:1']);
  expect(await db.events.countDocuments({ eventId: 'A:1' })).toBe(1);
  expect(await db.events.countDocuments({ tombstone: true })).toBe(1);
});

test('a retried write stores nothing twice and leaves no gap to wait for', async () => {
  const rows = [row('A', 1), row('A', 2), row('A', 3)];
  await appendEvents(db, rows);
  await appendEvents(db, rows);
  await appendEvents(db, [row('A', 2), row('A', 4)]);
  // Positions taken by the retries are closed by the writers themselves: the watermark reaches the end at once.
  expect(await advanceFeed(db, { gapMs: 60_000 })).toBe(8);
  expect((await read(null)).ids).toEqual(['A:1', 'A:2', 'A:3', 'A:4']);
});

test('concurrent writers and a reader paging meanwhile: every event once, each case in its order', async () => {
  const cases = ['A', 'B', 'C', 'D'];
  const perCase = 40;
  const seen: string[] = [];
  let cursor: string | null = null;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const page = await read(cursor, 7);
      seen.push(...page.ids);
      cursor = page.last;
    }
  })();
  // Each case writes its events one write after the other, two at a time, as a case's projections do.
  await Promise.all(
    cases.map(async (c) => {
      for (let seq = 1; seq <= perCase; seq += 2) await appendEvents(db, [row(c, seq), row(c, seq + 1)]);
    }),
  );
  writing = false;
  await reader;
  for (let page = await read(cursor); page.ids.length > 0; page = await read(cursor)) {
    seen.push(...page.ids);
    cursor = page.last;
  }
  expect(seen).toHaveLength(cases.length * perCase);
  expect(new Set(seen).size).toBe(seen.length);
  for (const c of cases) {
    const order = seen.filter((id) => id.startsWith(`${c}:`)).map((id) => Number(id.split(':')[1]));
    expect(order).toEqual([...Array(perCase).keys()].map((i) => i + 1));
  }
});
