/**
 * Hiring into a public body from the office's ranking (art. 16 L. 56/1987; DPR 487/1994 arts. 23–32; procedures.md
 * §4) as one durable case: the notice and its window, the applications, the ranking and its objections, the
 * referrals in ranking order with replacements, until every post is filled or the ranking is exhausted.
 */
import type { CaseStart, CaseView, TaskView } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import type {
  Application,
  Art16StartInput,
  Candidate,
  Ranking,
  Referral,
} from '../domain/procedures/public-hiring';
import {
  ART16_RULES,
  applicationWindowRule,
  art16Forms,
  art16LimitsOn,
  art16Procedure,
  art16StartInput,
  ineligibility,
  nextCandidates,
  rank,
} from '../domain/procedures/public-hiring';
import { CaseKernel, caseActivities, refuse, startInput } from './kernel';

const { scoringRule } = caseActivities;

/** How long the case waits for a body's news before looking again at its convocation terms. */
const HORIZON_MS = 400 * 24 * 3600 * 1000;

export async function avviamentoSelezione(start: CaseStart): Promise<CaseView> {
  const input = startInput(art16StartInput, start, 'art. 16');
  const k = new CaseKernel(start, art16Procedure, {
    title: `Art. 16 ${input.body.name} – ${input.posts} × ${input.profile} (${input.contract})`,
    parties: [{ role: 'public body', name: input.body.name, identifier: input.body.taxCode }],
    keys: { body: input.body.taxCode },
  });
  return k.run(() => runArt16(k, input));
}

async function runArt16(k: CaseKernel, input: Art16StartInput): Promise<void> {
  const apps: Application[] = [];
  k.view.facts = {
    posts: input.posts,
    reservedPosts: input.reservedPosts,
    contract: input.contract,
    applications: apps,
    ranking: null,
    objections: [],
    referrals: [],
    hires: [],
  };

  // ---- the notice and its window (Reg. 7/R/2004 arts. 32–33) ----
  k.setStep('notice');
  const minimum = applicationWindowRule(input.contract, input.requestedOn).offset;
  k.checkTask(art16Forms.publish.key, (_o, data) => {
    const days = data.windowDays;
    if (typeof days === 'number' && days < minimum) {
      refuse('InvalidFormData', 'the window is shorter than the law allows', [
        { path: 'data.windowDays', message: `must be at least ${minimum} days for ${input.contract} posts` },
      ]);
    }
  });
  const publish = k.openTask(art16Forms.publish);
  await k.waitForTask(publish);
  const publishedOn = String(publish.data?.publishedOn);
  const windowRule = applicationWindowRule(input.contract, publishedOn);
  const days = typeof publish.data?.windowDays === 'number' ? publish.data.windowDays : windowRule.offset;
  const window = k.setDeadline(
    'applications',
    { ...windowRule, offset: days },
    publishedOn,
    'Later applications are refused',
  );
  k.recordDocument(
    'notice',
    `Notice published (${(publish.data?.where as string[]).join(', ')})`,
    publishedOn,
    null,
  );
  k.view.facts.publishedOn = publishedOn;
  k.view.facts.applicationsClose = window.due;

  k.setStep('applications open');
  const closesAt = Date.parse(window.dueAt);
  const byTaxCode = new Map<string, string>();
  k.acceptNews('application', (data) => {
    if (Date.now() > closesAt) refuse('NewsNotExpected', `applications closed on ${window.due}`);
    const c = data.candidate as Candidate;
    const earlier = byTaxCode.get(c.taxCode);
    if (earlier) refuse('AlreadyApplied', `${c.taxCode} already applied to this notice (${earlier})`);
  });
  for (;;) {
    const news = await k.nextNews(['application'], closesAt);
    if (!news) break;
    const c = news.data.candidate as Candidate;
    const applicationNo = `A${String(apps.length + 1).padStart(4, '0')}`;
    if (byTaxCode.has(c.taxCode)) continue; // two copies in one batch: the first one counts
    byTaxCode.set(c.taxCode, applicationNo);
    const reasons = ineligibility(c, publishedOn, input.region);
    apps.push({
      applicationNo,
      candidate: c,
      submittedOn: String(news.data.submittedOn),
      excluded: reasons.length ? reasons : null,
    });
    k.emit(
      'ApplicationReceived',
      `Application ${applicationNo}: ${reasons.length ? `excluded (${reasons.join('; ')})` : 'admitted'}`,
      { applicationNo, admitted: reasons.length === 0, reasons },
    );
  }
  k.stopAcceptingNews('application');
  k.markDeadline(window, 'met', `${apps.length} application(s)`);

  // ---- the ranking, its objections and the final ranking ----
  k.setStep('provisional ranking');
  const rule = await scoringRule({ scope: 'art16', on: publishedOn });
  let ranking = rank(rule, apps, publishedOn);
  publishRanking(k, ranking, 'provisional');
  if (ranking.rows.length === 0) {
    k.close('no-candidates', `no eligible application among ${apps.length}`);
    return;
  }
  const limits = art16LimitsOn(publishedOn);
  const objectionTerm = k.setDeadline(
    'objections',
    { ...ART16_RULES.objections, offset: limits.objectionDays },
    k.today,
    'The ranking becomes final once every objection is decided',
  );
  k.setStep('objections');
  const objections: { applicationNo: string; grounds: string; task: TaskView }[] = [];
  k.acceptNews('objection', (data) => {
    if (Date.now() > Date.parse(objectionTerm.dueAt))
      refuse('NewsNotExpected', `objections closed on ${objectionTerm.due}`);
    if (!apps.some((a) => a.applicationNo === data.applicationNo)) {
      refuse('InvalidFormData', 'no such application', [
        { path: 'data.applicationNo', message: 'is not an application to this notice' },
      ]);
    }
  });
  for (;;) {
    const news = await k.nextNews(['objection'], Date.parse(objectionTerm.dueAt));
    if (!news) break;
    const task = k.openTask(art16Forms.objection);
    task.title = `Decide the objection of ${String(news.data.applicationNo)}`;
    objections.push({
      applicationNo: String(news.data.applicationNo),
      grounds: String(news.data.grounds),
      task,
    });
    k.view.facts.objections = objections.map(objectionView);
  }
  k.stopAcceptingNews('objection');
  k.markDeadline(objectionTerm, 'met', `${objections.length} objection(s)`);
  for (const o of objections) await k.waitForTask(o.task);
  k.view.facts.objections = objections.map(objectionView);
  for (const o of objections.filter((x) => x.task.outcome === 'upheld')) {
    const app = apps.find((a) => a.applicationNo === o.applicationNo);
    if (app) correct(app, (o.task.data?.corrections ?? {}) as Record<string, unknown>);
  }
  // The same rule version and reference day: only the corrected data can move anyone.
  ranking = rank(rule, apps, publishedOn);
  publishRanking(k, ranking, 'final');

  await referrals(k, input, ranking, publishedOn);
}

function objectionView(o: {
  applicationNo: string;
  grounds: string;
  task: TaskView;
}): Record<string, unknown> {
  return {
    applicationNo: o.applicationNo,
    grounds: o.grounds,
    taskId: o.task.taskId,
    decision: o.task.outcome,
    reasons: o.task.data?.reasons ?? null,
  };
}

/**
 * An upheld objection corrects the declared data that the score reads; an excluded candidate comes back only when
 * the officer readmits them (the corrections do not touch what eligibility reads).
 */
function correct(app: Application, fix: Record<string, unknown>): void {
  const c: Candidate = { ...app.candidate };
  if (fix.isee === null) delete c.isee;
  else if (typeof fix.isee === 'number') c.isee = fix.isee;
  if (typeof fix.dependants === 'number') c.dependants = fix.dependants;
  if (typeof fix.disabledDependants === 'number') c.disabledDependants = fix.disabledDependants;
  if (fix.unemployedSince === null) delete c.unemployedSince;
  else if (typeof fix.unemployedSince === 'string') c.unemployedSince = fix.unemployedSince;
  app.candidate = c;
  if (fix.readmitted === true) app.excluded = null;
}

function publishRanking(k: CaseKernel, ranking: Ranking, status: 'provisional' | 'final'): void {
  k.view.facts.ranking = { status, publishedOn: k.today, ...ranking };
  k.recordDocument(
    'ranking',
    `${status === 'final' ? 'Final' : 'Provisional'} ranking (rule v${ranking.ruleVersion})`,
    k.today,
    null,
  );
  k.emit(
    'RankingPublished',
    `${status} ranking: ${ranking.rows.length} ranked, ${ranking.excluded.length} excluded`,
    {
      status,
      ruleVersion: ranking.ruleVersion,
      top: ranking.rows
        .slice(0, 5)
        .map((r) => ({ position: r.position, applicationNo: r.applicationNo, score: r.score })),
    },
  );
}

/**
 * DPR 487/1994 arts. 25–27, 32: referrals in ranking order (twice the ordinary posts; as many as the L. 68 reserved
 * posts from the L. 68 enrolled), the body's convocation within 10 days, and a replacement for every failure.
 */
async function referrals(
  k: CaseKernel,
  input: Art16StartInput,
  ranking: Ranking,
  publishedOn: IsoDate,
): Promise<void> {
  const ratio = art16LimitsOn(publishedOn).referralRatio;
  const list: (Referral & { convened: boolean })[] = [];
  const referred = new Set<string>();
  const hires: { applicationNo: string; name: string; date: string }[] = [];
  const rounds: { round: number; deadlineId: string }[] = [];
  k.view.facts.referrals = list;
  k.view.facts.hires = hires;
  let round = 0;
  const refer = (count: number, l68: boolean): number => {
    const rows = nextCandidates(ranking, referred, count, l68);
    if (rows.length === 0) return 0;
    round += 1;
    for (const r of rows) {
      referred.add(r.applicationNo);
      list.push({
        applicationNo: r.applicationNo,
        name: r.name,
        round,
        reserved: l68 ? 'l68' : null,
        referredOn: k.today,
        status: 'referred',
        convened: false,
      });
    }
    const term = k.setDeadline(
      `convocation-${round}`,
      ART16_RULES.convocation,
      k.today,
      'A reminder task asks the officer to remind the body',
    );
    rounds.push({ round, deadlineId: term.id });
    k.emit(
      'ReferralMade',
      `Referral ${round}: ${rows.map((r) => r.applicationNo).join(', ')}${l68 ? ' (L. 68 reserved posts)' : ''}`,
      {
        round,
        applicationNos: rows.map((r) => r.applicationNo),
        reserved: l68 ? 'l68' : null,
      },
    );
    return rows.length;
  };
  const pending = (l68: boolean) =>
    list.filter((r) => r.status === 'referred' && (r.reserved === 'l68') === l68).length;
  const filled = (l68: boolean) =>
    list.filter((r) => r.status === 'suitable' && (r.reserved === 'l68') === l68).length;
  const l68Posts = input.reservedPosts.l68;
  const ordinaryPosts = input.posts - l68Posts;
  /** Keeps enough candidates with the body: the ratio for ordinary posts, one each for reserved ones. */
  const topUp = (): void => {
    const l68Need = l68Posts - filled(true) - pending(true);
    if (l68Need > 0) refer(l68Need, true);
    const ordinaryNeed = (ordinaryPosts - filled(false)) * ratio - pending(false);
    if (ordinaryNeed > 0) refer(ordinaryNeed, false);
  };

  k.setStep('referrals');
  topUp();
  k.acceptNews('convened');
  k.acceptNews('test-outcome', (data) => {
    const r = list.find((x) => x.applicationNo === data.applicationNo);
    if (!r) {
      refuse('InvalidFormData', 'the candidate was not referred', [
        { path: 'data.applicationNo', message: 'was not referred to the body' },
      ]);
    }
    if (r.status !== 'referred')
      refuse('NewsNotExpected', `${r.applicationNo} already has an outcome (${r.status})`);
  });
  const done = (): boolean => filled(true) + filled(false) >= input.posts;
  while (!done() && list.some((r) => r.status === 'referred')) {
    const nextTerm = rounds
      .map((x) => k.deadline(x.deadlineId))
      .filter((d) => d.status === 'pending')
      .map((d) => Date.parse(d.dueAt))
      .sort((a, b) => a - b)[0];
    const news = await k.nextNews(['test-outcome', 'convened'], nextTerm ?? Date.now() + HORIZON_MS);
    if (!news) {
      // A convocation term ran out: a round whose candidates are not all convened.
      for (const x of rounds) {
        const d = k.deadline(x.deadlineId);
        if (d.status !== 'pending' || Date.parse(d.dueAt) > Date.now()) continue;
        k.markDeadline(d, 'missed', 'not every referred candidate was convened');
        if (!k.view.tasks.some((t) => t.key === art16Forms.chaseBody.key && t.status === 'open'))
          k.openTask(art16Forms.chaseBody);
      }
      continue;
    }
    if (news.type === 'convened') {
      const nos = new Set(news.data.applicationNos as string[]);
      for (const r of list) if (nos.has(r.applicationNo)) r.convened = true;
      for (const x of rounds) {
        const d = k.deadline(x.deadlineId);
        if (d.status === 'pending' && list.filter((r) => r.round === x.round).every((r) => r.convened)) {
          k.markDeadline(d, 'met', `test on ${String(news.data.testOn)}`);
        }
      }
      k.recordDocument(
        'convocation',
        `Suitability test on ${String(news.data.testOn)} at ${String(news.data.place)}`,
        String(news.data.testOn),
        null,
      );
      continue;
    }
    const r = list.find((x) => x.applicationNo === news.data.applicationNo);
    if (!r || r.status !== 'referred') continue;
    r.status = news.data.outcome as Referral['status'];
    if (r.status === 'suitable')
      hires.push({ applicationNo: r.applicationNo, name: r.name, date: String(news.data.date) });
    k.emit('TestOutcomeRecorded', `${r.applicationNo}: ${r.status}`, {
      applicationNo: r.applicationNo,
      outcome: r.status,
    });
    // Art. 27 c.4: every failure is replaced from the same ranking.
    if (!done()) topUp();
  }
  for (const t of k.view.tasks) if (t.key === art16Forms.chaseBody.key) k.cancelTask(t, 'referrals ended');
  for (const x of rounds) {
    const d = k.deadline(x.deadlineId);
    if (d.status === 'pending') k.markDeadline(d, 'cancelled');
  }
  for (const r of list) if (r.status === 'referred') r.status = 'not-needed';
  k.stopAcceptingNews('convened');
  k.stopAcceptingNews('test-outcome');
  const names = hires.map((h) => `${h.applicationNo} ${h.name}`).join(', ');
  if (done()) k.close('filled', `${hires.length} post(s) filled: ${names}`);
  else
    k.close(
      'ranking-exhausted',
      `${hires.length} of ${input.posts} post(s) filled${names ? `: ${names}` : ''}; no one left to refer`,
    );
}
