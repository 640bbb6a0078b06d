/**
 * The office's figures and the satisfaction survey through the API, on the real stack with the demo clock (a
 * time-skipping Temporal server): a CIGO case worked partly late, then closed by INPS; the attainment of the
 * service target, the terms met, the lead time, the backlog, the survey's one answer and the CSV export. Also a
 * claimed task released by its officer (issue 14).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { workingDaysBetween } from '../../domain/calendar';
import { romeDate } from '../../domain/dates';
import { findOffice, officeCalendar } from '../../domain/offices';
import type { ApiStack } from '../support/api-env';
import { principals, readCaseUntil, startTimeSkippingApiStack } from '../support/api-env';
import { cigoInput } from '../support/cigo-input';

let s: ApiStack;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  ({ s, env } = await startTimeSkippingApiStack());
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });

function openTaskOf(c: CaseView, key: string) {
  const t = c.tasks.find((x) => x.key === key && x.status === 'open');
  if (!t) throw new Error(`no open ${key} in ${c.tasks.map((x) => `${x.key}:${x.status}`).join(',')}`);
  return t;
}

async function openCigo(unit: string): Promise<CaseView> {
  const today = romeDate(await env.currentTimeMs());
  const res = await request(s.app)
    .post('/v1/cases')
    .set(auth('integrator'))
    .send({
      procedure: 'CIGO',
      office: 'lucca',
      input: cigoInput(today, {
        productionUnit: {
          id: unit,
          address: 'Via Nuova 3',
          municipality: 'Lucca',
          province: 'LU',
          region: 'Toscana',
        },
      }),
    });
  expect(res.status).toBe(201);
  return res.body as CaseView;
}

const complete = (who: keyof typeof principals, taskId: string, outcome: string, data: object = {}) =>
  request(s.app).post(`/v1/tasks/${taskId}/complete`).set(auth(who)).send({ outcome, data });

describe('tasks claimed by mistake', () => {
  it('when an officer releases a task, then it is back in the pool; another officer may not release it, a supervisor may', async () => {
    const c = await openCigo(`release-${Date.now()}`);
    const task = openTaskOf(c, 'union-consultation');
    let res = await request(s.app).post(`/v1/tasks/${task.taskId}/claim`).set(auth('lucca'));
    expect(res.status).toBe(200);
    res = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/release`)
      .set(auth('lucca'))
      .send({ reason: 'claimed by mistake' });
    expect(res.status).toBe(200);
    expect(openTaskOf(res.body as CaseView, 'union-consultation').assignee).toBeNull();
    // Nothing to release now: 409, in the problem's words.
    res = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/release`)
      .set(auth('lucca'))
      .send({ reason: 'again' });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:cpi-casework:problem:task-not-claimed');

    await request(s.app).post(`/v1/tasks/${task.taskId}/claim`).set(auth('lucca2')).expect(200);
    res = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/release`)
      .set(auth('lucca'))
      .send({ reason: 'not mine' });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:cpi-casework:problem:task-assigned-to-other');
    res = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/release`)
      .set(auth('supervisor'))
      .send({ reason: 'she is on leave' });
    expect(res.status).toBe(200);
    const events = await request(s.app).get(`/v1/cases/${c.caseId}/events`).set(auth('lucca'));
    const released = (events.body.items as { type: string; data: Record<string, unknown> }[]).filter(
      (e) => e.type === 'TaskReleased',
    );
    expect(released.map((e) => e.data.from)).toEqual(['officer-lucca', 'officer-lucca-2']);
    // The inbox's available view has it again.
    const inbox = await request(s.app).get('/v1/tasks?view=available&office=lucca').set(auth('lucca'));
    expect(inbox.body.items.map((t: { taskId: string }) => t.taskId)).toContain(task.taskId);
  });
});

describe("the office's figures", () => {
  it('when a case is worked partly late and closed, then attainment, terms, lead time, survey and CSV say so', async () => {
    const before = await request(s.app).get('/v1/analytics/attainment?office=lucca').set(auth('supervisor'));
    expect(before.status).toBe(200);
    const base = before.body.last30Days[0] as { tasksCompleted: number; tasksWithinTarget: number };

    const c = await openCigo(`figures-${Date.now()}`);
    // On time: the union consultation, the day it opened.
    let res = await complete('lucca', openTaskOf(c, 'union-consultation').taskId, 'agreement', {
      minutesDate: romeDate(await env.currentTimeMs()),
    });
    expect(res.status).toBe(200);
    const application = openTaskOf(res.body as CaseView, 'inps-application');
    // Late: the application registered five days after its task opened (the target is one working day).
    await request(s.app).post('/v1/dev/clock').set(auth('admin')).send({ days: 5 }).expect(200);
    const day = romeDate(await env.currentTimeMs());
    res = await complete('lucca', application.taskId, 'filed', {
      filedOn: day,
      inpsProtocol: 'INPS-LU-1',
      hoursRequested: 1000,
      technicalReport: true,
    });
    expect(res.status).toBe(200);
    res = await complete('lucca', openTaskOf(res.body as CaseView, 'completeness-check').taskId, 'complete');
    expect(res.status).toBe(200);
    await readCaseUntil(s, c.caseId, principals.lucca, (x) => x.step === 'awaiting the INPS decision');
    res = await request(s.app)
      .post(`/v1/cases/${c.caseId}/news`)
      .set(auth('relay'))
      .send({
        type: 'inps-decision',
        data: { decision: 'authorised', decidedOn: day, protocol: 'DEC-9', authorised: c.input.suspension },
      });
    expect(res.status).toBe(200);
    const closed = await readCaseUntil(s, c.caseId, principals.lucca, (x) => x.status === 'closed');

    // The service target: three tasks done, the late one not within it.
    const after = await request(s.app).get('/v1/analytics/attainment?office=lucca').set(auth('supervisor'));
    expect(after.status).toBe(200);
    const now = after.body.last30Days[0];
    expect(now.tasksCompleted - base.tasksCompleted).toBe(3);
    expect(now.tasksWithinTarget - base.tasksWithinTarget).toBe(2);
    const month = after.body.items.find((r: { month: string }) => r.month === day.slice(0, 7));
    expect(month.tasksCompleted).toBeGreaterThanOrEqual(1);
    const byProcedure = after.body.last30DaysByProcedure.find(
      (r: { procedure: string }) => r.procedure === 'CIGO',
    );
    expect(byProcedure.tasksCompleted).toBe(now.tasksCompleted);
    // Legal terms: as many settled as the case shows met or missed.
    const settled = closed.deadlines.filter((d) => d.status === 'met' || d.status === 'missed');
    const met = settled.filter((d) => d.status === 'met');
    expect(settled.length).toBeGreaterThan(0);
    expect(now.termsSettled).toBe(settled.length);
    expect(now.termsMet).toBe(met.length);

    // Lead time: working days after the opening day on Lucca's calendar.
    const lead = await request(s.app).get('/v1/analytics/lead-times?office=lucca').set(auth('supervisor'));
    expect(lead.status).toBe(200);
    const expected = workingDaysBetween(
      romeDate(Date.parse(closed.openedAt)),
      romeDate(Date.parse(closed.closedAt as string)),
      officeCalendar(findOffice('lucca')!),
    );
    expect(expected).toBeGreaterThanOrEqual(3);
    expect(lead.body.items).toContainEqual({
      office: 'lucca',
      procedure: 'CIGO',
      cases: 1,
      p50: expected,
      p90: expected,
    });

    // The survey: one message in the outbox with the link; the link opens it once.
    const message = await s.db.communications.findById(`survey:${c.caseId}`).lean();
    expect(message?.payload.kind).toBe('satisfaction-survey');
    const token = (message?.payload.link as string).split('#')[1] as string;
    expect((await request(s.app).get(`/surveys/${token.slice(0, -1)}x`)).status).toBe(404);
    let survey = await request(s.app).get(`/surveys/${token}`);
    expect(survey.status).toBe(200);
    expect(survey.body).toMatchObject({ procedure: 'CIGO', office: 'lucca', answered: false });
    survey = await request(s.app).post(`/surveys/${token}`).send({ score: 4, comment: 'Veloci e chiari' });
    expect(survey.status).toBe(201);
    survey = await request(s.app).post(`/surveys/${token}`).send({ score: 1 });
    expect(survey.status).toBe(409);
    expect(survey.body.type).toBe('urn:cpi-casework:problem:survey-already-answered');
    expect((await request(s.app).post(`/surveys/${token}`).send({ score: 9 })).status).toBe(400);
    const satisfaction = await request(s.app)
      .get('/v1/analytics/satisfaction?office=lucca')
      .set(auth('supervisor'));
    expect(satisfaction.body.items).toContainEqual({
      office: 'lucca',
      procedure: 'CIGO',
      answers: 1,
      average: 4,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 },
    });

    // The CSV of a table, and the scope of the figures.
    const csv = await request(s.app)
      .get('/v1/analytics/export?table=lead-times&office=lucca')
      .set(auth('supervisor'))
      .buffer(true);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="?cpi-lead-times-lucca\.csv"?$/,
    );
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('office,procedure,cases,p50,p90');
    expect(lines).toContain(`lucca,CIGO,1,${expected},${expected}`);
    const foreign = await request(s.app).get('/v1/analytics/attainment?office=lucca').set(auth('viareggio'));
    expect(foreign.status).toBe(403);
    expect((await request(s.app).get('/v1/analytics/attainment?from=2026-13')).status).toBe(401);
    const bad = await request(s.app).get('/v1/analytics/attainment?from=2026-13').set(auth('supervisor'));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('from');
    // Well-formed months that make no window: refused by the rule, naming the field.
    const backwards = await request(s.app)
      .get('/v1/analytics/lead-times?from=2026-11&to=2026-01')
      .set(auth('supervisor'));
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors[0]).toEqual({
      path: 'from',
      message: 'the first month is after the last (`to`)',
    });
    const tooLong = await request(s.app)
      .get('/v1/analytics/attainment?from=1941-07&to=2026-11')
      .set(auth('supervisor'));
    expect(tooLong.status).toBe(422);
  });

  it('when cases open, are claimed and end, then the backlog counts them by step and age, and the tasks by officer', async () => {
    type Backlog = {
      openByStep: { office: string; procedure: string; step: string; cases: number }[];
      age: { office: string; bucket: string; cases: number }[];
      officers: { assignee: string; open: number }[];
      tasks: { office: string; open: number; unassigned: number }[];
    };
    const read = async () => {
      const res = await request(s.app).get('/v1/analytics/backlog').set(auth('supervisor'));
      expect(res.status).toBe(200);
      const b = res.body as Backlog;
      return {
        atStep:
          b.openByStep.find(
            (r) => r.office === 'lucca' && r.procedure === 'CIGO' && r.step === 'union consultation',
          )?.cases ?? 0,
        young: b.age.find((r) => r.office === 'lucca' && r.bucket === '0-1')?.cases ?? 0,
        hers: b.officers.find((r) => r.assignee === 'officer-lucca-2')?.open ?? 0,
        tasks: b.tasks.find((r) => r.office === 'lucca')!,
        offices: b.tasks.map((r) => r.office),
      };
    };
    const before = await read();
    const c = await openCigo(`backlog-${Date.now()}`);
    const task = openTaskOf(c, 'union-consultation');
    await request(s.app).post(`/v1/tasks/${task.taskId}/claim`).set(auth('lucca2')).expect(200);
    const open = await read();
    expect(open.atStep).toBe(before.atStep + 1);
    expect(open.young).toBe(before.young + 1);
    expect(open.hers).toBe(before.hers + 1);
    expect(open.tasks.open).toBe(before.tasks.open + 1);
    expect(open.tasks.unassigned).toBe(before.tasks.unassigned);
    expect(open.offices).toEqual(['lucca', 'castelnuovo-barga', 'viareggio']);
    // Withdrawn: the case and its task leave the backlog.
    await request(s.app)
      .post(`/v1/cases/${c.caseId}/withdraw`)
      .set(auth('lucca'))
      .send({ reason: 'opened twice' })
      .expect(200);
    const after = await read();
    expect(after.atStep).toBe(before.atStep);
    expect(after.hers).toBe(before.hers);
    expect(after.tasks.open).toBe(before.tasks.open);
  });
});
