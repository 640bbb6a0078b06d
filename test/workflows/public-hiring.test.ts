/**
 * Art. 16 hiring on the time-skipping server: the window (too short refused, late applications refused), one
 * application per person, an objection that changes the order, referrals with failures and replacements, the
 * body's convocation term, and a ranking exhausted before the posts are filled.
 */
import type { CaseView } from '../../domain/case-model';
import type { Ranking } from '../../domain/procedures/public-hiring';
import { art16Input, candidate } from '../support/wage-inputs';
import type { Handle } from '../support/workflow-env';
import {
  completeTask,
  openCase,
  openTask,
  recordHistory,
  refusal,
  sendNews,
  sleepPastDeadline,
  today,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';

const ctx = workflowSuite();

const apply = (h: Handle, i: number, day: string, over = {}) =>
  sendNews(h, 'application', { candidate: candidate(i, over), submittedOn: day, channel: 'portal' });
const ranking = (v: CaseView) => v.facts.ranking as Ranking & { status: string };
const order = (v: CaseView) => ranking(v).rows.map((r) => r.applicationNo);
const outcome = (h: Handle, applicationNo: string, result: string, date: string) =>
  sendNews(h, 'test-outcome', { applicationNo, outcome: result, date });

async function publish(h: Handle, v: CaseView, day: string): Promise<CaseView> {
  const task = openTask(v, 'art16-publish-notice');
  expect(
    await refusal(
      completeTask(h, task.taskId, 'published', { publishedOn: day, where: ['CPI board'], windowDays: 5 }),
    ),
  ).toBe('InvalidFormData');
  return completeTask(h, task.taskId, 'published', {
    publishedOn: day,
    where: ['CPI board', 'ARTI website'],
  });
}

describe('art. 16 workflow', () => {
  it('when an objection corrects a declaration, then the final ranking reorders, and failures at the test are replaced from it until both posts are filled', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle, view } = await openCase(ctx, 'avviamentoSelezione', art16Input({}, day0));
      let v = await publish(handle, view, day0);
      expect(v.step).toBe('applications open');
      expect(v.deadlines.find((d) => d.id === 'applications')?.ruleId).toBe('art16-window-fixed-term');

      for (let i = 1; i <= 5; i += 1) await apply(handle, i, day0);
      v = await apply(handle, 6, day0, { compulsorySchooling: false });
      expect(await refusal(apply(handle, 3, day0))).toBe('AlreadyApplied');
      const apps = v.facts.applications as { applicationNo: string; excluded: string[] | null }[];
      expect(apps.map((a) => a.excluded === null)).toEqual([true, true, true, true, true, false]);

      v = await sleepPastDeadline(ctx, handle, 'applications');
      expect(await refusal(apply(handle, 7, day0))).toBe('NewsNotExpected');
      expect(v.step).toBe('objections');
      expect(ranking(v)).toMatchObject({ status: 'provisional', ruleVersion: 1 });
      expect(ranking(v).excluded).toEqual([
        { applicationNo: 'A0006', reasons: ['compulsory schooling not declared'] },
      ]);
      const provisional = order(v);
      const last = provisional[provisional.length - 1]!;

      // The last one objects: an ISEE of zero and three dependants, upheld by the officer.
      v = await sendNews(handle, 'objection', {
        applicationNo: last,
        grounds: 'ISEE 2026 is zero',
        submittedOn: await today(ctx),
      });
      const task = openTask(v, 'art16-objection');
      v = await sleepPastDeadline(ctx, handle, 'objections');
      expect(v.step).toBe('objections'); // the objection is still undecided
      v = await completeTask(handle, task.taskId, 'upheld', {
        reasons: 'ISEE certificate checked',
        corrections: { isee: 0, dependants: 3 },
      });
      expect(ranking(v).status).toBe('final');
      expect(order(v)[0]).toBe(last);
      expect(order(v).indexOf(last)).toBeLessThan(provisional.indexOf(last));

      // Two posts: four referred in ranking order.
      const final = order(v);
      const referrals = () => v.facts.referrals as { applicationNo: string; status: string; round: number }[];
      expect(referrals().map((r) => r.applicationNo)).toEqual(final.slice(0, 4));
      v = await sendNews(handle, 'convened', {
        applicationNos: final.slice(0, 4),
        testOn: await today(ctx),
        place: 'Capannori depot',
      });
      expect(v.deadlines.find((d) => d.id === 'convocation-1')?.status).toBe('met');
      const day = await today(ctx);
      v = await outcome(handle, final[0]!, 'suitable', day);
      v = await outcome(handle, final[1]!, 'unsuitable', day);
      expect(referrals()).toHaveLength(4); // still two with the body for the one post left
      v = await outcome(handle, final[2]!, 'absent', day);
      expect(referrals().map((r) => r.applicationNo)).toEqual(final.slice(0, 5));
      expect(await refusal(outcome(handle, final[2]!, 'suitable', day))).toBe('NewsNotExpected');
      v = await outcome(handle, final[3]!, 'renounced', day);
      v = await outcome(handle, final[4]!, 'suitable', day);
      const done = await handle.result();
      expect(done.outcome).toBe('filled');
      expect((done.facts.hires as { applicationNo: string }[]).map((h) => h.applicationNo)).toEqual([
        final[0],
        final[4],
      ]);
      recordHistory(ctx, caseId, 'art16-v2-filled.json');
    });
  });

  it('when the body does not convene in time and every candidate fails, then it is reminded and the ranking ends exhausted', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await openCase(ctx, 'avviamentoSelezione', art16Input({ posts: 1 }, day0));
      await publish(handle, view, day0);
      await apply(handle, 11, day0);
      await apply(handle, 12, day0);
      await sleepPastDeadline(ctx, handle, 'applications');
      let v = await sleepPastDeadline(ctx, handle, 'objections');
      expect(v.step).toBe('referrals');
      v = await sleepPastDeadline(ctx, handle, 'convocation-1');
      expect(v.deadlines.find((d) => d.id === 'convocation-1')?.status).toBe('missed');
      expect(openTask(v, 'art16-chase-body').status).toBe('open');
      const [a, b] = order(v);
      const day = await today(ctx);
      await outcome(handle, a!, 'unsuitable', day);
      await outcome(handle, b!, 'absent', day);
      const final = await handle.result();
      expect(final.outcome).toBe('ranking-exhausted');
      expect(final.outcomeReason).toMatch(/0 of 1 post\(s\) filled/);
      expect(final.tasks.find((t) => t.key === 'art16-chase-body')?.status).toBe('cancelled');
    });
  });
});
