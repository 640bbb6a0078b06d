/**
 * Machines' credentials on the real stack: an administrator issues an API key (shown once, stored hashed), the
 * machine opens and follows cases within its procedures and offices, a second key replaces the first without a
 * gap, a third is refused, and a revoked key is refused at once.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { romeDate } from '../../domain/dates';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';
import { fisInput } from '../support/wage-inputs';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const admin = () => ({ Authorization: `Bearer ${s.token(principals.admin)}` });
const withKey = (key: string) => ({ 'X-API-Key': key });
const today = () => romeDate(Date.now());
let unit = 0;
const cigo = (office = 'lucca') => ({
  procedure: 'CIGO',
  office,
  input: cigoInput(today(), {
    productionUnit: {
      id: `key-unit-${++unit}`,
      address: 'Via Nuova 3',
      municipality: 'Lucca',
      province: 'LU',
      region: 'Toscana',
    },
  }),
});

async function issue(client: string, extra: object = {}) {
  return request(s.app)
    .post('/v1/api-keys')
    .set(admin())
    .send({ client, name: 'Payroll software', procedures: ['CIGO'], offices: ['lucca'], ...extra });
}

describe('API keys', () => {
  it('when an administrator issues a key, then it is shown once, stored hashed, and acts within its procedures and offices', async () => {
    const res = await issue('payroll-studio-rossi');
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { key, keyId } = res.body as { key: string; keyId: string };
    expect(key).toMatch(/^cpik_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key).toContain(keyId);
    // Never again: not in the list, and not in the database in clear.
    const list = await request(s.app).get('/v1/api-keys?client=payroll-studio-rossi').set(admin());
    expect(list.body.items).toEqual([
      expect.objectContaining({ keyId, client: 'payroll-studio-rossi', active: true, procedures: ['CIGO'] }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(key.slice(-43));
    const stored = await s.db.connection.collection('api_keys').findOne({ client: 'payroll-studio-rossi' });
    expect(JSON.stringify(stored)).not.toContain(key.slice(-43));

    const me = await request(s.app).get('/v1/me').set(withKey(key));
    expect(me.body).toMatchObject({ sub: 'payroll-studio-rossi', role: 'integrator', keyId });
    // Also as a bearer credential.
    expect((await request(s.app).get('/v1/me').set('Authorization', `Bearer ${key}`)).status).toBe(200);

    const opened = await request(s.app).post('/v1/cases').set(withKey(key)).send(cigo());
    expect(opened.status).toBe(201);
    const caseId = (opened.body as CaseView).caseId;
    expect((opened.body as CaseView).openedBy).toEqual({ sub: 'payroll-studio-rossi', role: 'integrator' });
    expect((await request(s.app).get(`/v1/cases/${caseId}`).set(withKey(key))).status).toBe(200);

    // Outside its offices and procedures: refused, nothing opened.
    const before = await s.db.cases.countDocuments({});
    const elsewhere = await request(s.app).post('/v1/cases').set(withKey(key)).send(cigo('viareggio'));
    expect(elsewhere.status).toBe(403);
    const fis = await request(s.app)
      .post('/v1/cases')
      .set(withKey(key))
      .send({ procedure: 'FIS', office: 'lucca', input: fisInput({}, today()) });
    expect(fis.status).toBe(403);
    expect(fis.body.detail).toMatch(/may not open FIS cases/);
    expect(await s.db.cases.countDocuments({})).toBe(before);

    // Issued and its use are in the administrators' audit trail.
    const audit = await request(s.app).get('/v1/admin/audit').set(admin());
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'api-key-created',
        target: keyId,
        actor: { sub: 'admin', role: 'admin' },
      }),
    );
  });

  it('when a key is rotated, then both work until the old one is revoked, which is refused at once; a third active key is refused', async () => {
    const first = (await issue('regional-labour-system', { procedures: undefined, offices: undefined }))
      .body as {
      key: string;
      keyId: string;
    };
    const second = (await issue('regional-labour-system', { procedures: undefined, offices: undefined }))
      .body as {
      key: string;
      keyId: string;
    };
    for (const k of [first.key, second.key])
      expect((await request(s.app).get('/v1/cases').set(withKey(k))).status).toBe(200);
    const third = await issue('regional-labour-system');
    expect(third.status).toBe(409);
    expect(third.body.type).toMatch(/too-many-active-keys/);

    const revoked = await request(s.app).delete(`/v1/api-keys/${first.keyId}?reason=rotated`).set(admin());
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ active: false, revokedBy: 'admin', revokedReason: 'rotated' });
    const refused = await request(s.app).get('/v1/cases').set(withKey(first.key));
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/revoked/);
    expect((await request(s.app).get('/v1/cases').set(withKey(second.key))).status).toBe(200);
    // The slot is free again.
    expect((await issue('regional-labour-system')).status).toBe(201);
  });

  it('when a key is forged, malformed or asked for by someone else, then it is refused', async () => {
    const { key } = (await issue('forgery-target')).body as { key: string };
    const forged = `${key.slice(0, -4)}AAAA`;
    expect((await request(s.app).get('/v1/me').set(withKey(forged))).status).toBe(401);
    expect((await request(s.app).get('/v1/me').set(withKey('cpik_nothing'))).status).toBe(401);
    const officer = await request(s.app)
      .post('/v1/api-keys')
      .set('Authorization', `Bearer ${s.token(principals.lucca)}`)
      .send({ client: 'x', name: 'x' });
    expect(officer.status).toBe(403);
    const bad = await request(s.app)
      .post('/v1/api-keys')
      .set(admin())
      .send({ client: 'has space', name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['client', 'name']);
    expect((await request(s.app).delete('/v1/api-keys/0123456789abcdef').set(admin())).status).toBe(404);
    // A disabled client is refused whatever key it shows.
    await request(s.app)
      .patch('/v1/principals/forgery-target')
      .set(admin())
      .send({ disabled: true, reason: 'test' });
    expect((await request(s.app).get('/v1/me').set(withKey(key))).status).toBe(401);
  });
});
