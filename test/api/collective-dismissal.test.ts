/**
 * A collective dismissal with 12 workers end to end through the API on the real stack: the procedure, the list,
 * a take-in-charge case per worker in its office's inbox, the counts on the parent, and its refusals.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, romeDate } from '../../domain/dates';
import type { ApiStack } from '../support/api-env';
import { principals, readCaseUntil, startApiStack } from '../support/api-env';
import { dismissed, mobInput } from '../support/wage-inputs';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
const today = () => romeDate(Date.now());

async function getCase(id: string, who: keyof typeof principals = 'lucca'): Promise<CaseView> {
  const res = await request(s.app).get(`/v1/cases/${id}`).set(auth(who));
  expect(res.status).toBe(200);
  return res.body as CaseView;
}

async function complete(
  c: CaseView,
  key: string,
  outcome: string,
  data: object = {},
  who: keyof typeof principals = 'lucca',
): Promise<CaseView> {
  const task = c.tasks.find((t) => t.key === key && t.status === 'open');
  if (!task) throw new Error(`no open ${key} on ${c.caseId}: ${c.step}`);
  const res = await request(s.app)
    .post(`/v1/tasks/${task.taskId}/complete`)
    .set(auth(who))
    .send({ outcome, data });
  expect(res.status).toBe(200);
  return res.body as CaseView;
}

/** The read model catches up with signals between cases asynchronously: read until it does, within a bound. */
const eventually = (id: string, pred: (c: CaseView) => boolean, who: keyof typeof principals = 'lucca') =>
  readCaseUntil(s, id, principals[who], pred, 150);

describe('collective dismissal through the API', () => {
  it('when 12 workers are dismissed after a union agreement, then each is taken in charge by their office and the parent closes with the counts', async () => {
    const day = today();
    const input = mobInput({}, day, 12);
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('integrator'))
      .set('Idempotency-Key', `mob-${Date.now()}`)
      .send({ procedure: 'MOB', office: 'lucca', input });
    expect(created.status).toBe(201);
    let c = created.body as CaseView;
    const caseId = c.caseId;
    expect(caseId).toMatch(/^MOB-\d{4}-[0-9A-Z]{26}$/);
    expect(c.facts).toMatchObject({ plannedDismissals: 12, halvedTerms: false, mediator: 'Regione Toscana' });
    expect(c.documents.filter((d) => d.kind === 'notice-receipt')).toHaveLength(3);

    c = await complete(c, 'mob-exam-request', 'requested', { requestDate: day });
    c = await complete(c, 'mob-union-phase', 'agreement', {
      minutesDate: day,
      selectionCriteria: 'Volunteers, then seniority',
    });
    expect(c.step).toBe('dismissals and their list');
    const workers = Array.from({ length: 12 }, (_, i) =>
      dismissed(i + 1, {
        ...(i >= 10 ? { office: 'viareggio' } : {}),
        ...(i % 2 === 0 ? { naspiAppliedOn: day } : {}),
      }),
    );
    c = await complete(c, 'mob-dismissals-list', 'received', {
      dismissalsNotifiedOn: day,
      listSentOn: day,
      workers,
    });
    expect(c.facts.legalDefects).toEqual([]);
    expect(c.step).toBe('take-in-charge of 12 worker(s)');
    expect(c.facts.workersTotal).toBe(12);

    // Each office sees its own workers' cases, and their tasks in its inbox. Each worker's case writes its own row
    // as its first step lands: the counts by stage come from the rows.
    await eventually(caseId, (p) => p.facts.workersOpened === 12);
    const stages = async (): Promise<Record<string, number>> => {
      const r = await request(s.app).get(`/v1/cases/${caseId}/workers?limit=1`).set(auth('integrator'));
      expect(r.status).toBe(200);
      return r.body.byStage as Record<string, number>;
    };
    let settledCounts: Record<string, number> = {};
    for (let i = 0; i < 150; i++) {
      settledCounts = await stages();
      if (!('opened' in settledCounts)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(settledCounts).toEqual({ 'first-contact': 6, 'awaiting-did': 6 });

    // The workers are rows of their own, paged: three pages of five, whose stages add up to the case's counts.
    type Row = { caseId: string; office: string; taxCode: string; stage: string };
    const rows: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: request.Response = await request(s.app)
        .get(`/v1/cases/${caseId}/workers?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
        .set(auth('integrator'));
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(12);
      rows.push(...(page.body.items as Row[]));
      cursor = page.body.nextCursor as string | null;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(rows.map((r) => r.taxCode)).size).toBe(12);
    const counted: Record<string, number> = {};
    for (const r of rows) counted[r.stage] = (counted[r.stage] ?? 0) + 1;
    expect(counted).toEqual(settledCounts);
    const byStage = await request(s.app)
      .get(`/v1/cases/${caseId}/workers?stage=awaiting-did&limit=100`)
      .set(auth('integrator'));
    expect(byStage.body.total).toBe(6);
    expect((byStage.body.items as Row[]).every((r) => r.stage === 'awaiting-did')).toBe(true);
    expect(
      (await request(s.app).get(`/v1/cases/${caseId}/workers?limit=0`).set(auth('integrator'))).status,
    ).toBe(400);
    const lucca = await request(s.app).get('/v1/cases?procedure=PIC&limit=50').set(auth('lucca'));
    const viareggio = await request(s.app).get('/v1/cases?procedure=PIC&limit=50').set(auth('viareggio'));
    const mine = (r: request.Response) =>
      (r.body.items as { caseId: string }[]).filter((x) => rows.some((w) => w.caseId === x.caseId));
    expect(mine(lucca)).toHaveLength(10);
    expect(mine(viareggio)).toHaveLength(2);
    expect((await request(s.app).get(`/v1/cases/${rows[11]!.caseId}`).set(auth('lucca'))).status).toBe(404);
    // The employer's portal follows the counts on its case, not the workers' own cases.
    expect((await request(s.app).get(`/v1/cases/${rows[0]!.caseId}`).set(auth('integrator'))).status).toBe(
      404,
    );
    const parent = await getCase(caseId, 'integrator');
    expect(parent.facts).toMatchObject({ workersOpened: 12, workersEnded: 0, workersEndedByStage: {} });

    // The office works every worker to the service pact; those without NASpI first give their DID.
    for (const row of rows) {
      const who = row.office === 'viareggio' ? 'viareggio' : 'lucca';
      let w = await getCase(row.caseId, who);
      if (w.facts.stage === 'awaiting-did') {
        const r = await request(s.app)
          .post(`/v1/cases/${row.caseId}/news`)
          .set(auth(who))
          .send({ type: 'did', data: { date: day, naspi: false } });
        expect(r.status).toBe(200);
        w = r.body as CaseView;
      }
      w = await complete(w, 'pic-first-contact', 'came', { date: day }, who);
      w = await complete(w, 'pic-profiling', 'profiled', { golPath: 5 }, who);
      w = await complete(
        w,
        'pic-service-pact',
        'signed',
        { signedOn: day, caseManager: 'CPI case manager', measures: ['Outplacement'], contactEveryDays: 30 },
        who,
      );
      expect(w.outcome).toBe('pact-signed');
    }
    const closed = await eventually(caseId, (p) => p.status === 'closed', 'integrator');
    expect(closed.outcome).toBe('completed');
    expect(closed.facts).toMatchObject({ workersEnded: 12, workersEndedByStage: { 'pact-signed': 12 } });
    expect(await stages()).toEqual({ 'pact-signed': 12 });
    const trail = await request(s.app).get(`/v1/cases/${caseId}/events`).set(auth('integrator'));
    const types = (trail.body.items as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ChildCasesOpened', 'WorkerCasesEnded', 'CaseClosed']));
  });

  it('when the employer is too small, or a site closure comes before its notice term, then the start is refused naming the rule', async () => {
    const before = await s.db.cases.countDocuments();
    const small = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({
        procedure: 'MOB',
        office: 'lucca',
        input: mobInput({ employer: { ...mobInput().employer, averageEmployees: 14 } }, today()),
      });
    expect(small.status).toBe(422);
    expect(small.body).toMatchObject({
      type: 'urn:cpi-casework:problem:not-applicable',
      rule: 'L. 223/1991 art. 24 c.1',
    });
    const closure = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({
        procedure: 'MOB',
        office: 'lucca',
        input: mobInput(
          {
            employer: { ...mobInput().employer, averageEmployees: 400 },
            workforce: { total: 400, women: 100, disabledEmployed: 30, disabledQuota: 26 },
            siteClosure: { noticeSentOn: addDays(today(), -100) },
          },
          today(),
          60,
        ),
      });
    expect(closure.status).toBe(422);
    expect(closure.body.type).toBe('urn:cpi-casework:problem:site-closure-notice');
    expect(closure.body.rule).toMatch(/L. 175\/2022/);
    expect(await s.db.cases.countDocuments()).toBe(before);
  });

  it('when the notice lacks required contents, then 400 names each field', async () => {
    const { timetable: _t, socialMeasures: _s, ...notice } = mobInput().openingNotice;
    const res = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send({
        procedure: 'MOB',
        office: 'lucca',
        input: { ...mobInput({}, today()), openingNotice: notice },
      });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['input.openingNotice.timetable', 'input.openingNotice.socialMeasures']),
    );
  });
});
