/**
 * The event feed against a real database (platform/feed.ts): positions are a prefix without gaps, so a reader
 * paging by position never skips an event a slower writer was still inserting, never sees one twice, and finds
 * each case's events in their order, with writers racing for positions (FerretDB has no atomic counter).
 */
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import type { EventRow } from '../../platform/feed';
import { appendEvents, feedEnd, positionKey } from '../../platform/feed';
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

/** What a reader sees after `after` (the API's feed query, unscoped). */
async function read(after: string | null, limit = 1000): Promise<{ ids: string[]; last: string | null }> {
  const docs = await db.events
    .find(after ? { _id: { $gt: after } } : {})
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return { ids: docs.map((d) => d.eventId), last: docs.length ? docs[docs.length - 1]!._id : after };
}

async function positions(): Promise<string[]> {
  return (await db.events.find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map((d) => d._id);
}

test('a retried write stores nothing twice, and leaves no gap', async () => {
  const rows = [row('A', 1), row('A', 2), row('A', 3)];
  await appendEvents(db, rows);
  await appendEvents(db, rows);
  await appendEvents(db, [row('A', 2), row('A', 4)]);
  expect((await read(null)).ids).toEqual(['A:1', 'A:2', 'A:3', 'A:4']);
  expect(await positions()).toEqual([0, 1, 2, 3].map(positionKey));
  expect(await feedEnd(db)).toBe(4);
});

test('a writer whose hint is behind (it died before raising it) moves on past what is written', async () => {
  await appendEvents(db, [row('A', 1), row('A', 2)]);
  await db.counters.updateOne({ _id: 'case-events-last' }, { $set: { last: -1 } });
  await appendEvents(db, [row('B', 1)]);
  expect((await read(null)).ids).toEqual(['A:1', 'A:2', 'B:1']);
  expect(await positions()).toEqual([0, 1, 2].map(positionKey));
});

test('concurrent writers and a reader paging meanwhile: every event once, each case in its order, no gap', async () => {
  const cases = ['A', 'B', 'C', 'D', 'E', 'F'];
  const perCase = 30;
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
  // Each case writes its events one write after the other, three at a time, as a case's projections do.
  await Promise.all(
    cases.map(async (c) => {
      for (let seq = 1; seq <= perCase; seq += 3)
        await appendEvents(db, [row(c, seq), row(c, seq + 1), row(c, seq + 2)]);
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
  expect(await positions()).toEqual([...Array(cases.length * perCase).keys()].map(positionKey));
  expect(await feedEnd(db)).toBe(cases.length * perCase);
});
