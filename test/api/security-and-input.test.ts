/**
 * Security by default and bad input: 401/403/404 scoping, problem+json for every malformed request, and nothing
 * written when a request is refused.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { romeDate } from '../../domain/dates';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { JWT_SECRET, principals, startApiStack } from '../support/api-env';
import { TOKEN_DEFAULTS } from '../../api/auth';

let s: ApiStack;
let luccaCase: { caseId: string; taskId: string };
beforeAll(async () => {
  s = await startApiStack();
  const r = await request(s.app)
    .post('/v1/cases')
    .set(auth('integrator'))
    .send({ procedure: 'CIGO', office: 'lucca', input: cigoInput(romeDate(Date.now())) });
  luccaCase = { caseId: r.body.caseId, taskId: r.body.tasks[0].taskId };
}, 120_000);
afterAll(() => s?.close());

function auth(p: keyof typeof principals) {
  return { Authorization: `Bearer ${s.token(principals[p])}` };
}

async function counts() {
  return {
    cases: await s.db.cases.countDocuments(),
    events: await s.db.events.countDocuments(),
    keys: await s.db.idempotency.countDocuments(),
  };
}

function expectProblem(res: request.Response, status: number, path?: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
  expect(typeof res.body.title).toBe('string');
  if (path) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
}

describe('authentication', () => {
  it('when health, readiness or the OpenAPI document is asked, then no token is needed', async () => {
    expect((await request(s.app).get('/healthz')).status).toBe(200);
    expect((await request(s.app).get('/readyz')).body.checks).toEqual({ temporal: 'ok', database: 'ok' });
    const doc = await request(s.app).get('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/cases', '/v1/tasks/{id}/complete', '/v1/cases/{id}/news']),
    );
    expect(doc.body.components.schemas.CIGOStartInput.properties.suspension).toBeDefined();
  });

  it.each([
    ['no header', undefined],
    ['not a bearer', 'Basic abc'],
    ['garbage', 'Bearer abc.def.ghi'],
    [
      'wrong secret',
      `Bearer ${jwt.sign({ role: 'admin', offices: [] }, 'another-secret-another-secret-another', { subject: 'x', expiresIn: '1h' })}`,
    ],
    [
      'expired',
      `Bearer ${jwt.sign({ role: 'admin', offices: [], exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET, { subject: 'x' })}`,
    ],
    [
      'unknown role',
      `Bearer ${jwt.sign({ role: 'mayor', offices: [] }, JWT_SECRET, { subject: 'x', expiresIn: '1h' })}`,
    ],
    ['alg none', `Bearer ${jwt.sign({ role: 'admin', offices: [], sub: 'x' }, '', { algorithm: 'none' })}`],
    ['without exp', `Bearer ${signed({ noTimestamp: false })}`],
    ['without iat', `Bearer ${signed({ expiresIn: '1h', noTimestamp: true })}`],
    ['of another issuer', `Bearer ${signed({ expiresIn: '1h', issuer: 'someone-else' })}`],
    ['for another audience', `Bearer ${signed({ expiresIn: '1h', audience: 'another-api' })}`],
    ['living 30 days', `Bearer ${signed({ expiresIn: '30d' })}`],
    [
      'issued in the future',
      `Bearer ${jwt.sign({ role: 'admin', offices: [], iat: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET, { subject: 'x', expiresIn: '2h', issuer: TOKEN_DEFAULTS.issuer, audience: TOKEN_DEFAULTS.audience })}`,
    ],
  ])('when the token is %s, then 401', async (_name, header) => {
    const req = request(s.app).get('/v1/cases');
    const res = header ? await req.set('Authorization', header) : await req;
    expectProblem(res, 401);
  });

  it('when a token lives too long, then the refusal says how long it may live', async () => {
    const res = await request(s.app)
      .get('/v1/cases')
      .set('Authorization', `Bearer ${signed({ expiresIn: '30d' })}`);
    expectProblem(res, 401);
    expect(res.body.detail).toMatch(/longer than 24 hours/);
  });

  it('when an administrator disables a principal, then its valid token is refused at once, and accepted again once enabled', async () => {
    const portal = {
      Authorization: `Bearer ${s.token({ sub: 'portal-to-revoke', role: 'integrator', offices: [] })}`,
    };
    expect((await request(s.app).get('/v1/cases').set(portal)).status).toBe(200);
    const off = await request(s.app)
      .patch('/v1/principals/portal-to-revoke')
      .set(auth('admin'))
      .send({ disabled: true, reason: 'credentials leaked' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({
      sub: 'portal-to-revoke',
      disabled: true,
      disabledBy: 'admin',
      disabledReason: 'credentials leaked',
    });
    const refused = await request(s.app).get('/v1/cases').set(portal);
    expectProblem(refused, 401);
    expect(refused.body.detail).toMatch(/disabled/);
    // Only administrators, and with a reason.
    expectProblem(
      await request(s.app)
        .patch('/v1/principals/portal-to-revoke')
        .set(auth('lucca'))
        .send({ disabled: false, reason: 'x' }),
      403,
    );
    expectProblem(
      await request(s.app)
        .patch('/v1/principals/portal-to-revoke')
        .set(auth('admin'))
        .send({ disabled: false }),
      400,
      'reason',
    );
    const on = await request(s.app)
      .patch('/v1/principals/portal-to-revoke')
      .set(auth('admin'))
      .send({ disabled: false, reason: 'new credentials issued' });
    expect(on.body.disabled).toBe(false);
    expect((await request(s.app).get('/v1/cases').set(portal)).status).toBe(200);
    expect(
      (await request(s.app).get('/v1/principals/portal-to-revoke').set(auth('admin'))).body,
    ).toMatchObject({
      disabled: false,
      disabledReason: 'new credentials issued',
    });
    // Both changes are in the administrators' audit trail, newest first, which only administrators read.
    const trail = await request(s.app).get('/v1/admin/audit?limit=2').set(auth('admin'));
    expect(trail.status).toBe(200);
    expect(trail.body.items).toEqual([
      expect.objectContaining({
        action: 'principal-enabled',
        target: 'portal-to-revoke',
        actor: { sub: 'admin', role: 'admin' },
        details: { reason: 'new credentials issued' },
      }),
      expect.objectContaining({ action: 'principal-disabled', details: { reason: 'credentials leaked' } }),
    ]);
    expectProblem(await request(s.app).get('/v1/admin/audit').set(auth('supervisor')), 403);
    expectProblem(
      await request(s.app).get('/v1/admin/audit?cursor=bm90LWFuLWlk').set(auth('admin')),
      400,
      'cursor',
    );
  });
});

/** A token for an administrator signed with the test secret and `opts` (the issuer and audience unless overridden). */
function signed(opts: jwt.SignOptions): string {
  return jwt.sign({ role: 'admin', offices: [] }, JWT_SECRET, {
    subject: 'x',
    issuer: TOKEN_DEFAULTS.issuer,
    audience: TOKEN_DEFAULTS.audience,
    ...opts,
  });
}

describe('scope and roles', () => {
  it('when an officer of another office asks for a case or its task, then 404 (no leak)', async () => {
    expectProblem(await request(s.app).get(`/v1/cases/${luccaCase.caseId}`).set(auth('viareggio')), 404);
    expectProblem(
      await request(s.app).get(`/v1/cases/${luccaCase.caseId}/events`).set(auth('viareggio')),
      404,
    );
    expectProblem(
      await request(s.app).post(`/v1/tasks/${luccaCase.taskId}/claim`).set(auth('viareggio')),
      404,
    );
    const list = await request(s.app).get('/v1/cases?office=lucca').set(auth('viareggio'));
    expect(list.body.items).toEqual([]);
    const feed = await request(s.app).get('/v1/events').set(auth('viareggio'));
    expect(feed.body.items.filter((e: { caseId: string }) => e.caseId === luccaCase.caseId)).toEqual([]);
  });

  it('when an integrator asks for a case it did not start, then 404; its own case it sees', async () => {
    expectProblem(
      await request(s.app).get(`/v1/cases/${luccaCase.caseId}`).set(auth('otherIntegrator')),
      404,
    );
    expect((await request(s.app).get(`/v1/cases/${luccaCase.caseId}`).set(auth('integrator'))).status).toBe(
      200,
    );
    const feed = await request(s.app).get('/v1/events').set(auth('integrator'));
    expect(feed.body.items.length).toBeGreaterThan(0);
    expect(feed.body.items.every((e: { caseId: string }) => e.caseId === luccaCase.caseId)).toBe(true);
  });

  it('when a role may not take an action, then 403 and the case is unchanged', async () => {
    const before = (await s.db.cases.findById(luccaCase.caseId).lean())?.version;
    expectProblem(
      await request(s.app).post(`/v1/tasks/${luccaCase.taskId}/claim`).set(auth('integrator')),
      403,
    );
    expectProblem(
      await request(s.app)
        .post(`/v1/tasks/${luccaCase.taskId}/reassign`)
        .set(auth('lucca'))
        .send({ assignee: 'x', reason: 'y' }),
      403,
    );
    expectProblem(
      await request(s.app)
        .post(`/v1/cases/${luccaCase.caseId}/suspend`)
        .set(auth('integrator'))
        .send({ reason: 'x' }),
      403,
    );
    expectProblem(await request(s.app).get('/v1/workload').set(auth('lucca')), 403);
    expectProblem(
      await request(s.app)
        .post('/v1/cases')
        .set(auth('viareggio'))
        .send({ procedure: 'CIGO', office: 'lucca', input: cigoInput(romeDate(Date.now())) }),
      403,
    );
    expect((await s.db.cases.findById(luccaCase.caseId).lean())?.version).toBe(before);
  });
});

describe('bad input gets a clear error and loses nothing', () => {
  const valid = () => ({ procedure: 'CIGO', office: 'lucca', input: cigoInput(romeDate(Date.now())) });

  it.each([
    [
      'malformed JSON',
      (r: request.Test) => r.set('content-type', 'application/json').send('{"procedure": "CIGO",'),
      400,
      '(body)',
    ],
    [
      'wrong types',
      (r: request.Test) => r.send({ ...valid(), input: { ...valid().input, workersConcerned: 'forty' } }),
      400,
      'input.workersConcerned',
    ],
    ['unknown procedure', (r: request.Test) => r.send({ ...valid(), procedure: 'NOPE' }), 400, 'procedure'],
    ['unknown office', (r: request.Test) => r.send({ ...valid(), office: 'pisa' }), 400, 'office'],
    [
      'unknown top-level field',
      (r: request.Test) => r.send({ ...valid(), priority: 'urgent' }),
      400,
      '(root)',
    ],
    [
      'unknown nested field',
      (r: request.Test) => r.send({ ...valid(), input: { ...valid().input, bonus: 1 } }),
      400,
      'input',
    ],
    [
      'operator injection in the body',
      (r: request.Test) => r.send({ ...valid(), procedure: { $gt: '' } }),
      400,
      'procedure',
    ],
    [
      'impossible date',
      (r: request.Test) => r.send({ ...valid(), input: { ...valid().input, unionNoticeDate: '2026-02-30' } }),
      400,
      'input.unionNoticeDate',
    ],
    [
      'more than 13 weeks',
      (r: request.Test) =>
        r.send({
          ...valid(),
          input: { ...valid().input, suspension: { from: '2027-01-04', to: '2027-06-30' } },
        }),
      // Every field well formed: a rule across them refuses it.
      422,
      'input.suspension',
    ],
    [
      'oversize body',
      (r: request.Test) =>
        r.send({ ...valid(), input: { ...valid().input, causeDescription: 'x'.repeat(1_100_000) } }),
      413,
      undefined,
    ],
    [
      'bad Idempotency-Key',
      (r: request.Test) => r.set('Idempotency-Key', 'has space').send(valid()),
      400,
      'Idempotency-Key',
    ],
  ])(
    'when the start has %s, then 4xx problem+json naming the field and nothing is written',
    async (_name, build, status, path) => {
      const before = await counts();
      const res = await build(request(s.app).post('/v1/cases').set(auth('lucca')));
      expectProblem(res, status, path);
      expect(await counts()).toEqual(before);
    },
  );

  it('when the body is not JSON, then 415 and nothing is written', async () => {
    const before = await counts();
    const res = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .set('content-type', 'text/plain')
      .send('procedure=CIGO');
    expectProblem(res, 415);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['operator injection in a filter', '/v1/cases?status[$gt]='],
    ['unknown filter', '/v1/cases?color=red'],
    ['bad status', '/v1/cases?status=lost'],
    ['limit out of range', '/v1/cases?limit=1000'],
    ['bad cursor', '/v1/cases?cursor=%24where'],
    ['bad task view', '/v1/tasks?view=everything'],
    ['bad feed cursor', '/v1/events?after=zzz'],
  ])('when a list has %s, then 400 problem+json', async (_name, url) => {
    expectProblem(await request(s.app).get(url).set(auth('admin')), 400);
  });

  it('when a task is completed with a wrong outcome or bad form data, then 422 naming the field and the case is unchanged', async () => {
    const before = (await s.db.cases.findById(luccaCase.caseId).lean())?.version;
    let res = await request(s.app)
      .post(`/v1/tasks/${luccaCase.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome: 'approved', data: {} });
    // The body has the document's shape; the task's form refuses its content.
    expectProblem(res, 422, 'outcome');
    res = await request(s.app)
      .post(`/v1/tasks/${luccaCase.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome: 'agreement', data: { minutesDate: 'yesterday' } });
    expectProblem(res, 422, 'data.minutesDate');
    res = await request(s.app)
      .post(`/v1/cases/${luccaCase.caseId}/news`)
      .set(auth('relay'))
      .send({ type: 'inps-decision', data: { decision: 'maybe' } });
    expectProblem(res, 422);
    res = await request(s.app)
      .post(`/v1/cases/${luccaCase.caseId}/news`)
      .set(auth('relay'))
      .send({
        type: 'inps-decision',
        data: { decision: 'rejected', decidedOn: '2026-01-10', protocol: 'X', reasons: 'no' },
      });
    expectProblem(res, 409);
    expect(res.body.reason).toBe('NewsNotExpected');
    expectProblem(
      await request(s.app)
        .post('/v1/tasks/CIGO-2026-X.T1/complete')
        .set(auth('lucca'))
        .send({ outcome: 'x' }),
      404,
    );
    expectProblem(await request(s.app).get('/v1/nothing-here').set(auth('lucca')), 404);
    expect((await s.db.cases.findById(luccaCase.caseId).lean())?.version).toBe(before);
  });
});
