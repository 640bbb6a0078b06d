/**
 * Collective dismissal (L. 223/1991 arts. 4, 5, 24; procedures.md §1) as one durable case: the union phase, the
 * administrative phase, the dismissals and their list with the checks the law puts on them, then a
 * take-in-charge case (workflows/take-in-charge.ts) for every dismissed worker, followed from here.
 */
import type { ChildWorkflowHandle } from '@temporalio/workflow';
import { setHandler, startChild } from '@temporalio/workflow';
import type { CaseStart, CaseView } from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import type { DeadlineRule } from '../domain/deadlines';
import type { DismissedWorker, MobStartInput } from '../domain/procedures/collective-dismissal';
import {
  MOB_RULES,
  closureScale,
  consultingBody,
  halvingConditions,
  levyMultiplier,
  listChecks,
  mobForms,
  mobProcedure,
  mobRefusal,
  mobStartInput,
  mobUnitKeys,
  plannedDismissals,
  unionsReceipt,
} from '../domain/procedures/collective-dismissal';
import { PIC_CODE } from '../domain/procedures/take-in-charge';
import { CaseKernel, caseActivities, startInput } from './kernel';
import type { WorkerStage } from './messages';
import { workerStageSignal } from './messages';
import type { presaInCarico } from './take-in-charge';

const { admissionData, officeSnapshot } = caseActivities;

interface WorkerRow {
  taxCode: string;
  name: string;
  office: string;
  caseId: string;
  stage: string;
}

export async function licenziamentoCollettivo(start: CaseStart): Promise<CaseView> {
  const input = startInput(mobStartInput, start, 'collective-dismissal');
  const body = consultingBody(input.productionUnits);
  const k = new CaseKernel(start, mobProcedure, {
    title: `Collective dismissal ${input.employer.name} – ${plannedDismissals(input)} redundancies`,
    parties: [
      { role: 'employer', name: input.employer.name, identifier: input.employer.taxCode },
      ...input.productionUnits.map((u) => ({
        role: 'production unit',
        name: `${u.address}, ${u.municipality} (${u.province})`,
        identifier: u.id,
      })),
      ...input.openingNotice.recipients.map((r) => ({ role: r.kind, name: r.name, identifier: null })),
      { role: 'mediator', name: body.name, identifier: null },
    ],
    keys: { employer: input.employer.taxCode, ...(input.cigsCaseId ? { cigsCase: input.cigsCaseId } : {}) },
    units: mobUnitKeys(input),
  });
  // Each worker's case reports its stage; the counts are shown on this case.
  const workers: WorkerRow[] = [];
  setHandler(workerStageSignal, (s: WorkerStage) => {
    const row = workers.find((w) => w.caseId === s.caseId);
    if (!row || row.stage === s.stage) return;
    row.stage = s.stage;
    k.view.facts.workersByStage = countStages(workers);
    k.emit('WorkerStageChanged', `${row.name}: ${s.stage}`, {
      caseId: s.caseId,
      taxCode: s.taxCode,
      stage: s.stage,
    });
  });
  return k.run(() => runMob(k, input, body, workers));
}

function countStages(workers: readonly WorkerRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of workers) counts[w.stage] = (counts[w.stage] ?? 0) + 1;
  return counts;
}

async function runMob(
  k: CaseKernel,
  input: MobStartInput,
  body: { kind: string; name: string },
  workers: WorkerRow[],
): Promise<void> {
  const conditions = halvingConditions(input);
  const planned = plannedDismissals(input);
  k.view.facts = {
    plannedDismissals: planned,
    halvedTerms: conditions.length > 0,
    mediator: body.name,
    cigsCaseId: input.cigsCaseId ?? null,
    agreement: null,
    workers,
    workersByStage: {},
  };
  k.recordDocument(
    'opening-notice',
    'Opening notice (art. 4 cc.2–3)',
    input.openingNotice.sentOn,
    null,
    k.start.openedBy,
  );
  for (const r of input.openingNotice.recipients) {
    k.recordDocument(
      'notice-receipt',
      `Opening notice received by ${r.name} (${r.kind})`,
      r.receivedOn,
      null,
    );
  }

  const ctx = await admissionData({
    unitKeys: [],
    linkedCaseIds: input.cigsCaseId ? [input.cigsCaseId] : [],
    excludeCaseId: k.view.caseId,
  });
  const refusal = mobRefusal(input, ctx.linked[input.cigsCaseId ?? '']);
  if (refusal) {
    k.close('refused', refusal.detail);
    return;
  }
  if (input.siteClosure || closureScale(input)) {
    k.recordCheck({
      id: 'site-closure',
      title: 'Site closure: prior notice (L. 234/2021)',
      legalBasis: 'L. 234/2021 art. 1 cc.224–227 as amended by D.L. 144/2022',
      result: input.siteClosure ? 'ok' : 'warning',
      explanation: input.siteClosure
        ? `Notice sent on ${input.siteClosure.noticeSentOn}; the procedure opened after its term.`
        : 'At least 250 employees and 50 dismissals: if a site closes, the prior notice and the plan are required ' +
          'and dismissals before its term are void.',
      figures: { siteClosure: input.siteClosure ?? null },
    });
  }

  const { agreement, end, agreedDays } = await consultation(k, input, body, conditions);
  k.view.facts.agreement = agreement;
  k.view.facts.procedureEndedOn = end;
  const multiplier = levyMultiplier(agreement, end);
  k.view.facts.naspiLevyMultiplier = multiplier;
  k.recordCheck({
    id: 'naspi-levy',
    title: 'NASpI dismissal levy',
    legalBasis: 'L. 92/2012 art. 2 cc.31–35',
    result: multiplier > 1 ? 'warning' : 'ok',
    explanation:
      multiplier > 1
        ? `No union agreement: the levy is multiplied by ${multiplier} for each dismissed worker.`
        : 'Union agreement: the ordinary levy applies.',
    figures: { multiplier },
  });

  // The dismissals within 120 days of the end (or the agreed term), then their list within 7 days.
  const dismissalRule: DeadlineRule = agreedDays
    ? {
        ...MOB_RULES.dismissals,
        id: 'mob-dismissals-agreed',
        offset: agreedDays,
        title: 'Dismissals issued (term set by the agreement)',
      }
    : MOB_RULES.dismissals;
  const dismissalTerm = k.setDeadline(
    'dismissals',
    dismissalRule,
    end,
    'Dismissals after the term need a new procedure',
  );
  k.setStep('dismissals and their list');
  const listTask = k.openTask(mobForms.list, { deadline: dismissalTerm });
  await k.waitForTask(listTask);
  if (listTask.outcome === 'none') {
    k.markDeadline(dismissalTerm, 'cancelled');
    const reason = listTask.data?.reason;
    k.close('no-dismissals', typeof reason === 'string' ? reason : 'no dismissals were made');
    return;
  }
  const data = listTask.data ?? {};
  const notifiedOn = String(data.dismissalsNotifiedOn);
  const listSentOn = String(data.listSentOn);
  const dismissed = data.workers as DismissedWorker[];
  k.markDeadline(
    dismissalTerm,
    notifiedOn <= dismissalTerm.due ? 'met' : 'missed',
    `notified on ${notifiedOn}`,
  );
  const listTerm = k.setDeadline(
    'list',
    MOB_RULES.list,
    notifiedOn,
    'A late list makes the dismissals challengeable',
  );
  k.markDeadline(listTerm, listSentOn <= listTerm.due ? 'met' : 'missed', `sent on ${listSentOn}`);
  k.recordDocument(
    'dismissals-list',
    `List of ${dismissed.length} dismissed worker(s) (art. 4 c.9)`,
    listSentOn,
    null,
  );
  const checks = listChecks({
    input,
    workers: dismissed,
    dismissalsNotifiedOn: notifiedOn,
    listSentOn,
    listDue: listTerm.due,
    dismissalsDue: dismissalTerm.due,
    agreement,
    criteriaApplied: (data.criteriaApplied as string[] | undefined) ?? [],
  });
  for (const c of checks) k.recordCheck(c);
  k.view.facts.legalDefects = checks.filter((c) => c.result === 'defect').map((c) => c.id);

  await takeInCharge(k, dismissed, notifiedOn, input.employer.name, workers);
  k.close(
    'completed',
    `${workers.length} worker(s) taken in charge: ` +
      Object.entries(countStages(workers))
        .map(([s, n]) => `${n} ${s}`)
        .join(', '),
  );
}

/** Art. 4 cc.5–8: the union phase and, without agreement, the administrative phase. */
async function consultation(
  k: CaseKernel,
  input: MobStartInput,
  body: { kind: string; name: string },
  conditions: string[],
): Promise<{ agreement: boolean; end: IsoDate; agreedDays: number | null }> {
  const receipt = unionsReceipt(input);
  k.setStep('request for the joint examination');
  const requestTerm = k.setDeadline(
    'exam-request',
    MOB_RULES.examRequest,
    receipt,
    'Without a request the union phase runs out its time',
  );
  const request = k.openTask(mobForms.examRequest, { deadline: requestTerm });
  if (!(await k.raceDeadline(requestTerm, () => request.status !== 'open'))) {
    k.cancelTask(request, 'request term expired');
  }

  k.setStep('union phase');
  const unionTerm = k.setDeadline(
    'union-phase',
    MOB_RULES.unionPhase,
    receipt,
    'The union phase is over: without agreement the administrative phase follows',
    conditions,
  );
  const union = k.openTask(mobForms.unionPhase, { deadline: unionTerm });
  const unionDone = await k.raceDeadline(unionTerm, () => union.status !== 'open');
  if (unionDone) {
    k.recordDocument(
      'union-minutes',
      `Minutes of the union phase (${String(union.outcome).replace('_', ' ')})`,
      String(union.data?.minutesDate),
      null,
    );
  } else {
    k.cancelTask(union, 'union phase term expired');
  }
  if (unionDone && union.outcome === 'agreement') {
    return { agreement: true, end: String(union.data?.minutesDate), agreedDays: agreedDaysOf(union.data) };
  }

  // Art. 4 c.6–7: the employer reports to the Region, whose phase runs from receiving the report.
  k.setStep("awaiting the employer's report");
  const report = k.openTask(mobForms.report);
  await k.waitForTask(report);
  const receivedOn = String(report.data?.receivedOn);
  k.recordDocument(
    'employer-report',
    `Employer's report on the union phase, received by ${body.name}`,
    receivedOn,
    null,
  );
  k.setStep(`administrative phase at ${body.name}`);
  const adminTerm = k.setDeadline(
    'admin-phase',
    MOB_RULES.adminPhase,
    receivedOn,
    'The procedure is exhausted without agreement',
    conditions,
  );
  const admin = k.openTask(mobForms.adminPhase, { deadline: adminTerm });
  const adminDone = await k.raceDeadline(adminTerm, () => admin.status !== 'open');
  if (adminDone && admin.outcome === 'agreement') {
    k.recordDocument(
      'admin-minutes',
      `Agreement signed at ${body.name}`,
      String(admin.data?.minutesDate),
      null,
    );
    return { agreement: true, end: String(admin.data?.minutesDate), agreedDays: agreedDaysOf(admin.data) };
  }
  if (!adminDone) k.cancelTask(admin, 'administrative phase term expired');
  const end = adminDone ? String(admin.data?.minutesDate) : adminTerm.due;
  k.recordCheck({
    id: 'definitive-failure',
    title: 'Procedure exhausted without agreement',
    legalBasis: 'L. 223/1991 art. 4 cc.7, 9',
    result: 'warning',
    explanation: `No agreement at ${body.name} (${adminDone ? 'minutes of failure' : 'term expired'} on ${end}): the employer may dismiss.`,
    figures: { end },
  });
  return { agreement: false, end, agreedDays: null };
}

function agreedDaysOf(data: Record<string, unknown> | null): number | null {
  return typeof data?.agreedDismissalDays === 'number' ? data.agreedDismissalDays : null;
}

/** Opens a take-in-charge case for every dismissed worker and follows them until each has ended. */
async function takeInCharge(
  k: CaseKernel,
  dismissed: readonly DismissedWorker[],
  dismissedOn: IsoDate,
  employerName: string,
  workers: WorkerRow[],
): Promise<void> {
  k.setStep(`take-in-charge of ${dismissed.length} worker(s)`);
  const [, year, ulid] = k.view.caseId.split('-');
  const snapshots = new Map<string, Awaited<ReturnType<typeof officeSnapshot>>>();
  const handles: ChildWorkflowHandle<typeof presaInCarico>[] = [];
  for (const [i, w] of dismissed.entries()) {
    const office = w.office ?? k.view.office;
    if (!snapshots.has(office)) snapshots.set(office, await officeSnapshot({ office }));
    const snapshot = snapshots.get(office);
    if (!snapshot) continue;
    const caseId = `${PIC_CODE}-${year}-${ulid}W${String(i + 1).padStart(3, '0')}`;
    workers.push({ taxCode: w.taxCode, name: w.name, office, caseId, stage: 'opened' });
    const start: CaseStart = {
      caseId,
      procedure: PIC_CODE,
      office,
      ...snapshot,
      input: {
        worker: {
          taxCode: w.taxCode,
          name: w.name,
          dismissedOn,
          ...(w.naspiAppliedOn ? { naspiAppliedOn: w.naspiAppliedOn } : {}),
        },
        employerName,
        parentCaseId: k.view.caseId,
        suggestedGolPath: 5,
      },
      openedBy: SYSTEM,
    };
    // A withdrawn dismissal case leaves its workers' cases running: they still need their pact.
    handles.push(
      await startChild<typeof presaInCarico>('presaInCarico', {
        workflowId: caseId,
        args: [start],
        parentClosePolicy: 'ABANDON',
      }),
    );
  }
  k.view.facts.workersByStage = countStages(workers);
  k.emit('ChildCasesOpened', `${workers.length} take-in-charge case(s) opened`, {
    cases: workers.map((w) => ({ caseId: w.caseId, taxCode: w.taxCode, office: w.office })),
  });
  await k.external(() => Promise.allSettled(handles.map((h) => h.result())));
}
