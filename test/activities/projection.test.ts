/** The projection activity against a real database: retries never duplicate, older snapshots never regress. */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { CaseEvent, CaseView, ProjectionBatch } from '../../domain/case-model';
import { createActivities } from '../../activities';
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import { testMongoUri, uniqueName } from '../support/env';

let db: Db;
beforeAll(async () => {
  db = await connectDb(testMongoUri(), { dbName: uniqueName('act') });
});
afterAll(async () => {
  await db.connection.dropDatabase();
  await db.close();
});

function snapshot(version: number, step: string): CaseView {
  return {
    caseId: 'CIGO-2026-01TESTPROJECTION00000000000',
    procedure: 'CIGO',
    procedureVersion: 1,
    title: 't',
    office: 'lucca',
    status: 'open',
    step,
    parties: [],
    keys: {},
    units: [],
    input: {},
    openedAt: '2026-01-01T00:00:00.000Z',
    openedBy: { sub: 'officer-lucca', role: 'officer' },
    closedAt: null,
    outcome: null,
    outcomeReason: null,
    suspension: null,
    deadlines: [],
    tasks: [],
    documents: [],
    decisions: [],
    checks: [],
    facts: {},
    nextDueAt: null,
    version,
  };
}

function event(seq: number): CaseEvent {
  const caseId = 'CIGO-2026-01TESTPROJECTION00000000000';
  return {
    eventId: `${caseId}:${seq}`,
    caseId,
    seq,
    type: 'CheckRecorded',
    at: '2026-01-01T00:00:00.000Z',
    actor: { sub: 'system', role: 'system' },
    summary: `e${seq}`,
    data: {},
  };
}

describe('project', () => {
  it('when a batch is applied twice, then events are stored once and the case keeps the newest version', async () => {
    const { project: projectActivity } = createActivities({ db });
    // The mock environment only supplies the activity context (for logging); the database is real.
    const env = new MockActivityEnvironment();
    const project = (batch: ProjectionBatch) => env.run(projectActivity, batch);
    await project({ events: [event(1), event(2)], snapshot: snapshot(2, 'two') });
    await project({ events: [event(1), event(2)], snapshot: snapshot(2, 'two') });
    await project({ events: [event(3)], snapshot: snapshot(3, 'three') });
    // A stale retry of an older batch arrives last.
    await project({ events: [event(2)], snapshot: snapshot(2, 'two') });
    expect(await db.events.countDocuments()).toBe(3);
    const stored = await db.cases.findById('CIGO-2026-01TESTPROJECTION00000000000').lean();
    expect(stored?.version).toBe(3);
    expect(stored?.step).toBe('three');
  });
});

describe('earlierUnitPeriods', () => {
  it('when earlier cases of the unit are open, closed, refused or withdrawn, then only those that used the fund count', async () => {
    const { earlierUnitPeriods } = createActivities({ db });
    const unit = { 'keys.productionUnit': '01234567890/u1' };
    const base = {
      procedure: 'CIGO',
      office: 'lucca',
      version: 1,
      sortKey: '0',
      openedBySub: 'x',
      assignees: [],
    };
    await db.cases.create([
      {
        _id: 'open',
        ...base,
        ...{ keys: { productionUnit: '01234567890/u1' } },
        status: 'open',
        facts: { countedPeriod: { from: '2026-01-05', to: '2026-02-01' } },
      },
      {
        _id: 'authorised',
        ...base,
        keys: { productionUnit: '01234567890/u1' },
        status: 'closed',
        facts: { countedPeriod: { from: '2025-03-03', to: '2025-03-30' } },
      },
      {
        _id: 'rejected',
        ...base,
        keys: { productionUnit: '01234567890/u1' },
        status: 'closed',
        facts: { countedPeriod: null },
      },
      {
        _id: 'withdrawn',
        ...base,
        keys: { productionUnit: '01234567890/u1' },
        status: 'withdrawn',
        facts: { countedPeriod: { from: '2025-06-02', to: '2025-06-29' } },
      },
      {
        // A CIGS covering this unit and another: found through its list of units.
        _id: 'cigs-two-units',
        ...base,
        procedure: 'CIGS',
        keys: { employer: '01234567890' },
        units: ['01234567890/u1', '01234567890/u3'],
        status: 'closed',
        facts: { cigsCause: 'crisis', countedPeriod: { from: '2025-09-01', to: '2025-10-31' } },
      },
      {
        _id: 'other-unit',
        ...base,
        keys: { productionUnit: '01234567890/u2' },
        status: 'open',
        facts: { countedPeriod: { from: '2025-06-02', to: '2025-06-29' } },
      },
    ]);
    expect(await db.cases.countDocuments(unit)).toBe(4);
    const periods = await earlierUnitPeriods({ unitKey: '01234567890/u1', excludeCaseId: 'open' });
    expect(periods).toEqual([
      { caseId: 'authorised', from: '2025-03-03', to: '2025-03-30', scheme: 'CIGO', cause: null },
      { caseId: 'cigs-two-units', from: '2025-09-01', to: '2025-10-31', scheme: 'CIGS', cause: 'crisis' },
    ]);
  });
});
