/**
 * CIGS and FIS end to end through the API on the real stack (Temporal dev server, MongoDB-wire database, a
 * worker), the scheme choice, and every refusal of a start: 422 problem+json naming the rule, nothing written.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, romeDate } from '../../domain/dates';
import type { ApiStack } from '../support/api-env';
import { principals, readCaseUntil, startApiStack } from '../support/api-env';
import { cigoInput } from '../support/cigo-input';
import { cigsInput, fisInput } from '../support/wage-inputs';
import { seedCases } from '../support/seed-cases';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
const today = () => romeDate(Date.now());
let seq = 0;
const unit = (region = 'Toscana') => ({
  id: `u-${++seq}-${Date.now()}`,
  address: 'Via Nuova 3',
  municipality: 'Lucca',
  province: 'LU',
  region,
});

const WORKERS = [
  { taxCode: 'RSSMRA80A01E715X', name: 'Mario Rossi' },
  { taxCode: 'BNCLCU85M41E715Y', name: 'Lucia Bianchi' },
  { taxCode: 'VRDGPP75C12E715Z', name: 'Giuseppe Verdi' },
];

function taskOf(c: CaseView, key: string) {
  const t = c.tasks.find((x) => x.key === key && x.status === 'open');
  if (!t) throw new Error(`no open ${key} in ${c.tasks.map((x) => `${x.key}:${x.status}`).join(',')}`);
  return t;
}

async function complete(c: CaseView, key: string, outcome: string, data: object = {}): Promise<CaseView> {
  const res = await request(s.app)
    .post(`/v1/tasks/${taskOf(c, key).taskId}/complete`)
    .set(auth('lucca'))
    .send({ outcome, data });
  expect(res.status).toBe(200);
  return res.body as CaseView;
}

/** Who sends each kind of news: institutions' news through their relay, the rest through the employer's portal. */
const SENDER: Record<string, keyof typeof principals> = {
  'region-opinion': 'relay',
  'ministry-decree': 'relay',
  'inps-decision': 'relay',
};

function news(
  caseId: string,
  type: string,
  data: object,
  who: keyof typeof principals = SENDER[type] ?? 'integrator',
) {
  return request(s.app).post(`/v1/cases/${caseId}/news`).set(auth(who)).send({ type, data });
}

function start(procedure: string, input: object, who: keyof typeof principals = 'lucca') {
  return request(s.app).post('/v1/cases').set(auth(who)).send({ procedure, office: 'lucca', input });
}

/** Starts that the law refuses: 422, the rule named, and no case, no event, no idempotency key written. */
async function expectRefused(procedure: string, input: object, slug: string, rule: RegExp) {
  const [cases, events, keys] = await Promise.all([
    s.db.cases.countDocuments(),
    s.db.events.countDocuments(),
    s.db.idempotency.countDocuments(),
  ]);
  const res = await request(s.app)
    .post('/v1/cases')
    .set(auth('lucca'))
    .set('Idempotency-Key', `refused-${++seq}`)
    .send({ procedure, office: 'lucca', input });
  expect(res.status).toBe(422);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body.type).toBe(`urn:cpi-casework:problem:${slug}`);
  expect(res.body.rule).toMatch(rule);
  expect(await s.db.cases.countDocuments()).toBe(cases);
  expect(await s.db.events.countDocuments()).toBe(events);
  expect(await s.db.idempotency.countDocuments()).toBe(keys);
  return res.body as { detail: string; check?: Record<string, unknown> };
}

describe('scheme choice', () => {
  it('when asked about a shop of 12 without a fund, then FIS applies and CIGO does not, each with its rule', async () => {
    const res = await request(s.app)
      .get('/v1/schemes?sector=commerce&averageEmployees=12')
      .set(auth('integrator'));
    expect(res.status).toBe(200);
    const verdicts = res.body.items as { scheme: string; applies: boolean; legalBasis: string }[];
    expect(verdicts.filter((v) => v.applies).map((v) => v.scheme)).toEqual(['FIS']);
    expect(verdicts.find((v) => v.scheme === 'CIGO')?.legalBasis).toBe('D.Lgs. 148/2015 art. 10');
  });

  it('when the query misses the sector or has no token, then 400 naming it, or 401', async () => {
    const bad = await request(s.app).get('/v1/schemes?averageEmployees=abc').set(auth('lucca'));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['sector', 'averageEmployees']),
    );
    expect((await request(s.app).get('/v1/schemes?sector=commerce&averageEmployees=3')).status).toBe(401);
  });
});

describe('CIGS through the API', () => {
  it('when an integrator opens a CIGS and the office works it, then the decree, the training and the sanctions are on the case and the early end closes it', async () => {
    const input = cigsInput({ productionUnits: [unit()] }, today());
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('integrator'))
      .set('Idempotency-Key', `cigs-${seq}-${Date.now()}`)
      .send({ procedure: 'CIGS', office: 'lucca', input });
    expect(created.status).toBe(201);
    const caseId = created.body.caseId as string;
    expect(caseId).toMatch(/^CIGS-\d{4}-[0-9A-Z]{26}$/);
    expect(created.body.facts.examinationBody).toBe('Regione Toscana');

    let c = await complete(created.body, 'cigs-exam-request', 'requested', {
      requestDate: today(),
      requestedBy: 'unions',
    });
    c = await complete(c, 'cigs-examination', 'agreement', {
      minutesDate: today(),
      selectionCriteria: 'Lines 2 and 3 by seniority',
      rotation: false,
      rotationNotPossibleBecause: 'Specialised roles',
      solidarityNotFeasible: true,
    });
    expect(c.step).toBe('application to the Ministry');
    // Bad form data is a 422 naming the field (the task's form refuses it), and the task stays open.
    const bad = await request(s.app)
      .post(`/v1/tasks/${taskOf(c, 'cigs-application').taskId}/complete`)
      .set(auth('lucca'))
      .send({
        outcome: 'filed',
        data: { filedOn: today(), protocol: 'M-1', programmeAttached: false, workers: [] },
      });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['data.programmeAttached', 'data.workers']),
    );
    c = await complete(c, 'cigs-application', 'filed', {
      filedOn: today(),
      protocol: 'MIN-2026-77',
      programmeAttached: true,
      workers: WORKERS,
    });
    expect(c.step).toBe("awaiting the Region's opinion");

    let r = await news(caseId, 'region-opinion', {
      opinion: 'favourable',
      issuedOn: today(),
      reference: 'RT-1',
      reasons: 'Programme credible',
    });
    expect(r.status).toBe(200);
    r = await news(caseId, 'ministry-decree', {
      decision: 'authorised',
      decidedOn: today(),
      protocol: 'DM-1',
      authorised: input.period,
    });
    expect(r.body.step).toBe('training plan');
    c = await complete(r.body, 'cigs-training-plan', 'planned', {
      courses: [{ courseCode: 'RIQ-01', title: 'Recycled fibre', provider: 'Agenzia Lucca', hours: 80 }],
    });
    const session = addDays(input.period.from, 3);
    const attendance = (workerTaxCode: string, attended: boolean, justified?: boolean) =>
      news(
        caseId,
        'training-attendance',
        {
          workerTaxCode,
          courseCode: 'RIQ-01',
          sessionDate: session,
          attended,
          ...(justified === undefined ? {} : { justified }),
        },
        'lucca',
      );
    expect((await attendance(WORKERS[0]!.taxCode, true)).status).toBe(200);
    expect((await attendance(WORKERS[1]!.taxCode, false, false)).status).toBe(200);
    const stranger = await attendance('XXXXXX80A01E715X', true);
    // A worker not on the case: the news check refuses it (422, naming the field).
    expect(stranger.status).toBe(422);
    expect(stranger.body.errors[0].path).toBe('data.workerTaxCode');

    // The worker's view: obligations, attendance, the sanction reported to INPS.
    const w = await request(s.app)
      .get(`/v1/cases/${caseId}/workers/${WORKERS[1]!.taxCode}`)
      .set(auth('lucca'));
    expect(w.status).toBe(200);
    expect(w.body.obligations.map((o: { courseCode: string }) => o.courseCode)).toEqual(['RIQ-01']);
    expect(w.body.sanctions).toEqual([
      expect.objectContaining({
        sanction: 'loss-of-one-month',
        legalBasis: expect.stringMatching(/art. 25-ter/),
      }),
    ]);
    const list = await request(s.app).get(`/v1/cases/${caseId}/workers`).set(auth('supervisor'));
    const bySanctions = Object.fromEntries(
      (list.body.items as { taxCode: string; sanctions: string[] }[]).map((x) => [x.taxCode, x.sanctions]),
    );
    expect(bySanctions).toEqual({
      [WORKERS[0]!.taxCode]: [],
      [WORKERS[1]!.taxCode]: ['loss-of-one-month'],
      [WORKERS[2]!.taxCode]: [],
    });
    expect(list.body).toMatchObject({ total: 3, byStage: { active: 3 }, nextCursor: null });
    // Paged like any list, by tax code.
    const first = await request(s.app).get(`/v1/cases/${caseId}/workers?limit=2`).set(auth('lucca'));
    expect(first.body.items).toHaveLength(2);
    const rest = await request(s.app)
      .get(`/v1/cases/${caseId}/workers?limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`)
      .set(auth('lucca'));
    expect(rest.body.items).toHaveLength(1);
    expect(w.body.attendance).toEqual([expect.objectContaining({ sessionDate: session, attended: false })]);
    // Officers of another office do not see the case, nor its workers.
    expect((await request(s.app).get(`/v1/cases/${caseId}/workers`).set(auth('viareggio'))).status).toBe(404);
    expect(
      (await request(s.app).get(`/v1/cases/${caseId}/workers/RSSMRA80A01E715Q`).set(auth('lucca'))).status,
    ).toBe(404);

    r = await news(caseId, 'suspension-ended', {
      endedOn: addDays(input.period.from, 20),
      reason: 'Orders back',
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('closed');
    expect(r.body.outcome).toBe('authorised');
    expect(r.body.facts.countedPeriod).toEqual({
      from: input.period.from,
      to: addDays(input.period.from, 20),
    });
    const trail = await request(s.app).get(`/v1/cases/${caseId}/events`).set(auth('integrator'));
    const types = trail.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['AttendanceRecorded', 'SanctionApplied', 'DecisionRecorded']),
    );
    expect(types[types.length - 1]).toBe('CaseClosed');
  });
});

describe('many actions on one case at once', () => {
  it("when a training provider sends 60 workers' attendance at once, then every one is applied once, in some order, with no gap", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      taxCode: `RSSMRA80A${String(i).padStart(2, '0')}E715X`,
      name: `Worker ${i + 1}`,
    }));
    const input = cigsInput({ productionUnits: [unit()], workersConcerned: many.length }, today());
    const created = await start('CIGS', input, 'integrator');
    expect(created.status).toBe(201);
    const caseId = created.body.caseId as string;
    let c = await complete(created.body, 'cigs-exam-request', 'requested', {
      requestDate: today(),
      requestedBy: 'unions',
    });
    c = await complete(c, 'cigs-examination', 'agreement', {
      minutesDate: today(),
      selectionCriteria: 'By line',
      rotation: true,
      solidarityNotFeasible: true,
    });
    c = await complete(c, 'cigs-application', 'filed', {
      filedOn: today(),
      protocol: 'MIN-60',
      programmeAttached: true,
      workers: many,
    });
    await news(caseId, 'region-opinion', {
      opinion: 'favourable',
      issuedOn: today(),
      reference: 'R',
      reasons: 'ok',
    });
    const decreed = await news(caseId, 'ministry-decree', {
      decision: 'authorised',
      decidedOn: today(),
      protocol: 'DM-60',
      authorised: input.period,
    });
    c = await complete(decreed.body as CaseView, 'cigs-training-plan', 'planned', {
      courses: [{ courseCode: 'RIQ-01', title: 'Recycled fibre', provider: 'Agenzia', hours: 80 }],
    });
    expect(c.step).toBe('CIGS running: training obligations');
    const session = addDays(input.period.from, 7);
    const answers = await Promise.all(
      many.map((w) =>
        news(caseId, 'training-attendance', {
          workerTaxCode: w.taxCode,
          courseCode: 'RIQ-01',
          sessionDate: session,
          attended: true,
        }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(many.map(() => 200));
    const rows = await s.db.members.find({ caseId }).lean();
    expect(rows.map((r) => r.lists?.attendance?.length)).toEqual(many.map(() => 1));
    const events = await s.db.events.find({ caseId }).sort({ seq: 1 }).lean();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'AttendanceRecorded')).toHaveLength(many.length);
    const list = await request(s.app).get(`/v1/cases/${caseId}/workers?limit=25`).set(auth('lucca'));
    expect(list.body).toMatchObject({ total: 60, byStage: { active: 60 } });
    expect(list.body.items).toHaveLength(25);
    expect(list.body.nextCursor).toEqual(expect.any(String));
  });
});

describe('FIS through the API', () => {
  it('when a shop applies for FIS, then it runs through the consultation, the application and the INPS decision', async () => {
    const input = fisInput({ productionUnit: unit() }, today());
    const created = await start('FIS', input, 'integrator');
    expect(created.status).toBe(201);
    const caseId = created.body.caseId as string;
    expect(caseId).toMatch(/^FIS-/);
    let c = await complete(created.body, 'union-consultation', 'not_requested');
    c = await complete(c, 'inps-application', 'filed', {
      filedOn: today(),
      inpsProtocol: 'INPS-FIS-9',
      hoursRequested: 320,
      technicalReport: true,
    });
    c = await complete(c, 'completeness-check', 'complete');
    expect(['forwarding to INPS', 'awaiting the INPS decision']).toContain(c.step);
    const r = await news(caseId, 'inps-decision', {
      decision: 'authorised',
      decidedOn: today(),
      protocol: 'INPS-DEC-9',
      authorised: input.suspension,
    });
    // Taken at once, or kept until the dossier's delivery comes back (an outside call the Update does not wait for).
    if (r.body.status !== 'closed') expect(r.body.step).toBe('forwarding to INPS');
    const closed = await readCaseUntil(s, caseId, principals.lucca, (x) => x.status === 'closed');
    expect(closed.outcome).toBe('authorised');
  });
});

describe('refused starts', () => {
  it('when the employer is outside the scheme, then CIGS, FIS and CIGO each refuse naming their article', async () => {
    const small = { ...cigsInput().employer, averageEmployees: 15 };
    const cigs = await expectRefused(
      'CIGS',
      cigsInput({ employer: small, workersConcerned: 3 }, today()),
      'scheme-not-applicable',
      /art. 20/,
    );
    expect(cigs.detail).toMatch(/Applicable: CIGO/);
    await expectRefused(
      'FIS',
      fisInput({ employer: { ...fisInput().employer, sector: 'industry' } }, today()),
      'scheme-not-applicable',
      /art. 29/,
    );
    await expectRefused(
      'CIGO',
      cigoInput(today(), {
        employer: { ...cigoInput(today()).employer, sector: 'commerce', averageEmployees: 30 },
      }),
      'scheme-not-applicable',
      /art. 10/,
    );
    await expectRefused(
      'FIS',
      fisInput({ cause: 'crisis', employer: { ...fisInput().employer, averageEmployees: 30 } }, today()),
      'cause-not-covered',
      /art. 29/,
    );
  });

  it("when the unit's earlier cases fill a cap, then the start is refused with the arithmetic", async () => {
    const shop = unit();
    await seedCases(s.db, {
      _id: `FIS-2025-FULL-${seq}`,
      procedure: 'FIS',
      office: 'lucca',
      status: 'closed',
      version: 1,
      units: [`09876543210/${shop.id}`],
      facts: { countedPeriod: { from: addDays(today(), -200), to: addDays(today(), -200 + 25 * 7 - 1) } },
    });
    const fis = await expectRefused(
      'FIS',
      fisInput({ productionUnit: shop }, today()),
      'duration-limit',
      /art. 30 c.1/,
    );
    expect(fis.check).toMatchObject({ cap: 26, used: 25, total: 29 });

    const plant = unit();
    await seedCases(s.db, {
      _id: `CIGS-2024-FULL-${seq}`,
      procedure: 'CIGS',
      office: 'lucca',
      status: 'closed',
      version: 1,
      units: [`01234567890/${plant.id}`],
      facts: {
        cigsCause: 'reorganisation',
        countedPeriod: { from: addDays(today(), -800), to: addDays(today(), -70) },
      },
    });
    const cigs = await expectRefused(
      'CIGS',
      cigsInput({ productionUnits: [plant] }, today()),
      'duration-limit',
      /art. 22/,
    );
    expect(cigs.detail).toMatch(/limit is already reached/);
  });

  it('when a transition agreement names no authorised CIGS of the employer, then it is refused', async () => {
    await expectRefused(
      'CIGS',
      cigsInput(
        { productionUnits: [unit()], cause: 'transition', previousCaseId: 'CIGS-2020-NONE' },
        today(),
      ),
      'transition-not-allowed',
      /art. 22-ter/,
    );
  });

  it('when the CIGS input breaks its rules, then 422 names every field', async () => {
    const res = await start('CIGS', {
      ...cigsInput({}, today()),
      productionUnits: [unit(), { ...unit(), id: 'dup' }, { ...unit(), id: 'dup' }],
      cause: 'transition',
      period: { from: addDays(today(), 10), to: addDays(today(), 500) },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['input.productionUnits.2.id', 'input.previousCaseId', 'input.period']),
    );
  });
});
