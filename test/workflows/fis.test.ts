/**
 * FIS on the time-skipping server: the CIGO steps it shares (art. 30 c.2), its application window, its cap over
 * the unit's earlier FIS cases, and the INPS decision with the FIS appeal.
 */
import { addDays } from '../../domain/dates';
import { fisInput } from '../support/wage-inputs';
import {
  completeTask,
  openCase,
  openTask,
  recordHistory,
  sendNews,
  sleepPastDeadline,
  today,
  until,
  withWorker,
  workflowSuite,
} from '../support/workflow-env';
import { seedCases } from '../support/seed-cases';

const ctx = workflowSuite();

let unitSeq = 0;
const freshUnit = () => ({
  id: `shop-${++unitSeq}-${Date.now()}`,
  address: 'Via Roma 2',
  municipality: 'Barga',
  province: 'LU',
  region: 'Toscana',
});

const filed = (filedOn: string) => ({
  filedOn,
  inpsProtocol: `INPS-${filedOn}`,
  hoursRequested: 240,
  technicalReport: true,
});

describe('FIS workflow', () => {
  it('when the application comes before its window, then it must be filed again; in the window the case runs to the INPS decision', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const input = fisInput(
        { productionUnit: freshUnit(), suspension: { from: addDays(day0, 40), to: addDays(day0, 67) } },
        day0,
      );
      const { caseId, handle, view } = await openCase(ctx, 'fisAssegno', input);
      expect(view.procedure).toBe('FIS');
      expect(view.checks.find((c) => c.id === 'fis-biennio')).toMatchObject({
        result: 'ok',
        legalBasis: expect.stringMatching(/art. 30 c.1/),
      });
      // 12 employees: the short consultation of art. 14 c.3.
      expect(view.deadlines.find((d) => d.id === 'consultation')?.ruleId).toBe('cigo-consultation-small');
      expect(view.deadlines.find((d) => d.id === 'application')?.legalBasis).toBe(
        'D.Lgs. 148/2015 art. 30 c.2',
      );
      const opensOn = addDays(input.suspension.from, -30);
      expect(view.facts.applicationWindow).toMatchObject({ opensOn });

      let v = await completeTask(handle, openTask(view, 'union-consultation').taskId, 'not_requested');
      v = await completeTask(
        handle,
        openTask(v, 'inps-application').taskId,
        'filed',
        filed(addDays(opensOn, -1)),
      );
      expect(v.checks.find((c) => c.id === 'premature-application')?.explanation).toMatch(/must file again/);
      expect(v.tasks.filter((t) => t.key === 'inps-application').map((t) => t.status)).toEqual([
        'completed',
        'open',
      ]);

      v = await completeTask(handle, openTask(v, 'inps-application').taskId, 'filed', filed(opensOn));
      expect(v.deadlines.find((d) => d.id === 'application')?.status).toBe('met');
      v = await completeTask(handle, openTask(v, 'completeness-check').taskId, 'complete');
      // The answer may come while the dossier is still on its way to INPS: the decision is taken either way.
      expect(['forwarding to INPS', 'awaiting the INPS decision']).toContain(v.step);
      // The dossier is in the outbox once it has been forwarded.
      await until(handle, (x) => x.step === 'awaiting the INPS decision');
      const sent = await ctx.db.communications.findById(`${caseId}:forward`).lean();
      expect(sent?.payload.scheme).toBe('FIS');

      const authorised = { from: input.suspension.from, to: addDays(input.suspension.from, 13) };
      await sendNews(handle, 'inps-decision', {
        decision: 'partial',
        decidedOn: day0,
        protocol: 'INPS-FIS-1',
        authorised,
        reasons: 'Two weeks not justified',
      });
      const final = await handle.result();
      expect(final.outcome).toBe('partially-authorised');
      expect(final.facts.countedPeriod).toEqual(authorised);
      const appeal = final.decisions[0]?.details.appeal as { body: string; legalBasis: string };
      expect(appeal.body).toMatch(/Fondo di integrazione salariale/);
      recordHistory(ctx, caseId, 'fis-v2-partial.json');
    });
  });

  it('when the application is late, then the benefit covers only from a week before filing', async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const input = fisInput({ productionUnit: freshUnit() }, day0);
      const { handle, view } = await openCase(ctx, 'fisAssegno', input);
      await completeTask(handle, openTask(view, 'union-consultation').taskId, 'not_requested');
      let v = await sleepPastDeadline(ctx, handle, 'application');
      const due = v.deadlines.find((d) => d.id === 'application')?.due ?? '';
      v = await completeTask(handle, openTask(v, 'inps-application').taskId, 'filed', filed(addDays(due, 3)));
      expect(v.checks.find((c) => c.id === 'late-application')?.legalBasis).toMatch(/art. 30 c.2/);
      expect(v.facts.countedPeriod).toEqual({ from: addDays(due, -4), to: input.suspension.to });
      await handle.terminate('test done');
    });
  });

  it("when the unit's earlier FIS weeks and the request pass 26 weeks in two years, then the case refuses itself with the arithmetic", async () => {
    await withWorker(ctx, async () => {
      const day0 = await today(ctx);
      const unit = freshUnit();
      await seedCases(ctx.db, {
        _id: `FIS-2025-EARLIER-${unitSeq}`,
        procedure: 'FIS',
        office: 'lucca',
        status: 'closed',
        version: 1,
        units: [`09876543210/${unit.id}`],
        facts: { countedPeriod: { from: addDays(day0, -200), to: addDays(day0, -200 + 24 * 7 - 1) } },
      });
      const { handle } = await openCase(ctx, 'fisAssegno', fisInput({ productionUnit: unit }, day0));
      const final = await handle.result();
      expect(final.outcome).toBe('refused');
      expect(final.outcomeReason).toMatch(/24 week\(s\) already used.*28 in all against a maximum of 26/);
    });
  });
});
