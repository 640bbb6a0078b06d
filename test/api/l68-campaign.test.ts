/**
 * The January campaign of the L. 68 annual returns on the Temporal dev server: the schedule the API ensures at
 * start-up, what it fires and when, a triggered run opening the year's case for last year's employer, and the
 * same campaign opened by hand through the API.
 */
import request from 'supertest';
import { romeDate } from '../../domain/dates';
import { createLogger } from '../../platform/logger';
import { L68_CAMPAIGN_SCHEDULE, ensureSchedules } from '../../platform/schedules';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';

let s: ApiStack;
const opened: string[] = [];
beforeAll(async () => {
  s = await startApiStack();
}, 120_000);
afterAll(async () => {
  for (const id of opened)
    await s.client.workflow
      .getHandle(id)
      .terminate('test ended')
      .catch(() => undefined);
  await s.client.schedule
    .getHandle(L68_CAMPAIGN_SCHEDULE)
    .delete()
    .catch(() => undefined);
  await s?.close();
});

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });

async function casesOf(employer: string, year: number): Promise<string[]> {
  for (let i = 0; i < 100; i += 1) {
    const docs = await s.db.cases.find({ 'keys.employer': employer, 'keys.year': String(year) }).lean();
    if (docs.length > 0) return docs.map((d) => String(d._id));
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

describe('L. 68 annual-return campaign', () => {
  it('when the API starts, then a schedule opens the campaign every 2 January in Rome, and a run opens last year’s employers once', async () => {
    // Other suites on this dev server may have created it for their own queue: make it this suite's.
    await s.client.schedule
      .getHandle(L68_CAMPAIGN_SCHEDULE)
      .delete()
      .catch(() => undefined);
    await ensureSchedules(
      s.client,
      s.taskQueue,
      createLogger({ level: 'error', format: 'pretty', service: 'test' }),
    );
    const schedule = await s.client.schedule.getHandle(L68_CAMPAIGN_SCHEDULE).describe();
    expect(schedule.spec.timezone).toBe('Europe/Rome');
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'campagnaProspettiL68' });
    const next = schedule.info.nextActionTimes.map((d) => romeDate(d.getTime()));
    expect(next.length).toBeGreaterThanOrEqual(2);
    for (const d of next.slice(0, 2)) expect(d.slice(5)).toBe('01-02');
    // Ensuring again changes nothing.
    await ensureSchedules(
      s.client,
      s.taskQueue,
      createLogger({ level: 'error', format: 'pretty', service: 'test' }),
    );

    // Last year's obligation case, as the read model holds it; the campaign runs for the current year.
    const year = Number(romeDate(Date.now()).slice(0, 4));
    const employer = { taxCode: '05566778899', name: 'Marmi Garfagnana srl', kind: 'private' };
    await s.db.cases.create({
      _id: `L68O-${year - 1}-01CAMPAIGNTESTPREVIOUS00000`,
      procedure: 'L68O',
      office: 'castelnuovo-barga',
      status: 'closed',
      keys: { employer: employer.taxCode, year: String(year - 1) },
      input: { employer, year: year - 1 },
      facts: { carryOver: { base: 20, employedDisabled: 0, employedArt18: 0 } },
    });
    await s.client.schedule.getHandle(L68_CAMPAIGN_SCHEDULE).trigger();
    const ids = await casesOf(employer.taxCode, year);
    opened.push(...ids);
    expect(ids).toHaveLength(1);
    // The business key is the id: the server keeps one case per employer and year.
    expect(ids[0]).toBe(`L68O-${year}-${employer.taxCode}`);

    // By hand: officers may not; a supervisor may, and nothing is opened twice.
    const officer = await request(s.app).post('/v1/l68/campaigns').set(auth('lucca')).send({ year });
    expect(officer.status).toBe(403);
    const bad = await request(s.app).post('/v1/l68/campaigns').set(auth('supervisor')).send({ year: 'next' });
    expect(bad.status).toBe(400);
    const again = await request(s.app).post('/v1/l68/campaigns').set(auth('supervisor')).send({ year });
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ year, opened: [] });
    expect(await casesOf(employer.taxCode, year)).toEqual(ids);
  }, 120_000);
});
