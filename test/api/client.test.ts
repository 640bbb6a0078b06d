/**
 * The generated TypeScript client (clients/typescript) drives a whole CIGO case over real HTTP, on the real stack:
 * opened by an employer's portal, worked by the officer, decided by INPS through the institutions' relay, read
 * back with its audit trail. Types come from the route table, so this also proves the document usable.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCpiClient } from '../../clients/typescript';
import type { CpiClient } from '../../clients/typescript';
import { romeDate } from '../../domain/dates';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';

let s: ApiStack;
let server: Server;
let base: string;
beforeAll(async () => {
  s = await startApiStack();
  server = s.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await s?.close();
});

const as = (p: keyof typeof principals): CpiClient =>
  createCpiClient({ baseUrl: base, token: s.token(principals[p]) });

describe('the generated client', () => {
  it('when an integrator opens a CIGO case and the office works it through the client, then INPS news closes it', async () => {
    const today = romeDate(Date.now());
    const input = cigoInput(today, {
      productionUnit: {
        id: 'client-unit',
        address: 'Via Nuova 3',
        municipality: 'Lucca',
        province: 'LU',
        region: 'Toscana',
      },
    });
    const portal = as('integrator');
    const officer = as('lucca');
    const opened = await portal.POST('/v1/cases', {
      body: { procedure: 'CIGO', office: 'lucca', input },
      params: { header: { 'Idempotency-Key': 'client-test-open' } },
    });
    expect(opened.response.status).toBe(201);
    const caseId = opened.data!.caseId;
    expect(opened.response.headers.get('etag')).toBe(`"v${opened.data!.version}"`);

    const inbox = await officer.GET('/v1/tasks', { params: { query: { view: 'available' } } });
    const first = inbox.data!.items.find((t) => t.caseId === caseId)!;
    expect(first.key).toBe('union-consultation');
    await officer.POST('/v1/tasks/{id}/claim', { params: { path: { id: first.taskId } } });
    let c = (
      await officer.POST('/v1/tasks/{id}/complete', {
        params: { path: { id: first.taskId } },
        body: { outcome: 'agreement', data: { minutesDate: today } },
      })
    ).data!;
    const open = (key: string): string => c.tasks.find((t) => t.key === key && t.status === 'open')!.taskId;
    c = (
      await officer.POST('/v1/tasks/{id}/complete', {
        params: { path: { id: open('inps-application') } },
        body: {
          outcome: 'filed',
          data: { filedOn: today, inpsProtocol: 'INPS-9', hoursRequested: 2400, technicalReport: true },
        },
      })
    ).data!;
    c = (
      await officer.POST('/v1/tasks/{id}/complete', {
        params: { path: { id: open('completeness-check') } },
        body: { outcome: 'complete', data: {} },
      })
    ).data!;

    // A refusal comes back typed as a problem, not thrown.
    const forged = await portal.POST('/v1/cases/{id}/news', {
      params: { path: { id: caseId } },
      body: {
        type: 'inps-decision',
        data: { decision: 'authorised', decidedOn: today, protocol: 'D-1', authorised: input.suspension },
      },
    });
    expect(forged.response.status).toBe(403);
    expect(forged.data).toBeUndefined();

    const decided = await as('relay').POST('/v1/cases/{id}/news', {
      params: { path: { id: caseId } },
      body: {
        type: 'inps-decision',
        data: { decision: 'authorised', decidedOn: today, protocol: 'D-1', authorised: input.suspension },
      },
    });
    expect(decided.response.status).toBe(200);
    for (let i = 0; i < 50 && c.status !== 'closed'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      c = (await officer.GET('/v1/cases/{id}', { params: { path: { id: caseId } } })).data!;
    }
    expect(c).toMatchObject({ status: 'closed', outcome: 'authorised' });
    const trail = await officer.GET('/v1/cases/{id}/events', { params: { path: { id: caseId } } });
    expect(trail.data!.items.map((e) => e.seq)).toEqual(trail.data!.items.map((_, i) => i + 1));
    expect(trail.data!.items.at(-1)!.type).toBe('CaseClosed');
  });
});
