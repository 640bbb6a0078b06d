/**
 * Finding cases as integrators and officers look for them, on the real stack: by a party's tax code, by
 * production unit, by opening day and by text in the title, paged with `hasMore`; the event feed pages with the
 * same `cursor` parameter as every list.
 */
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, romeDate } from '../../domain/dates';
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
    expect(first.body).toMatchObject({ hasMore: true });
    const second = await list(`taxCode=01234567890&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect([...ids(first), ...ids(second)].sort()).toEqual([a.caseId, b.caseId].sort());

    expect((await list('unit=not-a-unit')).status).toBe(400);
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
