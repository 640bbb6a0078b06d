/**
 * CIGO on the time-skipping server: every branch, expired terms included. Activities write to a real
 * MongoDB-wire database, so the read model is checked too.
 */
import type { InpsGateway } from '../../activities';
import type { CaseView } from '../../domain/case-model';
import { isWorkingDay } from '../../domain/calendar';
import { addDays, endOfRomeDay, weekday } from '../../domain/dates';
import { computeDeadline } from '../../domain/deadlines';
import { findOffice, officeCalendar } from '../../domain/offices';
import { CIGO_RULES } from '../../domain/procedures/cigo';
import {
  caseQuery,
  claimTaskUpdate,
  newsUpdate,
  resumeUpdate,
  suspendUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { cigoInput } from '../support/cigo-input';
import type { Handle } from '../support/workflow-env';
import {
  completeTask,
  openCase,
  openTask,
  act,
  recordHistory,
  refusal,
  sleepPastDeadline,
  today,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';
import { seedCases } from '../support/seed-cases';

const ctx = workflowSuite();

const officer = { sub: 'officer-lucca', role: 'officer' as const };
const lucca = officeCalendar(findOffice('lucca')!);

const open = (input: object, office = 'lucca') => openCase(ctx, 'cigOrdinaria', input, office);
const complete = completeTask;

/** Withdraws the case and checks the procedure stopped there: CaseWithdrawn is the last event, in the read model too. */
async function withdrawAndCheck(handle: Handle, reason = 'test done'): Promise<void> {
  await handle.executeUpdate(withdrawUpdate, { args: [{ reason, actor: officer }] });
  const final = await handle.result();
  expect(final.status).toBe('withdrawn');
  const events = await eventsOf(handle.workflowId);
  expect(events[events.length - 1]?.type).toBe('CaseWithdrawn');
  expect(events.length).toBe(final.version);
}

/** Registers the application to INPS as filed on a given day. */
function fileApplication(
  handle: Handle,
  v: CaseView,
  filedOn: string,
  opts: { technicalReport?: boolean } = {},
): Promise<CaseView> {
  return complete(handle, openTask(v, 'inps-application').taskId, 'filed', {
    filedOn,
    inpsProtocol: `INPS-${filedOn}`,
    hoursRequested: 160,
    technicalReport: opts.technicalReport ?? true,
  });
}

/** Skips time to just after a deadline ends (its due day may have moved past holidays, so no fixed span). */
const sleepPast = (handle: Handle, deadlineId: string) => sleepPastDeadline(ctx, handle, deadlineId);

async function eventsOf(caseId: string) {
  return ctx.db.events.find({ caseId }).sort({ seq: 1 }).lean();
}

describe('CIGO workflow', () => {
  it('when every step is done in time, then the case closes with the INPS decision and a clean audit trail', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle, view } = await open(cigoInput(day0));
      expect(view.status).toBe('open');
      expect(view.step).toBe('union consultation');
      expect(view.checks.find((c) => c.id === 'duration-biennio')?.result).toBe('ok');
      const consultation = view.deadlines.find((d) => d.id === 'consultation');
      expect(consultation?.legalBasis).toBe('D.Lgs. 148/2015 art. 14 c.3');
      expect(view.deadlines.find((d) => d.id === 'application')?.legalBasis).toBe(
        'D.Lgs. 148/2015 art. 15 c.2',
      );

      let v = await act(handle, claimTaskUpdate, {
        taskId: openTask(view, 'union-consultation').taskId,
        actor: officer,
      });
      expect(openTask(v, 'union-consultation').assignee).toBe('officer-lucca');
      v = await complete(handle, openTask(v, 'union-consultation').taskId, 'agreement', {
        minutesDate: day0,
      });
      expect(v.step).toBe('application to INPS');
      expect(v.deadlines.find((d) => d.id === 'consultation')?.status).toBe('met');

      v = await fileApplication(handle, v, addDays(day0, 3));
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('met');
      expect(v.step).toBe('completeness check');

      v = await complete(handle, openTask(v, 'completeness-check').taskId, 'incomplete', {
        missing: ['technical report'],
      });
      expect(v.step).toBe('awaiting missing documents');
      v = await act(handle, newsUpdate, {
        type: 'documents-supplemented',
        data: { documents: ['technical report'], receivedOn: addDays(day0, 4) },
        actor: officer,
      });
      v = await complete(handle, openTask(v, 'completeness-check').taskId, 'complete');
      // The answer may come while the dossier is still on its way to INPS: the decision is taken either way.
      expect(['forwarding to INPS', 'awaiting the INPS decision']).toContain(v.step);
      expect(await ctx.db.communications.countDocuments({ caseId })).toBe(1);

      const authorised = { from: addDays(day0, 2), to: addDays(day0, 15) };
      await handle.executeUpdate(newsUpdate, {
        args: [
          {
            type: 'inps-decision',
            data: {
              decision: 'partial',
              decidedOn: addDays(day0, 10),
              protocol: 'D-1',
              authorised,
              reasons: 'second fortnight not justified',
            },
            actor: { sub: 'inps-gateway', role: 'integrator' },
            relays: ['inps'],
          },
        ],
      });
      const final = await handle.result();
      expect(final.status).toBe('closed');
      expect(final.outcome).toBe('partially-authorised');
      recordHistory(ctx, caseId, 'cigo-v2-partial.json');
      expect(final.facts.countedPeriod).toEqual(authorised);
      // 30 days from receipt of the decision, moved past a holiday like any term.
      const appealDue = computeDeadline(CIGO_RULES.appeal, addDays(day0, 10), {
        calendar: officeCalendar(findOffice('lucca')!),
      }).due;
      expect(final.decisions[0]?.details.appeal).toMatchObject({ dueBy: appealDue });
      expect(appealDue >= addDays(day0, 40)).toBe(true);

      const events = await eventsOf(caseId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
      expect(events[0]?.type).toBe('CaseOpened');
      expect(events[events.length - 1]?.type).toBe('CaseClosed');
      const stored = await ctx.db.cases.findById(caseId).lean();
      expect(stored?.status).toBe('closed');
      expect(stored?.version).toBe(events.length);
      expect(await ctx.db.tasks.countDocuments({ caseId, status: 'open' })).toBe(0);
    });
  });

  it('when the terms expire, then the consultation closes by law, the late filing is cut to a week before, and INPS is chased', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle } = await open(cigoInput(day0));
      // Past the consultation term (25 days), hence past the application term (15 days from day0 + 2) too.
      let v = await sleepPast(handle, 'consultation');
      expect(v.deadlines.find((d) => d.id === 'consultation')?.status).toBe('missed');
      expect(v.tasks.find((t) => t.key === 'union-consultation')?.status).toBe('cancelled');
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('missed');
      // The consultation task sat past the office's one-day target: escalated before the term closed it.
      expect(v.tasks.find((t) => t.key === 'union-consultation')?.escalated).toBe(true);

      v = await fileApplication(handle, v, addDays(day0, 25));
      const late = v.checks.find((c) => c.id === 'late-application');
      expect(late?.result).toBe('warning');
      expect(v.facts.coveredFrom).toBe(addDays(day0, 18));
      v = await complete(handle, openTask(v, 'completeness-check').taskId, 'complete');
      v = await sleepPast(handle, 'inps-decision-1');
      expect(openTask(v, 'chase-inps').title).toMatch(/solicit/);
      expect(v.deadlines.find((d) => d.id === 'inps-decision-1')?.status).toBe('missed');

      await handle.executeUpdate(newsUpdate, {
        args: [
          {
            type: 'inps-decision',
            data: {
              decision: 'rejected',
              decidedOn: addDays(day0, 60),
              protocol: 'D-2',
              reasons: 'cause not temporary',
            },
            actor: officer,
          },
        ],
      });
      const final = await handle.result();
      expect(final.outcome).toBe('rejected');
      expect(final.facts.countedPeriod).toBeNull();
      const types = (await eventsOf(caseId)).map((e) => e.type);
      expect(types.filter((t) => t === 'DeadlineMissed').length).toBeGreaterThanOrEqual(3);
      expect(types).toContain('TaskEscalated');
    });
  });

  it('when an unavoidable event cuts over 16 hours and nobody asks for an examination, then the request term lapses and the application is due at the end of next month', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await open(
        cigoInput(day0, {
          cause: 'weather',
          eventDate: day0,
          suspension: { from: day0, to: addDays(day0, 6) },
          reductionHoursPerWeek: 24,
        }),
      );
      expect(view.step).toBe('joint examination request');
      expect(view.deadlines.find((d) => d.id === 'application')?.ruleId).toBe('cigo-application-eone');
      let v = await sleepPast(handle, 'exam-request');
      expect(v.deadlines.find((d) => d.id === 'exam-request')?.status).toBe('missed');
      v = await complete(handle, openTask(v, 'inps-application').taskId, 'not_filed', {
        reason: 'the weather cleared, no hours lost',
      });
      const final = await handle.result();
      expect(final.outcome).toBe('not-filed');
      expect(final.outcomeReason).toBe('the weather cleared, no hours lost');
    });
  });

  it('when an unavoidable event is examined, then the 5-day examination term runs from the request', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await open(
        cigoInput(day0, {
          cause: 'unavoidable_event',
          suspension: { from: day0, to: addDays(day0, 6) },
          reductionHoursPerWeek: 30,
        }),
      );
      let v = await complete(handle, openTask(view, 'exam-request').taskId, 'requested', {
        requestDate: addDays(day0, 1),
        requestedBy: 'unions',
      });
      const exam = v.deadlines.find((d) => d.id === 'exam');
      expect(exam?.trigger).toBe(addDays(day0, 1));
      expect(exam?.theoretical).toBe(addDays(day0, 6));
      v = await complete(handle, openTask(v, 'union-consultation').taskId, 'no_agreement', {
        minutesDate: addDays(day0, 5),
      });
      expect(v.step).toBe('application to INPS');
      expect(v.documents.map((d) => d.kind)).toContain('consultation-minutes');
      await withdrawAndCheck(handle, 'employer withdrew');
    });
  });

  it('when an examination outlives its 5 days and the filing is registered after its term but dated within it, then the examination closes by law and the filing counts as on time', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { caseId, handle, view } = await open(
        cigoInput(day0, {
          cause: 'unavoidable_event',
          suspension: { from: day0, to: addDays(day0, 6) },
          reductionHoursPerWeek: 30,
        }),
      );
      let v = await complete(handle, openTask(view, 'exam-request').taskId, 'requested', {
        requestDate: day0,
        requestedBy: 'employer',
      });
      v = await sleepPast(handle, 'exam');
      expect(v.deadlines.find((d) => d.id === 'exam')?.status).toBe('missed');
      expect(v.tasks.find((t) => t.key === 'union-consultation')?.status).toBe('cancelled');
      // D.Lgs. 185/2016: end of the month after the event; wait past it with nothing registered.
      v = await sleepPast(handle, 'application');
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('missed');
      // The officer registers it late, but the filing itself was made within the term.
      v = await fileApplication(handle, v, addDays(day0, 10));
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('met');
      expect(v.checks.find((c) => c.id === 'late-application')).toBeUndefined();
      expect(v.facts.coveredFrom).toBeUndefined();
      const types = (await eventsOf(caseId)).map((e) => e.type);
      expect(types.filter((t) => t === 'DeadlineMet').length).toBeGreaterThanOrEqual(1);
      await withdrawAndCheck(handle);
    });
  });

  it('when a small employer cuts under 16 hours for an unavoidable event, then no examination is held', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await open(
        cigoInput(day0, {
          cause: 'weather',
          suspension: { from: day0, to: addDays(day0, 3) },
          reductionHoursPerWeek: 8,
        }),
      );
      expect(view.step).toBe('application to INPS');
      await withdrawAndCheck(handle);
    });
  });

  it('when the employer never supplies the missing documents, then the application is inadmissible', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await open(cigoInput(day0));
      let v = await complete(handle, openTask(view, 'union-consultation').taskId, 'not_requested');
      v = await fileApplication(handle, v, day0, { technicalReport: false });
      v = await complete(handle, openTask(v, 'completeness-check').taskId, 'incomplete', {
        missing: ['technical report', 'union notice proof'],
      });
      expect(v.deadlines.find((d) => d.id === 'integration-1')?.legalBasis).toMatch(/L. 241\/1990/);
      await sleepPast(handle, 'integration-1');
      const final = await handle.result();
      expect(final.outcome).toBe('inadmissible');
      expect(final.facts.countedPeriod).toBeNull();
    });
  });

  it('when the case is suspended, then the parties\u2019 terms run on and the office\u2019s own stop, rolled again past holidays', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await open(cigoInput(day0));
      // The union consultation runs between the employer and the unions (art. 14 c.3): a suspension of the
      // office's case does not stop it.
      const consultation = view.deadlines.find((d) => d.id === 'consultation')!;
      expect(consultation.counting?.pausedBySuspension).toBe(false);
      await handle.executeUpdate(suspendUpdate, {
        args: [{ reason: 'waiting for the employer', actor: officer }],
      });
      await ctx.env.sleep('3 days');
      let v = await handle.query(caseQuery);
      expect(v.status).toBe('suspended');
      expect(await refusal(complete(handle, openTask(v, 'union-consultation').taskId, 'not_requested'))).toBe(
        'CaseSuspended',
      );
      v = await act(handle, resumeUpdate, { reason: 'documents received', actor: officer });
      expect(v.deadlines.find((d) => d.id === 'consultation')).toMatchObject({
        due: consultation.due,
        dueAt: consultation.dueAt,
        status: 'pending',
      });
      v = await complete(handle, openTask(v, 'union-consultation').taskId, 'not_requested');
      expect(v.deadlines.find((d) => d.id === 'consultation')?.status).toBe('met');

      // The documents the office asked for (L. 241/1990 art. 2 c.7): the office's own term stops. Suspended for
      // as many days as bring its theoretical end to a Sunday, it keeps the time it had left and then moves past
      // the Sunday (and any holiday after it) to a working day.
      v = await fileApplication(handle, v, await today(ctx), { technicalReport: false });
      v = await complete(handle, openTask(v, 'completeness-check').taskId, 'incomplete', {
        missing: ['technical report'],
      });
      const integration = v.deadlines.find((d) => d.id === 'integration-1')!;
      expect(integration.counting?.pausedBySuspension).toBe(true);
      const toSunday = (7 - weekday(integration.theoretical)) % 7 || 7;
      await handle.executeUpdate(suspendUpdate, { args: [{ reason: 'inspection', actor: officer }] });
      await ctx.env.sleep(`${toSunday} days`);
      v = await act(handle, resumeUpdate, { reason: 'inspection over', actor: officer });
      const moved = v.deadlines.find((d) => d.id === 'integration-1')!;
      expect(moved.theoretical).toBe(addDays(integration.theoretical, toSunday));
      expect(weekday(moved.theoretical)).toBe(0);
      expect(moved.due > moved.theoretical).toBe(true);
      expect(isWorkingDay(moved.due, lucca)).toBe(true);
      for (let d = moved.theoretical; d < moved.due; d = addDays(d, 1))
        expect(isWorkingDay(d, lucca)).toBe(false);
      expect(moved.shiftedBecause).toBe('domenica');
      expect(moved.dueAt).toBe(new Date(endOfRomeDay(moved.due)).toISOString());
      // The task that waits for the documents carries the same legal due instant.
      expect(
        v.tasks.find((t) => t.deadlineId === 'integration-1' && t.status === 'open')?.legalDueAt ??
          moved.dueAt,
      ).toBe(moved.dueAt);
      const resumed = (await eventsOf(handle.workflowId)).filter((e) => e.type === 'CaseResumed');
      expect(resumed.map((e) => (e.data as { moved: { id: string }[] }).moved.map((m) => m.id))).toEqual([
        [],
        ['integration-1'],
      ]);
      await withdrawAndCheck(handle);
    });
  });

  it('when a completion is refused, then nothing changes: wrong outcome, bad data, wrong role, unexpected news, done task, closed case', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const { handle, view } = await open(cigoInput(day0));
      const task = openTask(view, 'union-consultation');
      expect(await refusal(complete(handle, task.taskId, 'approved'))).toBe('OutcomeNotAllowed');
      expect(await refusal(complete(handle, task.taskId, 'agreement', { minutesDate: '2026-02-30' }))).toBe(
        'InvalidFormData',
      );
      expect(await refusal(complete(handle, task.taskId, 'agreement', { minutesDate: day0, extra: 1 }))).toBe(
        'InvalidFormData',
      );
      expect(
        await refusal(
          complete(
            handle,
            task.taskId,
            'not_requested',
            {},
            { sub: 'portal', role: 'integrator' as 'officer' },
          ),
        ),
      ).toBe('RoleNotAllowed');
      expect(await refusal(complete(handle, 'nope', 'not_requested'))).toBe('TaskNotFound');
      expect(
        await refusal(
          handle.executeUpdate(newsUpdate, {
            args: [
              {
                type: 'inps-decision',
                data: { decision: 'rejected', decidedOn: day0, protocol: 'x', reasons: 'y' },
                actor: officer,
              },
            ],
          }),
        ),
      ).toBe('NewsNotExpected');
      expect(
        await refusal(
          handle.executeUpdate(claimTaskUpdate, {
            args: [{ taskId: task.taskId, actor: { sub: 'other-officer', role: 'officer' } }],
          }),
        ),
      ).toBe('accepted');
      expect(await refusal(complete(handle, task.taskId, 'not_requested'))).toBe('TaskAssignedToOther');
      const unchanged = await handle.query(caseQuery);
      expect(unchanged.version).toBe(view.version + 1); // only the claim
      await complete(handle, task.taskId, 'not_requested', {}, { sub: 'other-officer', role: 'officer' });
      expect(
        await refusal(
          complete(handle, task.taskId, 'not_requested', {}, { sub: 'other-officer', role: 'officer' }),
        ),
      ).toBe('TaskNotOpen');
      await withdrawAndCheck(handle);
    });
  });

  it("when the unit's earlier cases already use 52 weeks in two years, then the workflow refuses the case with the arithmetic", async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const input = cigoInput(day0, {
        productionUnit: {
          id: 'full-unit',
          address: 'Via Roma 1',
          municipality: 'Lucca',
          province: 'LU',
          region: 'Toscana',
        },
      });
      await seedCases(ctx.db, {
        _id: 'CIGO-2025-EARLIER',
        procedure: 'CIGO',
        office: 'lucca',
        status: 'closed',
        version: 1,
        sortKey: '0',
        openedBySub: 'x',
        assignees: [],
        keys: { productionUnit: `${input.employer.taxCode}/full-unit` },
        facts: { countedPeriod: { from: addDays(day0, -400), to: addDays(day0, -37) } },
      });
      const { handle } = await open(input);
      const final = await handle.result();
      expect(final.outcome).toBe('refused');
      const check = final.checks.find((c) => c.id === 'duration-biennio');
      expect(check?.result).toBe('refused');
      expect(check?.figures.usedWeeks).toBe(52);
    });
  });

  it('when INPS does not take the dossier, then the completion still answers at once and the case moves on when it does', async () => {
    // The gateway holds the dossier until the test lets it go. (It polls a flag: resolving, inside the activity, a
    // promise made by the test crashes Node's async hooks under jest.)
    let released = false;
    let calls = 0;
    const slowInps: InpsGateway = {
      async submit() {
        calls += 1;
        for (let i = 0; i < 1500 && !released; i += 1) await new Promise((r) => setTimeout(r, 20));
        return { reference: 'INPS-SLOW-1', sentAt: new Date().toISOString() };
      },
    };
    await withWorker(
      ctx,
      async () => {
        const day0 = await today(ctx);
        const { handle, view } = await open(cigoInput(day0));
        let v = await complete(handle, openTask(view, 'union-consultation').taskId, 'not_requested');
        v = await fileApplication(handle, v, day0);
        v = await complete(handle, openTask(v, 'completeness-check').taskId, 'complete');
        // The officer's completion answered while the adapter is still waiting on INPS.
        expect(v.step).toBe('forwarding to INPS');
        expect(calls).toBe(1);
        // A decision relayed while the dossier is on its way is kept and read once the forward is done.
        expect(
          await refusal(
            handle.executeUpdate(newsUpdate, {
              args: [
                {
                  type: 'inps-decision',
                  data: {
                    decision: 'rejected',
                    decidedOn: day0,
                    protocol: 'EARLY-1',
                    reasons: 'Cause not proven',
                  },
                  actor: officer,
                },
              ],
            }),
          ),
        ).toBe('accepted');
        released = true;
        // The activity's result reaches the workflow asynchronously: poll the case, bounded.
        const final = await handle.result();
        expect(final.documents.find((d) => d.kind === 'inps-forward')?.reference).toBe('INPS-SLOW-1');
        expect(final.outcome).toBe('rejected');
        expect(final.decisions[0]?.details.protocol).toBe('EARLY-1');
      },
      { inps: slowInps },
    );
  });
});
