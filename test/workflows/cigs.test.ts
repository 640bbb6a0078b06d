/**
 * CIGS on the time-skipping server: the joint examination and its terms, the Region's opinion in time, late or
 * missing, the application and its 30th day, the decree in every outcome, the caps over earlier cases, the
 * transition agreement and the training conditionality. Activities write to a real MongoDB-wire database.
 */
import { addDays, endOfRomeDay } from '../../domain/dates';
import { cigsInput } from '../support/wage-inputs';
import {
  completeTask,
  openCase,
  openTask,
  recordHistory,
  refusal,
  sendNews,
  sleepPastDeadline,
  sleepPastInstant,
  today,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';
import { seedCases } from '../support/seed-cases';
import { cigsSteps } from '../support/cigs-steps';

const ctx = workflowSuite();

const { WORKERS, freshUnit, minutes, examineWithAgreement, fileWithMinistry, decree, attendance } = cigsSteps;
const [A, B, C] = WORKERS.map((w) => w.taxCode) as [string, string, string];

describe('CIGS workflow', () => {
  it('when everything comes in time, then the decree starts the training period and absences walk the sanction ladder', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const input = cigsInput({ productionUnits: [freshUnit()] }, day0);
      const { caseId, handle, view } = await open(input);
      expect(view.step).toBe('request for the joint examination');
      expect(view.facts.examinationBody).toBe('Regione Toscana');
      expect(view.checks.filter((c) => c.result === 'ok').map((c) => c.id.split(':')[1])).toEqual([
        'cause-cap',
        'overall-cap',
      ]);
      expect(view.deadlines.find((d) => d.id === 'exam-request')?.legalBasis).toBe(
        'D.Lgs. 148/2015 art. 24 c.2',
      );

      let v = await examineWithAgreement(handle, view, day0);
      expect(v.step).toBe('application to the Ministry');
      expect(v.facts.agreement).toBe(true);
      const consultation = v.deadlines.find((d) => d.id === 'consultation');
      expect(consultation).toMatchObject({ status: 'met', legalBasis: 'D.Lgs. 148/2015 art. 24 c.5' });
      expect(v.deadlines.find((d) => d.id === 'application')?.legalBasis).toBe('D.Lgs. 148/2015 art. 25 c.1');

      // The Region's opinion may arrive while the application is still awaited.
      v = await sendNews(handle, 'region-opinion', {
        opinion: 'favourable',
        issuedOn: day0,
        reference: 'RT-2026-1',
        reasons: 'Credible programme',
      });
      expect(v.step).toBe('application to the Ministry');

      v = await fileWithMinistry(handle, v, day0);
      expect(v.step).toBe('awaiting the Ministry decree');
      expect(v.decisions.find((d) => d.kind === 'region-opinion')?.outcome).toBe('favourable');
      expect(v.checks.find((c) => c.id === 'start-after-filing')?.result).toBe('ok');
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('met');

      v = await sendNews(handle, 'ministry-decree', decree('authorised', day0, input.period));
      expect(v.step).toBe('training plan');
      expect(v.facts.authorisedPeriod).toEqual(input.period);

      // A plan naming a worker who is not on the list is refused and changes nothing.
      const plan = openTask(v, 'cigs-training-plan');
      const course = {
        courseCode: 'RIQ-01',
        title: 'Recycled-fibre lines',
        provider: 'Agenzia formativa Lucca',
        hours: 80,
      };
      expect(
        await refusal(
          completeTask(handle, plan.taskId, 'planned', {
            courses: [{ ...course, workers: ['XXXXXX80A01E715X'] }],
          }),
        ),
      ).toBe('InvalidFormData');
      v = await completeTask(handle, plan.taskId, 'planned', { courses: [course] });
      expect(v.step).toBe('CIGS running: training obligations');

      const s1 = addDays(input.period.from, 7);
      const s2 = addDays(input.period.from, 14);
      await sendNews(handle, 'training-attendance', attendance(A, s1, true));
      await sendNews(handle, 'training-attendance', attendance(C, s1, false, true));
      v = await sendNews(handle, 'training-attendance', attendance(B, s1, false, false));
      let b = await workerRow(caseId, B);
      expect(b.sanctions.map((s) => s.sanction)).toEqual(['loss-of-one-month']);
      expect(b.stage).toBe('active');
      expect(v.facts).toMatchObject({
        workersListed: 3,
        workersSanctioned: 1,
        workersByStatus: { active: 3 },
      });
      v = await sendNews(handle, 'training-attendance', attendance(B, s2, false, false));
      b = await workerRow(caseId, B);
      expect(b.sanctions.map((s) => s.sanction)).toEqual(['loss-of-one-month', 'loss-of-benefit']);
      expect(b.stage).toBe('benefit-lost');
      expect(b.sanctions.every((s) => s.reference?.startsWith('OUT-'))).toBe(true);
      expect(v.facts.workersByStatus).toEqual({ active: 2, 'benefit-lost': 1 });

      // No more news for a worker who lost the benefit, nor for strangers or other courses.
      expect(await refusal(sendNews(handle, 'training-attendance', attendance(B, s2, true)))).toBe(
        'NewsNotExpected',
      );
      expect(
        await refusal(sendNews(handle, 'training-attendance', attendance('XXXXXX80A01E715X', s2, true))),
      ).toBe('InvalidFormData');
      expect(
        await refusal(
          sendNews(handle, 'training-attendance', { ...attendance(A, s2, true), courseCode: 'OTHER' }),
        ),
      ).toBe('InvalidFormData');

      const sent = await ctx.db.communications.find({ caseId, to: 'INPS' }).lean();
      expect(sent.map((m) => m.subject)).toEqual([
        'Conditionality sanction: Loss of one month of benefit',
        'Conditionality sanction: Loss of the benefit',
      ]);
      // Each worker is a row of their own with their attendance; the case document keeps only counts.
      const rows = await ctx.db.members.find({ caseId }).sort({ key: 1 }).lean();
      expect(Object.fromEntries(rows.map((r) => [r.key, r.lists?.attendance?.length]))).toEqual({
        [A]: 1,
        [B]: 2,
        [C]: 1,
      });
      expect((await ctx.db.cases.findById(caseId).lean())?.facts.workers).toBeUndefined();

      // The case ends with the authorised period.
      await sleepPastInstant(ctx, endOfRomeDay(input.period.to));
      const final = await handle.result();
      expect(final.status).toBe('closed');
      expect(final.outcome).toBe('authorised');
      expect(final.outcomeReason).toMatch(/3 worker\(s\), 1 sanctioned/);
      recordHistory(ctx, caseId, 'cigs-v2-authorised.json');
      const events = await ctx.db.events.find({ caseId }).sort({ seq: 1 }).lean();
      expect(events.filter((e) => e.type === 'SanctionApplied')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'AttendanceRecorded')).toHaveLength(4);
      expect(events.length).toBe(final.version);
    });
  });

  it('when nobody asks for the examination, the Region stays silent and the filing is late, then the terms run on and the period starts 30 days after filing', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      // Units in two regions: the Ministry hosts the examination; 40 employees: the 10-day consultation.
      const input = cigsInput(
        {
          productionUnits: [freshUnit('Toscana'), freshUnit('Liguria')],
          employer: { ...cigsInput().employer, averageEmployees: 40 },
          workersConcerned: 4,
          period: { from: addDays(day0, 20), to: addDays(day0, 120) },
        },
        day0,
      );
      const { caseId, handle, view } = await open(input);
      expect(view.facts.examinationBody).toBe('Ministry of Labour');
      expect(view.units).toHaveLength(2);

      let v = await sleepPastDeadline(ctx, handle, 'exam-request');
      expect(v.deadlines.find((d) => d.id === 'exam-request')?.status).toBe('missed');
      expect(v.checks.find((c) => c.id === 'joint-examination')?.result).toBe('warning');
      expect(v.step).toBe('application to the Ministry');
      const due = v.deadlines.find((d) => d.id === 'application')?.due ?? '';

      v = await sleepPastDeadline(ctx, handle, 'application');
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('missed');
      const filedOn = addDays(due, 2);
      v = await fileWithMinistry(handle, v, filedOn);
      const start = v.checks.find((c) => c.id === 'start-after-filing');
      expect(start).toMatchObject({ result: 'warning', legalBasis: 'D.Lgs. 148/2015 art. 25 c.3' });
      expect(v.facts.countedPeriod).toEqual({ from: addDays(filedOn, 30), to: input.period.to });
      expect(v.checks.find((c) => c.id === 'workers-list')?.result).toBe('warning'); // 4 announced, 3 listed
      expect(v.step).toBe("awaiting the Region's opinion");

      v = await sleepPastDeadline(ctx, handle, 'region-opinion');
      expect(v.checks.find((c) => c.id === 'region-opinion')?.explanation).toMatch(/without it/);
      expect(v.step).toBe('awaiting the Ministry decree');
      // An opinion after its term is refused: the Ministry has gone on without it.
      expect(
        await refusal(
          sendNews(handle, 'region-opinion', {
            opinion: 'unfavourable',
            issuedOn: await today(ctx),
            reference: 'RT-LATE',
            reasons: 'Late',
          }),
        ),
      ).toBe('NewsNotExpected');

      // The decree is late: a reminder task; then a partial decree with both appeal terms.
      v = await sleepPastDeadline(ctx, handle, 'ministry-decree-1');
      expect(openTask(v, 'chase-ministry').status).toBe('open');
      const authorised = { from: addDays(filedOn, 30), to: addDays(filedOn, 60) };
      v = await sendNews(handle, 'ministry-decree', decree('partial', await today(ctx), authorised));
      const d = v.decisions.find((x) => x.kind === 'ministry-decree');
      expect(d?.outcome).toBe('partial');
      expect((d?.details.appeals as { body: string }[]).map((a) => a.body)).toEqual([
        'TAR Lazio',
        'Head of State (extraordinary appeal)',
      ]);
      expect(v.tasks.find((t) => t.key === 'chase-ministry')?.status).toBe('cancelled');
      expect(v.facts.countedPeriod).toEqual(authorised);
      v = await completeTask(handle, openTask(v, 'cigs-training-plan').taskId, 'planned', {
        courses: [{ courseCode: 'RIQ-01', title: 'Safety', provider: 'Ente', hours: 8, workers: [A] }],
      });
      expect((await workerRow(caseId, B)).details).toMatchObject({ obligations: [] });
      expect((await workerRow(caseId, A)).details).toMatchObject({
        obligations: [expect.objectContaining({ courseCode: 'RIQ-01' })],
      });
      await sleepPastInstant(ctx, endOfRomeDay(authorised.to));
      expect((await handle.result()).outcome).toBe('partially-authorised');
    });
  });

  it('when the examination ends without agreement and the decree rejects the request, then the case closes rejected and nothing counts against the caps', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle, view } = await open(cigsInput({ productionUnits: [freshUnit()] }, day0));
      let v = await completeTask(handle, openTask(view, 'cigs-exam-request').taskId, 'requested', {
        requestDate: day0,
        requestedBy: 'employer',
      });
      v = await completeTask(handle, openTask(v, 'cigs-examination').taskId, 'no_agreement', minutes(day0));
      expect(v.facts.agreement).toBe(false);
      expect(v.documents.find((d) => d.kind === 'consultation-minutes')?.title).toMatch(/no agreement/);
      expect((await fileWithMinistry(handle, v, day0)).step).toBe("awaiting the Region's opinion");
      // The decree may come before the opinion term is over: it is kept and read after it.
      await sendNews(handle, 'ministry-decree', decree('rejected', day0));
      await sleepPastDeadline(ctx, handle, 'region-opinion');
      const final = await handle.result();
      expect(final.outcome).toBe('rejected');
      expect(final.facts.countedPeriod).toBeNull();
      const stored = await ctx.db.cases.findById(caseId).lean();
      expect(stored?.facts.countedPeriod).toBeNull();
    });
  });

  it("when the unit's earlier cases fill part of the caps, then the request is cut; when they fill them, it is refused", async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const unit = freshUnit();
      const period = { from: addDays(day0, 60), to: addDays(day0, 60 + 300) };
      // An earlier crisis CIGS of 200 days ending before the request: 12 months less 200 days remain for crisis.
      await earlierCase(
        'CIGS-2025-EARLY',
        unit.id,
        { from: addDays(day0, -240), to: addDays(day0, -41) },
        'crisis',
      );
      const { handle, view } = await open(
        cigsInput({ productionUnits: [unit], cause: 'crisis', period }, day0),
      );
      const cut = view.checks.find((c) => c.id === 'cap-cut');
      expect(cut?.result).toBe('warning');
      const capTo = (view.facts.countedPeriod as { to: string }).to;
      expect(capTo < period.to).toBe(true);
      expect(view.checks.find((c) => c.id.endsWith(':cause-cap'))?.explanation).toMatch(
        /200 day\(s\) already used/,
      );
      await handle.terminate('test done');

      // Two years of reorganisation already used by the unit: nothing fits.
      const full = freshUnit();
      await earlierCase(
        'CIGS-2024-FULL',
        full.id,
        { from: addDays(day0, -800), to: addDays(day0, -70) },
        'reorganisation',
      );
      const refused = await open(cigsInput({ productionUnits: [full], cause: 'reorganisation' }, day0));
      const final = await refused.handle.result();
      expect(final.outcome).toBe('refused');
      expect(final.outcomeReason).toMatch(/limit is already reached/);
      expect(final.checks.filter((c) => c.result === 'refused').map((c) => c.id.split(':')[1])).toEqual([
        'cause-cap',
        'overall-cap',
      ]);
    });
  });

  it('when a transition agreement follows an authorised reorganisation, then its workers are referred to GOL', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const unit = freshUnit();
      const prevId = `CIGS-2025-PREV-${unit.id}`;
      await earlierCase(
        prevId,
        unit.id,
        { from: addDays(day0, -400), to: addDays(day0, -40) },
        'reorganisation',
      );
      const input = cigsInput({ productionUnits: [unit], cause: 'transition', previousCaseId: prevId }, day0);
      const { caseId, handle, view } = await open(input);
      expect(view.checks.map((c) => c.id.split(':')[1] ?? c.id)).toEqual(['cause-cap']);
      let v = await examineWithAgreement(handle, view, day0);
      v = await fileWithMinistry(handle, v, day0);
      await sendNews(handle, 'region-opinion', {
        opinion: 'favourable',
        issuedOn: day0,
        reference: 'R',
        reasons: 'ok',
      });
      v = await sendNews(handle, 'ministry-decree', decree('authorised', day0, input.period));
      expect(v.facts.workersInGol).toBe(3);
      const rows = await ctx.db.members.find({ caseId }).lean();
      expect(rows.map((r) => r.details?.golProgramme)).toEqual([true, true, true]);
      expect(v.documents.find((d) => d.kind === 'gol-referral')?.title).toMatch(/3 worker\(s\)/);
      const gol = await ctx.db.communications.find({ caseId, to: 'GOL' }).lean();
      expect(gol).toHaveLength(1);

      // The employer brings everyone back early: the rest of the period no longer counts.
      v = await completeTask(handle, openTask(v, 'cigs-training-plan').taskId, 'planned', {
        courses: [{ courseCode: 'GOL-1', title: 'Job search', provider: 'CPI Lucca', hours: 20 }],
      });
      const early = addDays(input.period.from, 30);
      expect(
        await refusal(
          sendNews(handle, 'suspension-ended', { endedOn: input.period.to, reason: 'Orders back' }),
        ),
      ).toBe('InvalidFormData');
      await sendNews(handle, 'suspension-ended', { endedOn: early, reason: 'Orders back' });
      const ended = await handle.result();
      expect(ended.facts.countedPeriod).toEqual({ from: input.period.from, to: early });
      expect(ended.outcomeReason).toMatch(/ended early/);

      // A transition agreement after a rejected CIGS is refused by the case itself.
      const rejectedId = `CIGS-2025-REJ-${unit.id}`;
      await earlierCase(rejectedId, unit.id, null, 'crisis', 'rejected');
      const refused = await open({ ...input, previousCaseId: rejectedId });
      expect((await refused.handle.result()).outcomeReason).toMatch(/is rejected/);
    });
  });
});

async function open(input: object) {
  return openCase(ctx, 'cigStraordinaria', input);
}

/** A worker's row as the projection wrote it (written with the Update's answer). */
async function workerRow(caseId: string, taxCode: string) {
  const row = await ctx.db.members.findById(`${caseId}:${taxCode}`).lean();
  if (!row) throw new Error(`no row for ${taxCode} on ${caseId}`);
  return {
    ...row,
    sanctions: (row.lists?.sanctions ?? []) as { step: number; sanction: string; reference: string | null }[],
  };
}

/** An earlier CIGS case of the unit, as the read model holds it. */
async function earlierCase(
  id: string,
  unitId: string,
  counted: { from: string; to: string } | null,
  cause: string,
  outcome = 'authorised',
): Promise<void> {
  await seedCases(ctx.db, {
    _id: id,
    procedure: 'CIGS',
    office: 'lucca',
    status: 'closed',
    outcome,
    version: 1,
    keys: { employer: '01234567890' },
    units: [`01234567890/${unitId}`],
    facts: { cigsCause: cause, countedPeriod: counted, authorisedPeriod: counted },
  });
}
