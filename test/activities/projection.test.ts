/**
 * The projection activity against a real database: deltas land as MongoDB paths (array elements, fact keys),
 * retries never duplicate, older batches never regress, member rows are rows of their own.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { CaseEvent, CaseView, ProjectionDelta, TaskView } from '../../domain/case-model';
import { ViewDiff } from '../../domain/view-diff';
import { createActivities } from '../../activities';
import type { Db } from '../../platform/db';
import { connectDb } from '../../platform/db';
import { caseFromDoc } from '../../api/service';
import { testMongoUri, uniqueName } from '../support/env';
import { seedCases } from '../support/seed-cases';

let db: Db;
beforeAll(async () => {
  db = await connectDb(testMongoUri(), { dbName: uniqueName('act') });
});
afterAll(async () => {
  await db.connection.dropDatabase();
  await db.close();
});

const CASE_ID = 'CIGO-2026-01TESTPROJECTION00000000000';

function view(): CaseView {
  return {
    caseId: CASE_ID,
    procedure: 'CIGO',
    procedureVersion: 2,
    title: 't',
    office: 'lucca',
    status: 'open',
    step: 'one',
    parties: [],
    keys: {},
    units: [],
    input: { big: 'x'.repeat(5000) },
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
    version: 0,
  };
}

function task(n: number, status: TaskView['status'] = 'open'): TaskView {
  return {
    taskId: `${CASE_ID}.T${n}`,
    caseId: CASE_ID,
    procedure: 'CIGO',
    key: `k${n}`,
    title: `task ${n}`,
    candidateRole: 'officer',
    office: 'lucca',
    assignee: null,
    status,
    priority: 'normal',
    openedAt: '2026-01-01T00:00:00.000Z',
    targetAt: '2026-01-02T00:00:00.000Z',
    deadlineId: null,
    legalDueAt: null,
    escalated: false,
    outcomes: ['done'],
    completedAt: null,
    completedBy: null,
    outcome: null,
    data: null,
  };
}

function event(seq: number): CaseEvent {
  return {
    eventId: `${CASE_ID}:${seq}`,
    caseId: CASE_ID,
    seq,
    type: 'CheckRecorded',
    at: '2026-01-01T00:00:00.000Z',
    actor: { sub: 'system', role: 'system' },
    summary: `e${seq}`,
    data: {},
  };
}

/** A delta as the kernel builds it: the diff of the view since the last batch. */
function delta(diff: ViewDiff, v: CaseView, events: number[], create = false): ProjectionDelta {
  const { set, unset } = diff.changes(v as unknown as Record<string, unknown>);
  return {
    scope: {
      caseId: CASE_ID,
      procedure: 'CIGO',
      office: 'lucca',
      openedBySub: 'officer-lucca',
      title: 't',
      status: v.status,
    },
    write: v.version,
    create,
    events: events.map(event),
    set,
    unset,
    tasks: v.tasks,
    members: [],
  };
}

describe('project', () => {
  it('when deltas are applied, retried and replayed out of order, then the stored case equals the view and events are stored once', async () => {
    const { project: projectActivity } = createActivities({ db });
    // The mock environment only supplies the activity context (for logging); the database is real.
    const env = new MockActivityEnvironment();
    const project = (d: ProjectionDelta) => env.run(projectActivity, d);
    const diff = new ViewDiff();
    const v = view();
    v.version = 2;
    v.tasks.push(task(1));
    v.facts = { list: [1, 2], counts: { a: 1 } };
    v.units = ['01234567890/u9'];
    const first = delta(diff, v, [1, 2], true);
    await project(first);
    await project(first);
    // The unit's row lists the case once, however often the first write is retried.
    expect((await db.unitCases.findById('01234567890/u9').lean())?.cases).toEqual([CASE_ID]);

    // The second batch carries only what changed: a task element, one fact element, the step.
    v.version = 3;
    v.step = 'two';
    v.tasks[0] = task(1, 'completed');
    v.tasks.push(task(2));
    (v.facts.list as number[]).push(3);
    v.facts.counts = { a: 2 };
    const second = delta(diff, v, [3]);
    expect(Object.keys(second.set).sort()).toEqual(
      ['facts.counts', 'facts.list.2', 'nextDueAt', 'step', 'tasks.0', 'tasks.1', 'version'].filter(
        (k) => k !== 'nextDueAt',
      ),
    );
    expect(JSON.stringify(second.set).length).toBeLessThan(2000);
    await project(second);
    // A stale retry of the first batch arrives last.
    await project(first);

    expect(await db.events.countDocuments({ caseId: CASE_ID })).toBe(3);
    const stored = await db.cases.findById(CASE_ID).lean();
    expect(stored).not.toBeNull();
    expect(caseFromDoc(stored!)).toEqual(v);
    const tasks = await db.tasks.find({ caseId: CASE_ID }).sort({ _id: 1 }).lean();
    expect(tasks.map((t) => [t.status, t.writeSeq, t.openedBySub])).toEqual([
      ['completed', 3, 'officer-lucca'],
      ['open', 3, 'officer-lucca'],
    ]);

    // A fact removed is unset; a shrunk array is sent whole.
    v.version = 4;
    delete v.facts.counts;
    v.facts.list = [9];
    const third = delta(diff, v, [4]);
    expect(third.unset).toEqual(['facts.counts']);
    expect(third.set['facts.list']).toEqual([9]);
    await project(third);
    expect(caseFromDoc((await db.cases.findById(CASE_ID).lean())!)).toEqual(v);
  });

  it('when member rows come in batches, then each is one row with its newest stage', async () => {
    const { project: projectActivity } = createActivities({ db });
    const env = new MockActivityEnvironment();
    const caseId = 'MOB-2026-01TESTMEMBERS0000000000000';
    const base = {
      scope: {
        caseId,
        procedure: 'MOB',
        office: 'lucca',
        openedBySub: 'x',
        title: 'm',
        status: 'open' as const,
      },
      create: false,
      set: {},
      unset: [],
      tasks: [],
    };
    const member = (i: number, stage: string) => ({
      key: `TAX${i}`,
      name: `W${i}`,
      office: 'lucca',
      memberCaseId: `${caseId}W${i}`,
      stage,
    });
    const rows = Array.from({ length: 300 }, (_, i) => member(i, 'opened'));
    await env.run(projectActivity, { ...base, write: 5, events: [], members: rows });
    await env.run(projectActivity, {
      ...base,
      write: 6,
      events: [],
      members: [member(7, 'first-contact')],
    });
    // The older batch retried: row 7 keeps its newer stage.
    await env.run(projectActivity, { ...base, write: 5, events: [], members: rows });
    expect(await db.members.countDocuments({ caseId })).toBe(300);
    expect((await db.members.findById(`${caseId}:TAX7`).lean())?.stage).toBe('first-contact');
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
    await seedCases(
      db,
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
    );
    expect(await db.cases.countDocuments(unit)).toBe(4);
    const periods = await earlierUnitPeriods({ unitKey: '01234567890/u1', excludeCaseId: 'open' });
    expect(periods).toEqual([
      { caseId: 'authorised', from: '2025-03-03', to: '2025-03-30', scheme: 'CIGO', cause: null },
      { caseId: 'cigs-two-units', from: '2025-09-01', to: '2025-10-31', scheme: 'CIGS', cause: 'crisis' },
    ]);
  });
});
