/**
 * Finding cases as integrators and officers look for them, on the real stack: by a party's tax code, by
 * production unit, by opening day and by text in the title, paged with `hasMore`; the event feed pages with the
 * same `cursor` parameter as every list.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, romeDate } from '../../domain/dates';
import { CASE_OFFICE, CASE_PROCEDURE, CASE_STATUS } from '../../workflows/search-attributes';
import { cigoInput } from '../support/cigo-input';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';

let s: ApiStack;
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(() => s?.close());

const auth = () => ({ Authorization: `Bearer ${s.token(principals.lucca)}` });
const unit = (id: string) => ({
  id,
  address: 'Via Nuova 3',
  municipality: 'Lucca',
  province: 'LU',
  region: 'Toscana',
});

async function open(taxCode: string, name: string, unitId: string): Promise<CaseView> {
  const res = await request(s.app)
    .post('/v1/cases')
    .set(auth())
    .send({
      procedure: 'CIGO',
      office: 'lucca',
      input: cigoInput(romeDate(Date.now()), {
        employer: { taxCode, name, sector: 'industry', averageEmployees: 120, solidarityFund: 'none' },
        productionUnit: unit(unitId),
      }),
    });
  expect(res.status).toBe(201);
  return res.body as CaseView;
}

const ids = (res: request.Response) => (res.body.items as { caseId: string }[]).map((c) => c.caseId).sort();

describe('finding cases', () => {
  it('when cases are searched by tax code, unit, day and title, then only theirs come back, paged with hasMore', async () => {
    const a = await open('01234567890', 'Cartiera del Serchio S.p.A.', 'search-a1');
    const b = await open('01234567890', 'Cartiera del Serchio S.p.A.', 'search-a2');
    const c = await open('09876543210', 'Officine Versiliesi S.r.l.', 'search-b1');
    const list = (q: string) => request(s.app).get(`/v1/cases?${q}`).set(auth());

    expect(ids(await list('taxCode=01234567890'))).toEqual([a.caseId, b.caseId].sort());
    expect(ids(await list('unit=09876543210/search-b1'))).toEqual([c.caseId]);
    expect(ids(await list('q=versiliesi'))).toEqual([c.caseId]);
    const today = romeDate(Date.now());
    expect(ids(await list(`openedFrom=${today}&openedTo=${today}&taxCode=09876543210`))).toEqual([c.caseId]);
    expect(ids(await list(`openedTo=${addDays(today, -1)}&taxCode=09876543210`))).toEqual([]);
    // Text is matched as text, not as a pattern.
    expect(ids(await list('q=.*'))).toEqual([]);

    const first = await list('taxCode=01234567890&limit=1');
    expect(first.body).toMatchObject({ hasMore: true, total: 2 });
    const second = await list(`taxCode=01234567890&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect([...ids(first), ...ids(second)].sort()).toEqual([a.caseId, b.caseId].sort());

    expect((await list('unit=not-a-unit')).status).toBe(400);
  });

  it('when the inbox is sorted by target, legal due day, priority or id, then every page follows the order, with the total', async () => {
    // Tasks of two kinds (the consultation, and the INPS application after it), opened a moment apart.
    const x = await open('01234567890', 'Cartiera del Serchio S.p.A.', 'sort-1');
    await open('09876543210', 'Officine Versiliesi S.r.l.', 'sort-2');
    const consultation = x.tasks.find((t) => t.key === 'union-consultation')!;
    const done = await request(s.app)
      .post(`/v1/tasks/${consultation.taskId}/complete`)
      .set(auth())
      .send({ outcome: 'agreement', data: { minutesDate: romeDate(Date.now()) } });
    expect(done.status).toBe(200);
    interface Row {
      taskId: string;
      targetAt: string;
      legalDueAt: string | null;
      priority: string;
    }
    const keysOf: Record<string, (t: Row) => string[]> = {
      target: (t) => [t.targetAt, t.legalDueAt ?? '9999', t.taskId],
      due: (t) => [t.legalDueAt ?? '9999', t.targetAt, t.taskId],
      priority: (t) => [t.priority === 'high' ? '0' : '1', t.targetAt, t.taskId],
      id: (t) => [t.taskId],
    };
    const inbox = (q: string) => request(s.app).get(`/v1/tasks?view=all&${q}`).set(auth());
    for (const [sort, keys] of Object.entries(keysOf)) {
      const all = await inbox(`sort=${sort}&limit=100`);
      expect(all.status).toBe(200);
      const rows = all.body.items as Row[];
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(all.body.total).toBe(rows.length);
      const compare = (a: Row, b: Row): number => {
        const [ka, kb] = [keys(a), keys(b)];
        for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
        return 0;
      };
      expect(rows.map((r) => r.taskId)).toEqual([...rows].sort(compare).map((r) => r.taskId));
      // Two at a time, following nextCursor: the same rows in the same order, none twice.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await inbox(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.total).toBe(rows.length);
        paged.push(...(page.body.items as Row[]).map((r) => r.taskId));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(paged).toEqual(rows.map((r) => r.taskId));
    }
    // The legal due days differ between the two kinds: the orders are not all the same.
    const byTarget = (await inbox('sort=target&limit=100')).body.items as Row[];
    const byDue = (await inbox('sort=due&limit=100')).body.items as Row[];
    expect(byDue.map((r) => r.legalDueAt ?? '9999')).toEqual(
      [...byDue].map((r) => r.legalDueAt ?? '9999').sort(),
    );
    expect(byTarget.length).toBe(byDue.length);
    const bad = await inbox('sort=due&cursor=bm90LW91cnM');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('cursor');
  });

  it('when a case is opened and withdrawn, then operators find it in Temporal by procedure, office and status, with a summary', async () => {
    const c = await open('01234567890', 'Cartiera del Serchio S.p.A.', 'temporal-attrs');
    const handle = s.client.workflow.getHandle(c.caseId);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(CASE_PROCEDURE)).toBe('CIGO');
    expect(described.typedSearchAttributes.get(CASE_OFFICE)).toBe('lucca');
    expect(await described.staticSummary()).toBe(
      "Cassa integrazione guadagni ordinaria (CIGO) — Centro per l'Impiego di Lucca",
    );
    // The run's current details say where the case stands, in the UI's metadata query.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`${c.title}: ${c.step} (open)`);
    const withdrawn = await request(s.app)
      .post(`/v1/cases/${c.caseId}/withdraw`)
      .set(auth())
      .send({ reason: 'opened by mistake' });
    expect(withdrawn.status).toBe(200);
    const query = `CpiProcedure = 'CIGO' AND CpiOffice = 'lucca' AND CpiStatus = 'withdrawn'`;
    let found: string[] = [];
    for (let i = 0; i < 100 && !found.includes(c.caseId); i += 1) {
      found = [];
      for await (const w of s.client.workflow.list({ query })) found.push(w.workflowId);
      if (!found.includes(c.caseId)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toContain(c.caseId);
    expect((await handle.describe()).typedSearchAttributes.get(CASE_STATUS)).toBe('withdrawn');
  });

  it('when the event feed is paged with cursor (or its older name after), then it goes on from the same place', async () => {
    const page1 = await request(s.app).get('/v1/events?limit=2').set(auth());
    expect(page1.body.hasMore).toBe(true);
    const viaCursor = await request(s.app)
      .get(`/v1/events?limit=2&cursor=${page1.body.nextCursor}`)
      .set(auth());
    const viaAfter = await request(s.app)
      .get(`/v1/events?limit=2&after=${page1.body.nextCursor}`)
      .set(auth());
    expect(viaCursor.body.items).toEqual(viaAfter.body.items);
    expect(viaCursor.body.items[0].position > page1.body.items[1].position).toBe(true);
  });
});
