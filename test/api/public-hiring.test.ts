/**
 * An art. 16 notice with 50 applications end to end through the API on the real stack: the request, the
 * notice, applications from a candidates' portal, the ranking explained score by score, the public view without
 * personal data, a new scoring-rule version published by an administrator, and the referrals to the hires.
 * The notice's windows last days, so this suite's stack runs on a time-skipping Temporal server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { romeDate } from '../../domain/dates';
import { DEFAULT_SCORING_RULE } from '../../domain/procedures/public-hiring';
import type { ApiStack } from '../support/api-env';
import { principals, readCaseUntil, startTimeSkippingApiStack } from '../support/api-env';
import { art16Input, candidate } from '../support/wage-inputs';

let s: ApiStack;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  ({ s, env } = await startTimeSkippingApiStack());
}, 120_000);
afterAll(() => s?.close());

/** Skips the server's time to an hour past a deadline of the case (no wall-clock waiting). */
async function skipPast(caseId: string, deadlineId: string): Promise<void> {
  const c = await request(s.app).get(`/v1/cases/${caseId}`).set(auth('lucca'));
  const d = (c.body as CaseView).deadlines.find((x) => x.id === deadlineId);
  if (!d) throw new Error(`no deadline ${deadlineId}`);
  const hours = Math.ceil((Date.parse(d.dueAt) - (await env.currentTimeMs())) / 3_600_000) + 1;
  const moved = await request(s.app)
    .post('/v1/dev/clock')
    .set(auth('admin'))
    .send({ days: Math.floor(hours / 24), hours: hours % 24 });
  expect(moved.status).toBe(200);
  expect(Date.parse(moved.body.now)).toBeGreaterThan(Date.parse(d.dueAt));
}

const settledCase = (caseId: string, pred: (c: CaseView) => boolean) =>
  readCaseUntil(s, caseId, principals.lucca, pred);

const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
const today = () => romeDate(Date.now());

describe('art. 16 through the API', () => {
  it('when 50 candidates apply, then the ranking is explained score by score, published without personal data, and referrals fill the posts', async () => {
    const day = today();
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('integrator'))
      .send({ procedure: 'ART16', office: 'lucca', input: art16Input({ posts: 2 }, day) });
    expect(created.status).toBe(201);
    const caseId = created.body.caseId as string;
    const publish = (created.body as CaseView).tasks.find((t) => t.key === 'art16-publish-notice');
    const published = await request(s.app)
      .post(`/v1/tasks/${publish!.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome: 'published', data: { publishedOn: day, where: ['CPI Lucca board', 'ARTI website'] } });
    expect(published.body.step).toBe('applications open');

    const notices = await request(s.app).get('/v1/notices').set(auth('otherIntegrator'));
    expect(notices.body.items.map((n: { caseId: string }) => n.caseId)).toContain(caseId);

    // 50 applications from the candidates' portal (another integrator), one ineligible, one repeated.
    for (let i = 1; i <= 50; i += 1) {
      const res = await request(s.app)
        .post(`/v1/notices/${caseId}/applications`)
        .set(auth('otherIntegrator'))
        .send({
          candidate: candidate(i, i === 50 ? { registeredRegion: 'Liguria' } : {}),
          submittedOn: day,
          channel: 'portal',
        });
      expect(res.status).toBe(202);
      expect(res.body.applicationNo).toBe(`A${String(i).padStart(4, '0')}`);
      expect(res.body.admitted).toBe(i !== 50);
    }
    const again = await request(s.app)
      .post(`/v1/notices/${caseId}/applications`)
      .set(auth('otherIntegrator'))
      .send({ candidate: candidate(7), submittedOn: day, channel: 'portal' });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:cpi-casework:problem:already-applied');
    const bad = await request(s.app)
      .post(`/v1/notices/${caseId}/applications`)
      .set(auth('otherIntegrator'))
      .send({
        candidate: { ...candidate(99), isee: -5, taxCode: 'nope' },
        submittedOn: day,
        channel: 'portal',
      });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['candidate.isee', 'candidate.taxCode']),
    );
    expect(
      (await request(s.app).get(`/v1/notices/${caseId}/ranking`).set(auth('otherIntegrator'))).status,
    ).toBe(404);

    // An administrator publishes version 2 today: this notice keeps the version in force on its publication day.
    const v2 = await request(s.app)
      .post('/v1/scoring-rules')
      .set(auth('admin'))
      .send({ ...withoutMeta(DEFAULT_SCORING_RULE), title: 'Tuscany draft', validFrom: '2099-01-01' });
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);
    expect(
      (
        await request(s.app)
          .post('/v1/scoring-rules')
          .set(auth('lucca'))
          .send(withoutMeta(DEFAULT_SCORING_RULE))
      ).status,
    ).toBe(403);
    const versions = await request(s.app).get('/v1/scoring-rules').set(auth('lucca'));
    expect(versions.body.items.map((r: { version: number }) => r.version)).toEqual([1, 2]);

    const c = await request(s.app).get(`/v1/cases/${caseId}`).set(auth('lucca'));
    expect((c.body.facts.applications as unknown[]).length).toBe(50);
    // The body's portal follows its case without the candidates' declarations.
    const asBody = await request(s.app).get(`/v1/cases/${caseId}`).set(auth('integrator'));
    expect(asBody.body.facts.applications).toBeUndefined();

    expect((await request(s.app).post('/v1/dev/clock').set(auth('lucca')).send({ days: 1 })).status).toBe(
      403,
    );
    // The window closes: the provisional ranking, with rule version 1 (in force on the publication day).
    await skipPast(caseId, 'applications');
    let v = await settledCase(caseId, (x) => x.step === 'objections');
    const late = await request(s.app)
      .post(`/v1/notices/${caseId}/applications`)
      .set(auth('otherIntegrator'))
      .send({ candidate: candidate(60), submittedOn: day, channel: 'portal' });
    expect(late.status).toBe(409);
    const pub = await request(s.app).get(`/v1/notices/${caseId}/ranking`).set(auth('otherIntegrator'));
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ status: 'provisional', ruleVersion: 1, excluded: ['A0050'] });
    expect(pub.body.rows).toHaveLength(49);
    expect(JSON.stringify(pub.body)).not.toMatch(/isee|CNDDTE|Candidate \d/);

    // Every score explains itself, component by component.
    const first = pub.body.rows[0] as { applicationNo: string; score: number };
    const row = await request(s.app)
      .get(`/v1/cases/${caseId}/ranking/${first.applicationNo}`)
      .set(auth('lucca'));
    expect(row.body.ruleVersion).toBe(1);
    const sum = (row.body.components as { points: number }[]).reduce((t, x) => t + x.points, 0);
    expect(Math.round(sum * 100) / 100).toBe(first.score);
    expect(
      (await request(s.app).get(`/v1/cases/${caseId}/ranking/${first.applicationNo}`).set(auth('integrator')))
        .status,
    ).toBe(403);

    // One objection, rejected; then the final ranking and the referrals (2 posts × 2).
    const obj = await request(s.app)
      .post(`/v1/notices/${caseId}/objections`)
      .set(auth('otherIntegrator'))
      .send({
        applicationNo: 'A0050',
        grounds: 'I am registered in Tuscany',
        submittedOn: romeDate(await env.currentTimeMs()),
      });
    expect(obj.status).toBe(202);
    v = (await request(s.app).get(`/v1/cases/${caseId}`).set(auth('lucca'))).body as CaseView;
    const objectionTask = v.tasks.find((t) => t.key === 'art16-objection' && t.status === 'open');
    await request(s.app)
      .post(`/v1/tasks/${objectionTask!.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome: 'rejected', data: { reasons: 'Registered in Liguria on the publication day' } });
    await skipPast(caseId, 'objections');
    v = await settledCase(caseId, (x) => x.step === 'referrals');
    const referred = (v.facts.referrals as { applicationNo: string }[]).map((r) => r.applicationNo);
    expect(referred).toEqual(
      (pub.body.rows as { applicationNo: string }[]).slice(0, 4).map((r) => r.applicationNo),
    );

    // The body reports the tests: one unsuitable is replaced by the fifth; two suitable fill the posts.
    const news = (type: string, data: object) =>
      request(s.app).post(`/v1/cases/${caseId}/news`).set(auth('integrator')).send({ type, data });
    const testDay = romeDate(await env.currentTimeMs());
    expect(
      (await news('convened', { applicationNos: referred, testOn: testDay, place: 'Capannori' })).status,
    ).toBe(200);
    expect(
      (await news('test-outcome', { applicationNo: referred[0], outcome: 'unsuitable', date: testDay }))
        .status,
    ).toBe(200);
    expect(
      (await news('test-outcome', { applicationNo: referred[1], outcome: 'absent', date: testDay })).status,
    ).toBe(200);
    v = (await news('test-outcome', { applicationNo: referred[2], outcome: 'suitable', date: testDay }))
      .body as CaseView;
    expect((v.facts.referrals as unknown[]).length).toBe(6);
    v = (await news('test-outcome', { applicationNo: referred[3], outcome: 'suitable', date: testDay }))
      .body as CaseView;
    expect(v.status).toBe('closed');
    expect(v.outcome).toBe('filled');
    expect(v.outcomeReason).toMatch(new RegExp(`${referred[2]}.*${referred[3]}`));
  });
});

function withoutMeta(rule: typeof DEFAULT_SCORING_RULE): Record<string, unknown> {
  const { scope: _s, version: _v, publishedAt: _p, publishedBy: _b, ...rest } = rule;
  return rest;
}
