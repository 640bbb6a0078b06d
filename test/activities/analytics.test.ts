/**
 * The office's figures against a real database (platform/analytics.ts): facts added twice count once, facts
 * written at once by many projections all count; a summary
 * is cached and used while its stamp holds; a write to a day (a late one too) makes its day and month count again;
 * lead times come out of histograms exactly; the lead time of a case counts working days net of suspensions; reads
 * of many batches at once all finish on FerretDB; the backlog's buckets are recounted only where written.
 */
import { findOffice, officeCalendar } from '../../domain/offices';
import type { CaseStatus } from '../../domain/case-model';
import type { TaskFact } from '../../platform/analytics';
import {
  daySummary,
  histogramPercentile,
  leadWorkingDays,
  monthSummary,
  recordFacts,
} from '../../platform/analytics';
import type { Db } from '../../platform/db';
import { connectDb, driverCollection, longRead } from '../../platform/db';
import { BACKLOG_BUCKETS, bucketOf, officeBacklog, projectBacklog } from '../../platform/backlog';
import { testMongoUri, uniqueName } from '../support/env';

let db: Db;
beforeEach(async () => {
  db = await connectDb(testMongoUri(), { dbName: uniqueName('analytics') });
});
afterEach(async () => {
  await db.connection.dropDatabase();
  await db.close();
});

const task = (id: string, at: string, within: boolean): TaskFact => ({
  id,
  procedure: 'CIGO',
  key: 'union-consultation',
  by: 'officer-lucca',
  at,
  within,
});

describe('office figures', () => {
  it('when facts are written again, then they count once; a new one counts, on its day and its month', async () => {
    const a = task('C1.T1', '2026-11-10T09:00:00.000Z', true);
    const b = task('C2.T1', '2026-11-10T10:00:00.000Z', false);
    await recordFacts(db, 'lucca', { tasks: [a, b] });
    await recordFacts(db, 'lucca', { tasks: [a] });
    expect((await daySummary(db, 'lucca', '2026-11-10')).CIGO).toMatchObject({ tasks: 2, within: 1 });
    expect((await monthSummary(db, 'lucca', '2026-11')).CIGO).toMatchObject({ tasks: 2, within: 1 });
    // Cached now: the same answer without reading the day's entries again.
    const cachedMonth = await db.analyticsSummaries.findById('month:lucca:2026-11').lean();
    expect(cachedMonth?.summary.CIGO?.tasks).toBe(2);

    // A late write to an earlier day of the month (a projection retried after an outage) is not missed.
    await recordFacts(db, 'lucca', { tasks: [task('C3.T1', '2026-11-02T08:00:00.000Z', true)] });
    expect((await monthSummary(db, 'lucca', '2026-11')).CIGO).toMatchObject({ tasks: 3, within: 2 });
    expect((await daySummary(db, 'lucca', '2026-11-02')).CIGO).toMatchObject({ tasks: 1, within: 1 });
    // Other offices and months are untouched; a day nobody wrote is empty.
    expect(await monthSummary(db, 'viareggio', '2026-11')).toEqual({});
    expect(await daySummary(db, 'lucca', '2026-11-11')).toEqual({});
  });

  it('when 200 projections write facts of one office and day at once, then every one counts', async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        recordFacts(db, 'lucca', { tasks: [task(`K${i}.T1`, '2026-11-20T09:00:00.000Z', i % 4 !== 0)] }),
      ),
    );
    expect((await daySummary(db, 'lucca', '2026-11-20')).CIGO).toMatchObject({ tasks: 200, within: 150 });
    expect((await monthSummary(db, 'lucca', '2026-11')).CIGO).toMatchObject({ tasks: 200, within: 150 });
  });

  it('when busy days (more facts than a first batch holds) are summarised at once, then each counts all its facts', async () => {
    // 120 days of 110 facts each: more than a first batch (101), so every day's read leaves a cursor open for a
    // moment. Read all at once, as the figures of a supervisor of three offices do, they all come back.
    const days = Array.from({ length: 120 }, (_, i) =>
      new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
    );
    for (const day of days) {
      await recordFacts(db, 'lucca', {
        tasks: Array.from({ length: 110 }, (_, i) =>
          task(`C${day}-${i}.T1`, `${day}T09:00:00.000Z`, i % 2 === 0),
        ),
      });
    }
    const summaries = await Promise.all(days.map((d) => daySummary(db, 'lucca', d)));
    expect(summaries.map((s) => s.CIGO?.tasks)).toEqual(days.map(() => 110));
    expect((await monthSummary(db, 'lucca', '2026-02')).CIGO).toMatchObject({
      tasks: 28 * 110,
      within: 28 * 55,
    });
  }, 60_000);

  it('when 250 reads that span several batches run at once, then all of them finish (each takes its turn)', async () => {
    // 300 documents read 101 at a time: each read leaves a cursor open between its batches. FerretDB v1 on SQLite
    // holds a connection of its 100 for each; without turns, 250 at once (100 cursors open, 100 finds waiting for a
    // connection, the driver's 100 connections busy) stopped it for good.
    const rows = driverCollection(db.analyticsFacts);
    await rows.insertMany(
      Array.from({ length: 300 }, (_, i) => ({ _id: `r:${String(i).padStart(4, '0')}`, n: i })),
    );
    const counts = await Promise.all(
      Array.from({ length: 250 }, () =>
        longRead(() =>
          rows
            .find({ _id: { $gte: 'r:', $lt: 'r;' } })
            .batchSize(101)
            .toArray(),
        ),
      ),
    );
    expect(counts.map((c) => c.length)).toEqual(Array.from({ length: 250 }, () => 300));
  }, 60_000);

  it('when the backlog is read, then it counts every open case and recounts only the bucket a write touched', async () => {
    const openCase = (i: number, status: CaseStatus, write: number): Promise<void> =>
      projectBacklog(
        db,
        { caseId: `B-${i}`, procedure: 'CIGO', office: 'lucca', openedBySub: 'x', title: 't', status },
        write,
        write === 1 ? { step: `step ${i % 3}`, openedAt: '2026-11-02T09:00:00.000Z' } : {},
        [
          {
            taskId: `B-${i}.T1`,
            caseId: `B-${i}`,
            procedure: 'CIGO',
            key: 'k',
            title: 't',
            candidateRole: 'officer',
            office: 'lucca',
            assignee: i % 2 === 0 ? 'officer.lucca@example.it' : null,
            status: 'open',
            priority: 'normal',
            openedAt: '2026-11-02T09:00:00.000Z',
            targetAt: '2026-11-03T22:59:59.999Z',
            deadlineId: null,
            legalDueAt: null,
            escalated: false,
            outcomes: [],
            completedAt: null,
            completedBy: null,
            outcome: null,
            data: null,
          },
        ],
      );
    await Promise.all(Array.from({ length: 300 }, (_, i) => openCase(i, 'open', 1)));
    const first = await officeBacklog(db, 'lucca');
    expect(first.steps.reduce((n, x) => n + x.cases, 0)).toBe(300);
    expect(first.tasks).toMatchObject({ open: 300, unassigned: 150 });
    expect(first.officers).toEqual([
      {
        assignee: 'officer.lucca@example.it',
        open: 150,
        targets: [{ at: '2026-11-03T22:59:59.999Z', n: 150 }],
      },
    ]);
    const cachedBefore = await db.analyticsSummaries.find({ _id: /^backlog:lucca:/ }).lean();
    expect(cachedBefore.length).toBe(BACKLOG_BUCKETS);

    // One case withdrawn: its bucket's stamp moves, the other 63 counts are read as cached.
    await openCase(7, 'withdrawn', 2);
    const after = await officeBacklog(db, 'lucca');
    expect(after.steps.reduce((n, x) => n + x.cases, 0)).toBe(299);
    expect(after.tasks.open).toBe(299);
    const cachedAfter = new Map(
      (await db.analyticsSummaries.find({ _id: /^backlog:lucca:/ }).lean()).map((d) => [d._id, d.stamp]),
    );
    const moved = cachedBefore.filter((d) => cachedAfter.get(d._id) !== d.stamp).map((d) => d._id);
    expect(moved).toEqual([`backlog:lucca:${bucketOf('B-7')}`]);
    // Another office's backlog is its own.
    expect((await officeBacklog(db, 'viareggio')).tasks.open).toBe(0);
  });

  it('when a stale summary is cached, then the stamp refuses it and it is computed again', async () => {
    await recordFacts(db, 'lucca', { tasks: [task('C1.T1', '2026-11-10T09:00:00.000Z', true)] });
    await daySummary(db, 'lucca', '2026-11-10');
    // A summary computed before a write but stored after it carries the old stamp.
    await db.analyticsSummaries.updateOne({ _id: 'day:lucca:2026-11-10' }, { $set: { stamp: 'old' } });
    await db.analyticsSummaries.updateOne(
      { _id: 'day:lucca:2026-11-10' },
      { $set: { 'summary.CIGO.tasks': 99 } },
    );
    expect((await daySummary(db, 'lucca', '2026-11-10')).CIGO?.tasks).toBe(1);
  });

  it('when closed cases and answers are summarised, then lead times and scores come from their histograms', async () => {
    await recordFacts(db, 'lucca', {
      cases: [0, 1, 1, 2, 9].map((leadDays, i) => ({
        id: `C${i}`,
        procedure: 'CIGO',
        at: '2026-11-10T09:00:00.000Z',
        outcome: 'authorised',
        leadDays,
      })),
      surveys: [{ id: 'C1', procedure: 'CIGO', at: '2026-11-12T09:00:00.000Z', score: 4 }],
    });
    await recordFacts(db, 'lucca', {
      cases: [
        { id: 'C9', procedure: 'CIGO', at: '2026-11-11T09:00:00.000Z', outcome: 'withdrawn', leadDays: 30 },
      ],
    });
    const m = (await monthSummary(db, 'lucca', '2026-11')).CIGO!;
    expect(m.lead).toEqual({ 0: 1, 1: 2, 2: 1, 9: 1 });
    expect(m.withdrawn).toBe(1);
    expect(m.scores).toEqual({ 4: 1 });
    expect(histogramPercentile(m.lead, 50)).toBe(1);
    expect(histogramPercentile(m.lead, 90)).toBe(9);
    expect(histogramPercentile({}, 50)).toBeNull();
  });

  it('when a case stood suspended, then its lead time leaves out the working days it spent so', () => {
    const lucca = officeCalendar(findOffice('lucca')!);
    // Opened Monday 2 November 2026, closed Friday 13 November: 9 working days after the opening day.
    expect(leadWorkingDays('2026-11-02T09:00:00Z', '2026-11-13T15:00:00Z', [], lucca)).toBe(9);
    // Suspended from Tuesday 3 to Thursday 5: the 4th and the 5th did not count.
    expect(
      leadWorkingDays(
        '2026-11-02T09:00:00Z',
        '2026-11-13T15:00:00Z',
        [{ from: '2026-11-03T10:00:00Z', to: '2026-11-05T10:00:00Z' }],
        lucca,
      ),
    ).toBe(7);
    // Opened and closed the same day: 0.
    expect(leadWorkingDays('2026-11-02T09:00:00Z', '2026-11-02T17:00:00Z', [], lucca)).toBe(0);
  });
});
