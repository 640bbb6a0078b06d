/**
 * Cases continued as new, on the Temporal dev server, with a lowered threshold: a collective dismissal follows its
 * workers' cases across several runs (their end signals arrive while it continues), a CIGS case through its
 * workers' training, an L. 68 enrolment and an employer's L. 68 year go on after many news; the state, the tasks, the deadlines and the numbering of the events
 * go on unbroken. No test here sleeps: time is real on this server.
 */
import { addDays } from '../../domain/dates';
import { cigsSteps } from '../support/cigs-steps';
import { mobSteps } from '../support/mob-steps';
import { cigsInput, dismissed, enrolmentInput, mobInput } from '../support/wage-inputs';
import {
  completeTask,
  openCase,
  openTask,
  sendNews,
  today,
  until,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';

const ctx = workflowSuite('dev');
const { child, listOf, workerRows, toPact } = mobSteps(ctx);

/** The statuses of every run of the case, oldest first. */
async function runsOf(caseId: string): Promise<string[]> {
  const runs: { at: number; status: string }[] = [];
  for await (const w of ctx.env.client.workflow.list({ query: `WorkflowId = '${caseId}'` }))
    runs.push({ at: w.startTime.getTime(), status: w.status.name });
  return runs.sort((a, b) => a.at - b.at).map((r) => r.status);
}

/** The events in the read model are numbered 1..n without gap, and the case's version is the last. */
async function expectUnbrokenEvents(caseId: string, version: number): Promise<void> {
  const events = await ctx.db.events.find({ caseId }).sort({ seq: 1 }).lean();
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(version).toBe(events.length);
  expect(await ctx.db.cases.findById(caseId).lean()).toMatchObject({ version });
}

describe('cases continued as new', () => {
  it('when its history passes the threshold while it follows its workers, then each new run carries the state, tasks, deadlines and event numbering on', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      // A lowered threshold (history events of one run): the case continues after opening its workers' cases,
      // and again whenever the reports of their ends lengthen the new run's history past it.
      const { caseId, handle, view } = await openCase(
        ctx,
        'licenziamentoCollettivo',
        mobInput({}, day0, 8),
        'lucca',
        [{ continueAsNewAfterEvents: 15 }],
      );
      const firstRun = (await handle.describe()).runId;
      let v = await completeTask(handle, openTask(view, 'mob-exam-request').taskId, 'requested', {
        requestDate: day0,
      });
      v = await completeTask(handle, openTask(v, 'mob-union-phase').taskId, 'agreement', {
        minutesDate: day0,
        selectionCriteria: 'Volunteers first, then seniority',
        agreedDismissalDays: 60,
      });
      const notified = addDays(day0, 10);
      v = await listOf(handle, v, {
        dismissalsNotifiedOn: notified,
        listSentOn: addDays(notified, 3),
        workers: [dismissed(1), dismissed(2), dismissed(3)],
      });
      const before = v;
      await until(handle, (p) => p.facts.workersOpened === 3);
      const rows = await workerRows(caseId, 3);

      // The first run ended by continuing as new; the case answers from the new run as it stood.
      const firstHandle = ctx.env.client.workflow.getHandle(caseId, firstRun);
      let first = await firstHandle.describe();
      for (let i = 0; i < 50 && first.status.name === 'RUNNING'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        first = await firstHandle.describe();
      }
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      const after = await until(handle, (p) => p.version >= before.version);
      expect((await handle.describe()).runId).not.toBe(firstRun);
      expect(after.tasks).toEqual(before.tasks);
      expect(after.deadlines).toEqual(before.deadlines);
      expect(after.checks).toEqual(before.checks);
      expect(after.facts.workersTotal).toBe(3);
      expect(after.step).toBe('take-in-charge of 3 worker(s)');

      // The workers' cases report to the case whichever run it is in, and it closes when they end.
      for (const [i, r] of rows.entries()) {
        const c = await until(child(String(r.memberCaseId)), (x) => x.facts.stage === 'awaiting-did');
        await sendNews(child(c.caseId), 'did', { date: addDays(notified, 1), naspi: false });
        await toPact(c.caseId, addDays(notified, 2));
        if (i < rows.length - 1) await until(handle, (p) => p.facts.workersEnded === i + 1);
      }
      const final = await handle.result();
      expect(final.outcome).toBe('completed');
      expect(final.facts.workersEndedByStage).toEqual({ 'pact-signed': 3 });
      expect(final.facts.workersEnded).toBe(3);

      // One numbering across the runs: no gap, no repeat, and the read model holds every event.
      const events = await ctx.db.events.find({ caseId }).sort({ seq: 1 }).lean();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[events.length - 1]?.type).toBe('CaseClosed');
      expect(final.version).toBe(events.length);
      // It went through several runs (the first continued after opening the cases, later ones on their reports).
      const runs = await runsOf(caseId);
      expect(runs.filter((r) => r === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
      const stored = await ctx.db.cases.findById(caseId).lean();
      expect(stored).toMatchObject({ status: 'closed', version: events.length });
      expect(await ctx.db.members.countDocuments({ caseId, stage: 'pact-signed' })).toBe(3);
    });
  });

  it('when an L. 68 enrolment takes many declarations, then the new runs keep its record, score and term, and it still leaves the list', async () => {
    await withWorker(ctx, async () => {
      const day = await today(ctx);
      const { caseId, handle, view } = await openCase(
        ctx,
        'iscrizioneCollocamentoMirato',
        enrolmentInput('PLCMRA85E05E715A', 'Mara Pieri', 60, day),
        'lucca',
        [{ continueAsNewAfterEvents: 20 }],
      );
      let v = await completeTask(handle, openTask(view, 'l68-check-documents').taskId, 'confirmed', {});
      expect(v.facts.status).toBe('enrolled');
      const term = v.deadlines.find((d) => d.id.startsWith('confirmation-'));
      expect(term?.status).toBe('pending');
      // Each declaration changes the score's inputs; together they lengthen the history past the threshold.
      for (let i = 1; i <= 6; i += 1) {
        v = await sendNews(handle, 'declaration', { from: day, isee: 8000 + i * 500, dependants: i % 3 });
      }
      const record = v.facts.record as { declarations: { isee: number }[] };
      expect(record.declarations.at(-1)?.isee).toBe(11000);
      expect((await runsOf(caseId)).filter((r) => r === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
      // The new run has the same term, the same record and score, and takes news as before.
      expect(v.deadlines.find((d) => d.id === term?.id)).toEqual(term);
      expect(v.facts.score).toMatchObject({ on: day });
      v = await sendNews(handle, 'leaving', { on: day, reason: 'moved' });
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'closed', outcome: 'left' });
      expect((final.facts.record as { leftOn: string }).leftOn).toBe(day);
      await expectUnbrokenEvents(caseId, final.version);
    });
  });

  it("when an employer's L. 68 year takes many news while a decision is open, then the new run keeps the quota, the sanctions and the open task", async () => {
    await withWorker(ctx, async () => {
      const day = await today(ctx);
      const Y = Number(day.slice(0, 4));
      const { caseId, handle } = await openCase(
        ctx,
        'obbligoCollocamentoMirato',
        { employer: { taxCode: '01234567890', name: 'Cartiera Serchio srl', kind: 'private' }, year: Y },
        'lucca',
        [{ continueAsNewAfterEvents: 40 }],
      );
      const firstRun = (await handle.describe()).runId;
      // This year's return is late (today): a sanction, the quota, and the 60 days long past.
      let v = await sendNews(handle, 'return', {
        filedOn: day,
        referenceDate: `${Y - 1}-12-31`,
        changed: true,
        workforce: { employees: 44, fixedTermUpTo6Months: 2, apprentices: 2, managers: 1, other: 0 },
        employedDisabled: 0,
        employedArt18: 0,
        vacancies: [{ profile: 'addetto magazzino', count: 2 }],
      });
      expect(v.facts.quota).toMatchObject({ base: 39, disabled: 2 });
      v = await sendNews(handle, 'exemption-request', {
        workers: 1,
        reason: 'quarry work',
        requestedOn: day,
      });
      const exemption = openTask(v, 'l68-exemption');
      // Requests for people not on the lists are refused at once, each a decision: the history grows.
      for (let i = 0; i < 8; i += 1) {
        v = await sendNews(handle, 'nominative-request', {
          taxCode: `XXXYYY80A0${i}E715Z`,
          name: `Nobody ${i}`,
          qualification: 'operaio',
          requestedOn: day,
        });
      }
      expect((await runsOf(caseId))[0]).toBe('CONTINUED_AS_NEW');
      expect((await handle.describe()).runId).not.toBe(firstRun);
      const before = v;
      expect(before.decisions.filter((d) => d.kind === 'clearance')).toHaveLength(8);
      // The task opened in the first run is decided in a later one, and the year counts it.
      v = await completeTask(handle, exemption.taskId, 'authorised', {
        workers: 1,
        from: day,
        to: `${Y}-12-31`,
      });
      expect(v.tasks.find((t) => t.taskId === exemption.taskId)?.status).toBe('completed');
      v = await until(handle, (x) => (x.facts.position as { exempted?: number } | null)?.exempted === 1);
      expect(v.facts.quota).toEqual(before.facts.quota);
      // The sanctions of the first run are kept; the exemption closed the accrual that ran until today.
      const sanctionsBefore = before.facts.sanctions as unknown[];
      expect(sanctionsBefore.length).toBeGreaterThanOrEqual(1);
      expect((v.facts.sanctions as unknown[]).slice(0, sanctionsBefore.length)).toEqual(sanctionsBefore);
      expect(v.deadlines).toEqual(before.deadlines);
      await ctx.env.client.workflow.getHandle(caseId).terminate('test over');
      const events = await ctx.db.events.find({ caseId }).sort({ seq: 1 }).lean();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    });
  });

  it('when a CIGS case records much attendance, then the new runs keep the absences of each worker and the ladder goes on', async () => {
    await withWorker(ctx, async () => {
      const { WORKERS, freshUnit, examineWithAgreement, fileWithMinistry, decree, attendance } = cigsSteps;
      const [A, B, C] = WORKERS.map((w) => w.taxCode) as [string, string, string];
      const day0 = await today(ctx);
      const input = cigsInput({ productionUnits: [freshUnit()] }, day0);
      const { caseId, handle, view } = await openCase(ctx, 'cigStraordinaria', input, 'lucca', [
        { continueAsNewAfterEvents: 40 },
      ]);
      let v = await examineWithAgreement(handle, view, day0);
      await sendNews(handle, 'region-opinion', {
        opinion: 'favourable',
        issuedOn: day0,
        reference: 'R',
        reasons: 'ok',
      });
      v = await fileWithMinistry(handle, v, day0);
      v = await sendNews(handle, 'ministry-decree', decree('authorised', day0, input.period));
      v = await completeTask(handle, openTask(v, 'cigs-training-plan').taskId, 'planned', {
        courses: [{ courseCode: 'RIQ-01', title: 'Recycled fibre', provider: 'Agenzia Lucca', hours: 80 }],
      });
      const firstRun = (await handle.describe()).runId;
      // Weekly sessions: A attends, C is absent with a reason; B misses the first without one.
      const session = (week: number) => addDays(input.period.from, 7 * week);
      v = await sendNews(handle, 'training-attendance', attendance(B, session(0), false, false));
      for (let week = 0; week < 6; week += 1) {
        await sendNews(handle, 'training-attendance', attendance(A, session(week), true));
        v = await sendNews(handle, 'training-attendance', attendance(C, session(week), false, true));
      }
      expect((await runsOf(caseId))[0]).toBe('CONTINUED_AS_NEW');
      expect((await handle.describe()).runId).not.toBe(firstRun);
      expect(v.facts).toMatchObject({
        workersListed: 3,
        workersSanctioned: 1,
        workersByStatus: { active: 3 },
      });
      // B's second unjustified absence, in a later run, is the second step of the ladder: the benefit is lost.
      v = await sendNews(handle, 'training-attendance', attendance(B, session(1), false, false));
      expect(v.facts.workersByStatus).toEqual({ active: 2, 'benefit-lost': 1 });
      const b = await ctx.db.members.findById(`${caseId}:${B}`).lean();
      expect(b?.stage).toBe('benefit-lost');
      expect((b?.lists?.sanctions ?? []).map((x) => x.sanction).sort()).toEqual([
        'loss-of-benefit',
        'loss-of-one-month',
      ]);
      expect((await ctx.db.members.findById(`${caseId}:${A}`).lean())?.lists?.attendance).toHaveLength(6);
      v = await sendNews(handle, 'suspension-ended', { endedOn: session(2), reason: 'Orders back' });
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'closed', outcome: 'authorised' });
      expect(final.outcomeReason).toMatch(/3 worker\(s\), 1 sanctioned/);
      await expectUnbrokenEvents(caseId, final.version);
    });
  });
});
