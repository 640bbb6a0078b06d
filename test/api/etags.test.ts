/**
 * ETags from the case version: a client caches a case and revalidates it (304), and guards an action against a
 * stale read (412, nothing written), on the real stack.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { romeDate } from '../../domain/dates';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = () => ({ Authorization: `Bearer ${s.token(principals.lucca)}` });

describe('ETags', () => {
  it('when a case is read again unchanged, then 304; when an action was decided on an old reading, then 412 and nothing is written', async () => {
    const opened = await request(s.app)
      .post('/v1/cases')
      .set(auth())
      .send({
        procedure: 'CIGO',
        office: 'lucca',
        input: cigoInput(romeDate(Date.now()), {
          productionUnit: {
            id: 'etag-unit',
            address: 'Via Roma 1',
            municipality: 'Lucca',
            province: 'LU',
            region: 'Toscana',
          },
        }),
      });
    expect(opened.status).toBe(201);
    const c = opened.body as CaseView;
    expect(opened.headers.etag).toBe(`"v${c.version}"`);
    // Each case links to itself, its trail and its workflow in the Temporal UI.
    expect(opened.body.links).toEqual({
      self: `/v1/cases/${c.caseId}`,
      events: `/v1/cases/${c.caseId}/events`,
      temporal: `http://temporal-ui.test:8233/namespaces/default/workflows/${c.caseId}`,
    });

    const read = await request(s.app).get(`/v1/cases/${c.caseId}`).set(auth());
    expect(read.headers.etag).toBe(`"v${c.version}"`);
    const same = await request(s.app)
      .get(`/v1/cases/${c.caseId}`)
      .set(auth())
      .set('If-None-Match', read.headers.etag!);
    expect(same.status).toBe(304);
    expect(same.text).toBe('');

    const task = c.tasks.find((t) => t.key === 'union-consultation')!;
    const claimed = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/claim`)
      .set(auth())
      .set('If-Match', read.headers.etag!);
    expect(claimed.status).toBe(200);
    const after = claimed.body as CaseView;
    expect(after.version).toBeGreaterThan(c.version);
    expect(claimed.headers.etag).toBe(`"v${after.version}"`);
    // The old reading no longer revalidates.
    expect(
      (await request(s.app).get(`/v1/cases/${c.caseId}`).set(auth()).set('If-None-Match', read.headers.etag!))
        .status,
    ).toBe(200);

    // Decided on the reading from before the claim: refused, nothing written.
    const events = await s.db.events.countDocuments({ caseId: c.caseId });
    const stale = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/complete`)
      .set(auth())
      .set('If-Match', read.headers.etag!)
      .send({ outcome: 'agreement', data: { minutesDate: romeDate(Date.now()) } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({
      type: 'urn:cpi-casework:problem:precondition-failed',
      reason: 'VersionMismatch',
    });
    expect(await s.db.events.countDocuments({ caseId: c.caseId })).toBe(events);

    // A tag that is not one of the case's matches no version.
    const foreign = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/claim`)
      .set(auth())
      .set('If-Match', 'v1');
    expect(foreign.status).toBe(412);

    const fresh = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/complete`)
      .set(auth())
      .set('If-Match', claimed.headers.etag!)
      .send({ outcome: 'agreement', data: { minutesDate: romeDate(Date.now()) } });
    expect(fresh.status).toBe(200);
  });
});
