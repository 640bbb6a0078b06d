/**
 * L. 68/1999 end to end through the API on the real stack: people enrol (one refused by the law, one twice), the
 * ranking is produced and explained, an employer's year opens, the 60 days run out on the demo clock, the first in
 * the ranking is referred and hired, leaves the list, and the employer is covered on the compliance board. The terms
 * last weeks, so this suite's stack runs on a time-skipping Temporal server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, romeDate } from '../../domain/dates';
import type { L68Ranking } from '../../domain/procedures/l68-ranking';
import type { ApiStack } from '../support/api-env';
import { principals, readCaseUntil, startTimeSkippingApiStack } from '../support/api-env';

let s: ApiStack;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  ({ s, env } = await startTimeSkippingApiStack());
}, 120_000);
afterAll(() => s?.close());

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
const serverToday = async () => romeDate(await env.currentTimeMs());

function enrolment(taxCode: string, name: string, percentage: number, day: string, isee: number) {
  return {
    procedure: 'L68I',
    office: 'lucca',
    input: {
      person: { taxCode, name, birthDate: '1988-03-03' },
      list: 'art1',
      disability: { category: 'civil-invalid', percentage },
      documents: {
        invalidityReport: { date: addDays(day, -40) },
        functionalReport: { date: addDays(day, -20) },
      },
      unemployedSince: addDays(day, -100),
      servicePactSignedOn: day,
      isee,
      dependants: 1,
      requestedOn: day,
    },
  };
}

async function enrolThrough(
  taxCode: string,
  name: string,
  percentage: number,
  isee: number,
): Promise<string> {
  const day = await serverToday();
  const res = await request(s.app)
    .post('/v1/cases')
    .set(auth('lucca'))
    .send(enrolment(taxCode, name, percentage, day, isee));
  expect(res.status).toBe(201);
  const caseId = (res.body as CaseView).caseId;
  const task = (res.body as CaseView).tasks.find((t) => t.key === 'l68-check-documents')!;
  const done = await request(s.app)
    .post(`/v1/tasks/${task.taskId}/complete`)
    .set(auth('lucca'))
    .send({ outcome: 'confirmed', data: {} });
  expect(done.status).toBe(200);
  await readCaseUntil(s, caseId, principals.lucca, (c) => c.facts.status === 'enrolled');
  return caseId;
}

async function skipTo(instant: string): Promise<void> {
  const hours = Math.ceil((Date.parse(instant) - (await env.currentTimeMs())) / 3_600_000) + 1;
  const moved = await request(s.app)
    .post('/v1/dev/clock')
    .set(auth('admin'))
    .send({ days: Math.floor(hours / 24), hours: hours % 24 });
  expect(moved.status).toBe(200);
}

describe('L. 68 through the API', () => {
  it('when people enrol and an employer misses its 60 days, then the ranking is explained and the first in it is referred, hired and leaves the list', async () => {
    const day = await serverToday();
    // The law refuses before any case exists: 45% is not above 45%.
    const low = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send(enrolment('LWPRCN88C03E715Z', 'Low Percent', 45, day, 1000));
    expect(low.status).toBe(422);
    expect(low.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(low.body).toMatchObject({
      type: expect.stringMatching(/not-eligible$/),
      rule: 'L. 68/1999 art. 1 c.1',
    });
    // A missing functional report names its field.
    const bad = enrolment('LWPRCN88C03E715Z', 'No Report', 60, day, 1000);
    delete (bad.input.documents as { functionalReport?: unknown }).functionalReport;
    const missing = await request(s.app).post('/v1/cases').set(auth('lucca')).send(bad);
    // Required by the law for this list (a rule, not the shape of the body): 422 naming the field.
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toContain(
      'input.documents.functionalReport',
    );

    const rossi = await enrolThrough('RSSMRA88C03E715A', 'Maria Rossi', 75, 4000);
    await enrolThrough('BNCGNN88C03E715B', 'Gianni Bianchi', 60, 20_000);
    await enrolThrough('VRDLCU88C03E715C', 'Lucia Verdi', 60, 2000);
    // One list only: a second enrolment of the same person is refused.
    const twice = await request(s.app)
      .post('/v1/cases')
      .set(auth('lucca'))
      .send(enrolment('RSSMRA88C03E715A', 'Maria Rossi', 75, day, 4000));
    expect(twice.status).toBe(422);
    expect(twice.body.type).toMatch(/already-enrolled$/);

    // The ranking, explained: 75 + seniority 0 + ISEE (25 − 8 × 0.5) + 2 for one dependant = 98.
    let r = await request(s.app).get(`/v1/l68/ranking?list=art1&on=${day}`).set(auth('lucca'));
    expect(r.status).toBe(200);
    let ranking = r.body as L68Ranking;
    expect(ranking.ruleVersion).toBe(1);
    expect(ranking.rows.map((x) => [x.position, x.name, x.score])).toEqual([
      [1, 'Maria Rossi', 98],
      [2, 'Lucia Verdi', 85],
      [3, 'Gianni Bianchi', 67],
    ]);
    expect(ranking.rows[0]!.components.map((c) => c.component)).toEqual([
      'base',
      'invalidity',
      'seniority',
      'income',
      'dependants',
    ]);
    const one = await request(s.app)
      .get(`/v1/l68/ranking?on=${day}&taxCode=VRDLCU88C03E715C`)
      .set(auth('supervisor'));
    expect(one.body.rows).toEqual([expect.objectContaining({ position: 2, score: 85 })]);
    // Another office's officer asks for Lucca: refused; for their own: nobody. Integrators see no ranking.
    expect((await request(s.app).get('/v1/l68/ranking?office=lucca').set(auth('viareggio'))).status).toBe(
      403,
    );
    expect((await request(s.app).get('/v1/l68/ranking').set(auth('viareggio'))).body.rows).toEqual([]);
    expect((await request(s.app).get('/v1/l68/ranking').set(auth('integrator'))).status).toBe(403);
    expect((await request(s.app).get('/v1/l68/ranking?ruleVersion=9').set(auth('lucca'))).status).toBe(404);

    // The employer's year: next year, obligation from 1 January, return filed on time.
    const Y = Number(day.slice(0, 4)) + 1;
    const yearCase = {
      procedure: 'L68O',
      office: 'lucca',
      input: {
        employer: { taxCode: '01122334455', name: 'Vetreria Versilia srl', kind: 'private' },
        year: Y,
      },
    };
    const opened = await request(s.app).post('/v1/cases').set(auth('lucca')).send(yearCase);
    expect(opened.status).toBe(201);
    const caseId = (opened.body as CaseView).caseId;
    const again = await request(s.app).post('/v1/cases').set(auth('lucca')).send(yearCase);
    expect(again.status).toBe(422);

    await skipTo(`${Y}-01-20T10:00:00Z`);
    const ret = await request(s.app)
      .post(`/v1/cases/${caseId}/news`)
      .set(auth('lucca'))
      .send({
        type: 'return',
        data: {
          filedOn: `${Y}-01-20`,
          referenceDate: `${Y - 1}-12-31`,
          changed: true,
          workforce: { employees: 30, fixedTermUpTo6Months: 0, apprentices: 1, managers: 1, other: 0 },
          employedDisabled: 0,
          employedArt18: 0,
        },
      });
    expect(ret.status).toBe(200);
    let c = await readCaseUntil(
      s,
      caseId,
      principals.lucca,
      (x) => x.facts.quota !== null && x.facts.quota !== undefined,
    );
    expect(c.facts.quota).toMatchObject({ base: 28, disabled: 1 });
    expect(c.facts.sanctions).toEqual([]);

    // Past the 60 days: the first in the ranking is referred, and the board shows the employer uncovered.
    const term = c.deadlines.find((d) => d.id === 'sixty-days')!;
    await skipTo(term.dueAt);
    c = await readCaseUntil(
      s,
      caseId,
      principals.lucca,
      (x) => ((x.facts.referrals as unknown[]) ?? []).length === 1 && x.facts.compliance === 'uncovered',
    );
    expect(c.facts.referrals).toEqual([
      expect.objectContaining({
        taxCode: 'RSSMRA88C03E715A',
        rankingPosition: 1,
        status: 'referred',
        enrolmentCaseId: rossi,
      }),
    ]);
    let board = await request(s.app).get(`/v1/l68/compliance?year=${Y}`).set(auth('supervisor'));
    expect(board.body.items).toEqual([
      expect.objectContaining({
        caseId,
        compliance: 'uncovered',
        accruing: { from: addDays(term.due, 1), missing: 1 },
      }),
    ]);
    expect(board.body.items[0].accruingSoFar).toBeGreaterThan(0);
    const sent = await s.db.communications.find({ caseId, to: 'employer' }).lean();
    expect(sent).toHaveLength(1);

    // Hired: the sanction stops and is reported, she leaves the list, and the employer is covered.
    const hiredOn = await serverToday();
    const out = await request(s.app)
      .post(`/v1/cases/${caseId}/news`)
      .set(auth('lucca'))
      .send({
        type: 'referral-outcome',
        data: { taxCode: 'RSSMRA88C03E715A', outcome: 'hired', date: hiredOn },
      });
    expect(out.status).toBe(200);
    c = await readCaseUntil(s, caseId, principals.lucca, (x) => x.facts.compliance === 'covered');
    const placed = await readCaseUntil(s, rossi, principals.lucca, (x) => x.status === 'closed');
    expect(placed.outcome).toBe('placed');
    board = await request(s.app).get(`/v1/l68/compliance?year=${Y}&status=covered`).set(auth('supervisor'));
    expect(board.body.items).toHaveLength(1);

    // Reproducible: the ranking of the first day is the same; today's no longer has her.
    r = await request(s.app).get(`/v1/l68/ranking?on=${day}`).set(auth('lucca'));
    expect((r.body as L68Ranking).rows.map((x) => x.name)).toEqual([
      'Maria Rossi',
      'Lucia Verdi',
      'Gianni Bianchi',
    ]);
    r = await request(s.app).get(`/v1/l68/ranking?on=${hiredOn}`).set(auth('lucca'));
    ranking = r.body as L68Ranking;
    expect(ranking.rows.map((x) => x.name)).toEqual(['Lucia Verdi', 'Gianni Bianchi']);

    // An administrator publishes a new rule version (lower ISEE weighs more); the old day keeps version 1.
    const rules = await request(s.app).get('/v1/scoring-rules?scope=l68').set(auth('admin'));
    const { scope: _s, version: _v, publishedAt: _p, publishedBy: _b, ...v1 } = rules.body.items[0];
    const published = await request(s.app)
      .post('/v1/scoring-rules?scope=l68')
      .set(auth('admin'))
      .send({
        ...v1,
        title: 'ISEE heavier',
        validFrom: hiredOn,
        income: { ...v1.income, atZero: 60, perStep: -2 },
      });
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(2);
    expect((await request(s.app).get(`/v1/l68/ranking?on=${day}`).set(auth('lucca'))).body.ruleVersion).toBe(
      1,
    );
    const newer = (await request(s.app).get(`/v1/l68/ranking?on=${hiredOn}`).set(auth('lucca')))
      .body as L68Ranking;
    expect(newer.ruleVersion).toBe(2);
    expect(newer.rows.map((x) => x.name)).toEqual(['Lucia Verdi', 'Gianni Bianchi']);
    const badRule = await request(s.app)
      .post('/v1/scoring-rules?scope=l68')
      .set(auth('admin'))
      .send({ ...v1, order: 'sideways' });
    expect(badRule.status).toBe(400);
    expect(badRule.body.errors.map((e: { path: string }) => e.path)).toContain('order');
  }, 180_000);
});
