/**
 * Collective dismissal (L. 223/1991 arts. 4, 5, 24; procedures.md §1) as one durable case: the union phase, the
 * administrative phase, the dismissals and their list with the checks the law puts on them, then a
 * take-in-charge case (workflows/take-in-charge.ts) for every dismissed worker, followed from here.
 */
import { condition, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/types';
import type { CaseStart, CaseView, MemberRow } from '../domain/case-model';
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
import type { KernelState } from './kernel';
import { CaseKernel, caseActivities, startInput } from './kernel';
import type { WorkerStage } from './messages';
import { MEMBERS_WRITE_OWN_ROWS, workerStageSignal } from './messages';

const { admissionData } = caseActivities;

/**
 * Opening a batch of workers' cases: it heartbeats after each few starts, so a parent closed meanwhile (withdrawn,
 * terminated) stops it within the heartbeat timeout instead of leaving it running.
 */
const { openMemberCases } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** A worker of the case as the workflow follows it; the read model holds it as a member row. */
interface WorkerRow {
  taxCode: string;
  name: string;
  office: string;
  caseId: string;
  stage: string;
  ended: boolean;
  naspiAppliedOn: string | null;
}

/** Where the take-in-charge phase stands, carried into a run continued as new. */
export interface MobResume {
  kernel: KernelState;
  workers: WorkerRow[];
  /** How many of the workers' cases are open (they are opened in batches, in order). */
  opened: number;
  dismissedOn: IsoDate;
  employerName: string;
}

export interface MobOptions {
  /** Set by a run continued as new. */
  resume?: MobResume;
  /** Continue as new past this many history events even before Temporal suggests it (tests lower it). */
  continueAsNewAfterEvents?: number;
}

/** Workers' cases opened per activity call: each call's input is stored in history, so it stays small. */
const OPEN_BATCH = 100;
/** Stage changes of the workers are written together, at most this often (one write per batch, not per signal). */
const STAGE_BATCH_WINDOW = '1 second';
/** At most this many stage changes in one event. */
const STAGE_BATCH_MAX = 500;

export async function licenziamentoCollettivo(start: CaseStart, options: MobOptions = {}): Promise<CaseView> {
  const input = startInput(mobStartInput, start, 'collective-dismissal');
  const body = consultingBody(input.productionUnits);
  const k = new CaseKernel(
    start,
    mobProcedure,
    {
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
    },
    options.resume?.kernel,
  );
  const followed = new FollowedWorkers(k, options.resume?.workers ?? []);
  const resume = options.resume;
  if (resume) {
    // A run continued as new: straight back to following the workers' cases.
    return k.run(() =>
      takeInCharge(k, followed, resume.opened, resume.dismissedOn, resume.employerName, start, options),
    );
  }
  return k.run(() => runMob(k, input, body, followed, start, options));
}

/**
 * The workers' cases as this case follows them. Each writes its own row in the list as its stage changes, and
 * signals this case when it ends; the ends are written in batches (one event and one write per batch) and the case
 * shows the counts. (Runs started before MEMBERS_WRITE_OWN_ROWS were told every stage and wrote the rows.)
 */
class FollowedWorkers {
  readonly rows: WorkerRow[];
  private readonly byCase = new Map<string, WorkerRow>();
  private readonly changed = new Set<string>();
  private readonly legacy: boolean;

  constructor(
    private readonly k: CaseKernel,
    rows: WorkerRow[],
  ) {
    this.rows = rows;
    for (const r of rows) this.byCase.set(r.caseId, r);
    this.legacy = !patched(MEMBERS_WRITE_OWN_ROWS);
    setHandler(workerStageSignal, (s: WorkerStage) => this.report(s));
    void this.writeInBatches();
  }

  get ended(): number {
    return this.rows.filter((r) => r.ended).length;
  }

  /** Follows these workers; their rows are written as their cases open. */
  add(rows: WorkerRow[]): void {
    for (const r of rows) {
      this.rows.push(r);
      this.byCase.set(r.caseId, r);
    }
  }

  /** The workers by stage (once all have ended, by the stage each ended in). */
  counts(onlyEnded = false): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const w of this.rows) if (w.ended || !onlyEnded) counts[w.stage] = (counts[w.stage] ?? 0) + 1;
    return counts;
  }

  private report(s: WorkerStage): void {
    const row = this.byCase.get(s.caseId);
    if (!row || (row.stage === s.stage && row.ended === (s.ended === true))) return;
    if (!this.legacy && (s.ended !== true || row.ended)) return;
    row.stage = s.stage;
    row.ended = row.ended || s.ended === true;
    this.changed.add(row.caseId);
  }

  get pending(): boolean {
    return this.changed.size > 0;
  }

  /** Writes the changes gathered so far: the counts, and one event naming them. */
  write(): void {
    while (this.changed.size > 0) {
      const batch = [...this.changed].slice(0, STAGE_BATCH_MAX);
      const changes = batch.flatMap((id) => {
        this.changed.delete(id);
        const row = this.byCase.get(id);
        if (!row) return [];
        if (this.legacy) this.k.putMember(memberOf(row));
        return [{ caseId: row.caseId, taxCode: row.taxCode, stage: row.stage, ended: row.ended }];
      });
      this.k.view.facts.workersEnded = this.ended;
      this.k.view.facts.workersEndedByStage = this.counts(true);
      if (this.legacy) this.k.view.facts.workersByStage = this.counts();
      const one = changes.length === 1 && changes[0] ? changes[0] : null;
      const who = one ? (this.byCase.get(one.caseId)?.name ?? one.taxCode) : '';
      if (this.legacy) {
        this.k.emit(
          'WorkerStageChanged',
          one ? `${who}: ${one.stage}` : `${changes.length} workers changed stage`,
          { changes },
        );
      } else {
        this.k.emit(
          'WorkerCasesEnded',
          one ? `${who}: case ended (${one.stage})` : `${changes.length} workers' cases ended`,
          { cases: changes.map(({ ended: _e, ...c }) => c) },
        );
      }
    }
  }

  private async writeInBatches(): Promise<void> {
    for (;;) {
      await condition(() => this.changed.size > 0);
      await sleep(STAGE_BATCH_WINDOW);
      this.write();
    }
  }
}

function memberOf(r: WorkerRow): MemberRow {
  return {
    key: r.taxCode,
    name: r.name,
    office: r.office,
    memberCaseId: r.caseId,
    stage: r.stage,
    details: { ended: r.ended },
  };
}

async function runMob(
  k: CaseKernel,
  input: MobStartInput,
  body: { kind: string; name: string },
  workers: FollowedWorkers,
  start: CaseStart,
  options: MobOptions,
): Promise<void> {
  const conditions = halvingConditions(input);
  const planned = plannedDismissals(input);
  k.view.facts = {
    plannedDismissals: planned,
    halvedTerms: conditions.length > 0,
    mediator: body.name,
    cigsCaseId: input.cigsCaseId ?? null,
    agreement: null,
    workersTotal: 0,
    workersOpened: 0,
    workersEnded: 0,
    workersEndedByStage: {},
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

  // The list itself stays in the task's completion event (the audit trail); the case keeps its count, and each
  // worker becomes a member row with a take-in-charge case of its own, opened in the background.
  listTask.data = { ...data, workers: { count: dismissed.length, listedIn: 'case_members' } };
  const [, year, ulid] = k.view.caseId.split('-');
  workers.add(
    dismissed.map((w, i) => ({
      taxCode: w.taxCode,
      name: w.name,
      office: w.office ?? k.view.office,
      caseId: `${PIC_CODE}-${year}-${ulid}W${String(i + 1).padStart(3, '0')}`,
      stage: 'opened',
      ended: false,
      naspiAppliedOn: w.naspiAppliedOn ?? null,
    })),
  );
  k.view.facts.workersTotal = dismissed.length;
  k.view.facts.workersByStage = workers.counts();
  await takeInCharge(k, workers, 0, notifiedOn, input.employer.name, start, options);
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

/**
 * Opens a take-in-charge case for every dismissed worker, in batches from `opened` on, and follows them until each
 * has ended. While it does, the case counts as settled (the list step answers at once); it continues as new when
 * its history grows long, carrying the workers.
 */
async function takeInCharge(
  k: CaseKernel,
  workers: FollowedWorkers,
  opened: number,
  dismissedOn: IsoDate,
  employerName: string,
  start: CaseStart,
  options: MobOptions,
): Promise<void> {
  const total = workers.rows.length;
  k.setStep(`take-in-charge of ${total} worker(s)`);
  const continueIfDue = async (done: number): Promise<void> => {
    if (!k.continueAsNewDue(options.continueAsNewAfterEvents)) return;
    workers.write();
    await k.continueAsNew((kernel) => [
      start,
      {
        ...options,
        resume: { kernel, workers: workers.rows, opened: done, dismissedOn, employerName },
      } satisfies MobOptions,
    ]);
  };
  for (let from = opened; from < total; from += OPEN_BATCH) {
    const batch = workers.rows.slice(from, from + OPEN_BATCH);
    // A withdrawn dismissal case leaves its workers' cases running: they still need their pact.
    await k.external(() =>
      openMemberCases({
        parentCaseId: k.view.caseId,
        cases: batch.map((w) => ({
          member: { key: w.taxCode, name: w.name },
          workflowType: 'presaInCarico',
          caseId: w.caseId,
          procedure: PIC_CODE,
          office: w.office,
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
        })),
      }),
    );
    k.view.facts.workersOpened = Math.min(total, from + batch.length);
    k.emit('ChildCasesOpened', `${batch.length} take-in-charge case(s) opened`, {
      cases: batch.map((w) => ({ caseId: w.caseId, taxCode: w.taxCode, office: w.office })),
    });
    await continueIfDue(from + batch.length);
  }
  for (;;) {
    await k.external(() =>
      condition(() => workers.ended >= total || k.continueAsNewDue(options.continueAsNewAfterEvents)),
    );
    if (workers.ended >= total) break;
    await continueIfDue(total);
  }
  workers.write();
  k.close(
    'completed',
    `${total} worker(s) taken in charge: ` +
      Object.entries(workers.counts())
        .map(([s, n]) => `${n} ${s}`)
        .join(', '),
  );
}
