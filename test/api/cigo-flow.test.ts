/**
 * A CIGO case end to end through the API, on the real stack: Temporal dev server, MongoDB-wire database,
 * a worker. Also: idempotent start, lifecycle actions, supervisor views, and a worker restarted mid-case.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, endOfRomeDay, romeDate } from '../../domain/dates';
import { serviceTargetDay } from '../../domain/deadlines';
import { findOffice, officeCalendar } from '../../domain/offices';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { JWT_SECRET, principals, readCaseUntil, startApiStack } from '../support/api-env';
import { createApp } from '../../api/app';
import { tokenPolicy } from '../../api/auth';
import { createLogger } from '../../platform/logger';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
const today = () => romeDate(Date.now());
let unitSeq = 0;
const freshInput = (over = {}) =>
  cigoInput(today(), {
    productionUnit: {
      id: `unit-${++unitSeq}-${Date.now()}`,
      address: 'Via Nuova 3',
      municipality: 'Lucca',
      province: 'LU',
      region: 'Toscana',
    },
    ...over,
  });

function expectForbidden(res: request.Response) {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(/problem\+json/);
}

function openTaskOf(c: CaseView, key: string) {
  const t = c.tasks.find((x) => x.key === key && x.status === 'open');
  if (!t) throw new Error(`no open ${key} in ${c.tasks.map((x) => `${x.key}:${x.status}`).join(',')}`);
  return t;
}

async function complete(who: keyof typeof principals, taskId: string, outcome: string, data: object = {}) {
  return request(s.app).post(`/v1/tasks/${taskId}/complete`).set(auth(who)).send({ outcome, data });
}

describe('CIGO through the API', () => {
  it('when an integrator opens a case and the officer works it, then INPS news closes it and the audit trail shows every step', async () => {
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('integrator'))
      .send({ procedure: 'CIGO', office: 'lucca', input: freshInput() });
    expect(created.status).toBe(201);
    const caseId = created.body.caseId as string;
    expect(caseId).toMatch(/^CIGO-\d{4}-[0-9A-Z]{26}$/);
    expect(created.headers.location).toBe(`/v1/cases/${caseId}`);
    expect(created.body.deadlines.map((d: { legalBasis: string }) => d.legalBasis)).toContain(
      'D.Lgs. 148/2015 art. 14 c.3',
    );

    // The officer's inbox shows the task as available; claiming moves it to "mine".
    const available = await request(s.app).get('/v1/tasks?view=available').set(auth('lucca'));
    const task = available.body.items.find((t: { caseId: string }) => t.caseId === caseId);
    expect(task.key).toBe('union-consultation');
    expect((await request(s.app).post(`/v1/tasks/${task.taskId}/claim`).set(auth('lucca'))).status).toBe(200);
    const mine = await request(s.app).get('/v1/tasks?view=mine').set(auth('lucca'));
    expect(mine.body.items.map((t: { taskId: string }) => t.taskId)).toContain(task.taskId);
    // Another officer of the same office cannot complete a claimed task.
    expect((await complete('lucca2', task.taskId, 'not_requested')).status).toBe(409);

    let res = await complete('lucca', task.taskId, 'agreement', { minutesDate: today() });
    expect(res.status).toBe(200);
    res = await complete('lucca', openTaskOf(res.body, 'inps-application').taskId, 'filed', {
      filedOn: today(),
      inpsProtocol: 'INPS-123',
      hoursRequested: 2400,
      technicalReport: true,
    });
    expect(res.status).toBe(200);
    res = await complete('lucca', openTaskOf(res.body, 'completeness-check').taskId, 'complete');
    // The dossier may still be on its way to INPS when the answer comes back; the decision is taken either way.
    expect(['forwarding to INPS', 'awaiting the INPS decision']).toContain(res.body.step);

    // The employer's own portal may not post INPS's decision: 403, and nothing is written.
    const decision = {
      type: 'inps-decision',
      data: {
        decision: 'authorised',
        decidedOn: today(),
        protocol: 'DEC-1',
        authorised: created.body.input.suspension,
      },
    };
    // (Once the dossier has reached INPS: the forwarding writes events of its own.)
    await readCaseUntil(s, caseId, principals.lucca, (c) => c.step === 'awaiting the INPS decision', 100);
    const eventsBefore = await s.db.events.countDocuments({ caseId });
    const forged = await request(s.app)
      .post(`/v1/cases/${caseId}/news`)
      .set(auth('integrator'))
      .send(decision);
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({
      type: 'urn:cpi-casework:problem:news-sender-not-allowed',
      reason: 'NewsSenderNotAllowed',
    });
    expect(forged.body.detail).toMatch(/comes from INPS/);
    expect(await s.db.events.countDocuments({ caseId })).toBe(eventsBefore);

    // News from INPS, relayed by the institutions' relay (it reaches cases it did not open).
    res = await request(s.app).post(`/v1/cases/${caseId}/news`).set(auth('relay')).send(decision);
    expect(res.status).toBe(200);
    // Taken at once, or kept until the dossier's delivery comes back (an outside call the Update does not wait for).
    if (res.body.status !== 'closed') expect(res.body.step).toBe('forwarding to INPS');
    const got = await readCaseUntil(s, caseId, principals.lucca, (c) => c.status === 'closed');
    expect(got.outcome).toBe('authorised');
    expect(got.decisions[0]?.outcome).toBe('authorised');
    const trail = await request(s.app).get(`/v1/cases/${caseId}/events`).set(auth('integrator'));
    const types = trail.body.items.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('CaseOpened');
    expect(types[types.length - 1]).toBe('CaseClosed');
    expect(types).toEqual(
      expect.arrayContaining([
        'TaskOpened',
        'TaskClaimed',
        'TaskCompleted',
        'DeadlineSet',
        'DeadlineMet',
        'DocumentRecorded',
        'NewsReceived',
        'DecisionRecorded',
      ]),
    );
    const seqs = trail.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));

    // Closed: no more actions.
    const late = await request(s.app)
      .post(`/v1/cases/${caseId}/suspend`)
      .set(auth('lucca'))
      .send({ reason: 'too late' });
    expect(late.status).toBe(409);
    expect(late.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('when the same Idempotency-Key is sent twice, then one case is opened; a different body with that key is refused', async () => {
    const input = freshInput();
    const body = { procedure: 'CIGO', office: 'lucca', input };
    const first = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .set('Idempotency-Key', 'k-123')
      .send(body);
    const second = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .set('Idempotency-Key', 'k-123')
      .send(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.caseId).toBe(first.body.caseId);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const changed = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .set('Idempotency-Key', 'k-123')
      .send({ ...body, input: { ...input, workersConcerned: 41 } });
    expect(changed.status).toBe(422);
    expect(
      await s.db.cases.countDocuments({
        'keys.productionUnit': `${input.employer.taxCode}/${input.productionUnit.id}`,
      }),
    ).toBe(1);
  });

  it("when a request would pass the unit's 52 weeks, then the start is refused with the arithmetic and nothing is written", async () => {
    const input = freshInput({
      suspension: { from: addDays(today(), 2), to: addDays(today(), 2 + 7 * 13 - 1) },
    });
    const unitKey = `${input.employer.taxCode}/${input.productionUnit.id}`;
    // Three earlier cases of 13 weeks each, then a fourth, fill the two-year window.
    for (let i = 1; i <= 3; i += 1) {
      const from = addDays(today(), -7 * 13 * i - 7 * i);
      const r = await request(s.app)
        .post('/v1/cases')
        .set(auth('lucca'))
        .send({
          procedure: 'CIGO',
          office: 'lucca',
          input: {
            ...input,
            unionNoticeDate: addDays(from, -1),
            suspension: { from, to: addDays(from, 7 * 13 - 1) },
          },
        });
      expect(r.status).toBe(201);
    }
    const ok = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({ procedure: 'CIGO', office: 'lucca', input });
    expect(ok.status).toBe(201);
    const before = await s.db.cases.countDocuments({ 'keys.productionUnit': unitKey });
    const refused = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({
        procedure: 'CIGO',
        office: 'lucca',
        input: { ...input, suspension: { from: addDays(today(), 100), to: addDays(today(), 106) } },
      });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('urn:cpi-casework:problem:duration-limit');
    expect(refused.body.rule).toMatch(/art. 12/);
    expect(refused.body.check.usedWeeks).toBe(52);
    expect(await s.db.cases.countDocuments({ 'keys.productionUnit': unitKey })).toBe(before);
  });

  it('when an officer suspends, resumes and withdraws, then each is on the case and the supervisor sees the workload', async () => {
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({ procedure: 'CIGO', office: 'lucca', input: freshInput() });
    const id = created.body.caseId as string;
    let r = await request(s.app)
      .post(`/v1/cases/${id}/suspend`)
      .set(auth('lucca'))
      .send({ reason: 'employer asked for time' });
    expect(r.body.status).toBe('suspended');
    expect(
      (await request(s.app).post(`/v1/cases/${id}/suspend`).set(auth('lucca')).send({ reason: 'again' }))
        .status,
    ).toBe(409);
    const listed = await request(s.app).get('/v1/cases?status=suspended').set(auth('supervisor'));
    expect(listed.body.items.map((c: { caseId: string }) => c.caseId)).toContain(id);
    const workload = await request(s.app).get('/v1/workload').set(auth('supervisor'));
    expect(
      workload.body.items.find((w: { office: string }) => w.office === 'lucca').suspendedCases,
    ).toBeGreaterThanOrEqual(1);
    r = await request(s.app)
      .post(`/v1/cases/${id}/resume`)
      .set(auth('lucca'))
      .send({ reason: 'documents in' });
    expect(r.body.status).toBe('open');
    // The supervisor reassigns the open task to another officer.
    const taskId = openTaskOf(r.body, 'union-consultation').taskId;
    r = await request(s.app)
      .post(`/v1/tasks/${taskId}/reassign`)
      .set(auth('supervisor'))
      .send({ assignee: 'officer-lucca-2', reason: 'holiday cover' });
    expect(openTaskOf(r.body, 'union-consultation').assignee).toBe('officer-lucca-2');
    r = await request(s.app)
      .post(`/v1/cases/${id}/withdraw`)
      .set(auth('lucca'))
      .send({ reason: 'employer withdrew the request' });
    expect(r.body.status).toBe('withdrawn');
    const types = (await request(s.app).get(`/v1/cases/${id}/events`).set(auth('lucca'))).body.items.map(
      (e: { type: string }) => e.type,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'CaseSuspended',
        'CaseResumed',
        'TaskReassigned',
        'TaskCancelled',
        'CaseWithdrawn',
      ]),
    );
  });

  it('when lists are paged, then cursors walk every case once, newest first', async () => {
    for (let i = 0; i < 3; i += 1) {
      await request(s.app)
        .post('/v1/cases')
        .set(auth('viareggio'))
        .send({ procedure: 'CIGO', office: 'viareggio', input: freshInput() });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(s.app)
        .get(`/v1/cases?office=viareggio&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(auth('viareggio'));
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: { caseId: string }) => c.caseId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(3);
    expect(new Set(seen).size).toBe(3);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('when the worker stops mid-case and a new one starts, then the case completes with no duplicate events', async () => {
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({ procedure: 'CIGO', office: 'lucca', input: freshInput() });
    const id = created.body.caseId as string;
    let r = await complete('lucca', openTaskOf(created.body, 'union-consultation').taskId, 'not_requested');
    await s.stopWorker();
    // While no worker runs, an action is bounded: 503 after the configured wait, not a hang, and nothing changes.
    const impatient = createApp({
      db: s.db,
      temporal: s.client,
      taskQueue: s.taskQueue,
      tokens: tokenPolicy(JWT_SECRET),
      logger: createLogger({ level: 'error', format: 'json', service: 't' }),
      updateTimeoutMs: 1500,
    });
    const taskId = openTaskOf(r.body, 'inps-application').taskId;
    const action = { outcome: 'not_filed', data: { reason: 'order book recovered' } };
    const send = (app: typeof impatient) =>
      request(app)
        .post(`/v1/tasks/${taskId}/complete`)
        .set(auth('lucca'))
        .set('Idempotency-Key', 'close-1')
        .send(action);
    const started = Date.now();
    const timedOut = await send(impatient);
    expect(timedOut.status).toBe(503);
    expect(timedOut.body.type).toBe('urn:cpi-casework:problem:case-engine-timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    const frozen = await s.db.cases.findById(id).lean();
    expect(frozen?.step).toBe('application to INPS');
    await s.startWorker(); // a new worker replays the history from scratch
    // The same request with the same key is applied once, and a further retry gets the same answer.
    r = await send(s.app);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('closed');
    const again = await send(s.app);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(r.body.version);
    expect(await s.db.events.countDocuments({ caseId: id, type: 'TaskCompleted' })).toBe(2);
    const events = await s.db.events.find({ caseId: id }).lean();
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(events.map((_, i) => i + 1));
  });

  it("when an administrator changes an office's service target and closing days, then new tasks are due accordingly", async () => {
    const today = romeDate(Date.now());
    const calendar = officeCalendar(findOffice('viareggio')!);
    const nextWorkingDay = serviceTargetDay(today, 1, calendar);
    expectForbidden(
      await request(s.app)
        .patch('/v1/offices/viareggio')
        .set(auth('supervisor'))
        .send({ serviceTargetWorkingDays: 3 }),
    );
    const bad = await request(s.app)
      .patch('/v1/offices/viareggio')
      .set(auth('admin'))
      .send({ serviceTargetWorkingDays: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('serviceTargetWorkingDays');
    const patched = await request(s.app)
      .patch('/v1/offices/viareggio')
      .set(auth('admin'))
      .send({ serviceTargetWorkingDays: 3, closingDays: [nextWorkingDay] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      code: 'viareggio',
      serviceTargetWorkingDays: 3,
      closingDays: [nextWorkingDay],
    });
    const listed = await request(s.app).get('/v1/offices').set(auth('viareggio'));
    expect(
      listed.body.items.find((o: { code: string }) => o.code === 'viareggio').serviceTargetWorkingDays,
    ).toBe(3);

    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('viareggio'))
      .send({ procedure: 'CIGO', office: 'viareggio', input: freshInput() });
    const task = openTaskOf(created.body, 'union-consultation');
    // Three working days after today, skipping the new closing day as well as holidays and weekends.
    const expected = serviceTargetDay(today, 3, { ...calendar, closingDays: [nextWorkingDay] });
    expect(expected > serviceTargetDay(today, 3, calendar)).toBe(true);
    expect(task.targetAt).toBe(new Date(endOfRomeDay(expected)).toISOString());
  });
});
