/**
 * An employer's targeted-placement year (L. 68/1999; procedures.md §3.4) as one durable case. It runs from the
 * January campaign (or an officer's start) to 31 December: the annual return, the quota, the 60-day term, the ways
 * to comply, the sanctions reported to the labour inspectorate, the art. 17 certificate. The arithmetic is in
 * `domain/procedures/l68-obligation.ts`; this file only feeds it what happens, when it happens.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { CaseStart, CaseView, DeadlineView, TaskView } from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import { addDays, makeDate, maxDate } from '../domain/dates';
import type { L68Ranking, L68RankingRow } from '../domain/procedures/l68-ranking';
import type {
  AgreementState,
  CountedHire,
  ExemptionState,
  ObligationStartInput,
  Period,
  Position,
  ReturnNews,
} from '../domain/procedures/l68-obligation';
import {
  OBLIGATION_RULES,
  agreementBehind,
  agreementRefusal,
  certificateVerdict,
  employerUnitKey,
  exemptionCap,
  exemptionContribution,
  hireCounts,
  obligationForms,
  obligationLimitsOn,
  obligationProcedure,
  obligationStartInput,
  position,
  quotaFromReturn,
  unsuspendedTerm,
  suspensionsIn,
} from '../domain/procedures/l68-obligation';
import type { Quota } from '../domain/procedures/targeted-placement';
import { lateReturnSanction, quota, uncoveredQuotaSanction } from '../domain/procedures/targeted-placement';
import type { KernelState } from './kernel';
import { CaseKernel, caseActivities, notify, refuse, startInput } from './kernel';
import { l68PlacedSignal } from './messages';

const { employerSuspensions, l68Enrolment, l68Ranking } = caseActivities;

export interface ObligationOptions {
  /** Set by a run continued as new. */
  resume?: { kernel: KernelState; year: ObligationYearState };
  /** Continue as new past this many history events even before Temporal suggests it (tests lower it). */
  continueAsNewAfterEvents?: number;
}

export async function obbligoCollocamentoMirato(
  start: CaseStart,
  options: ObligationOptions = {},
): Promise<CaseView> {
  const input = startInput(obligationStartInput, start, 'L. 68 obligation');
  const e = input.employer;
  const k = new CaseKernel(
    start,
    obligationProcedure,
    {
      title: `Collocamento mirato ${input.year} – ${e.name}`,
      parties: [{ role: 'employer', name: e.name, identifier: e.taxCode }],
      keys: { employer: e.taxCode, year: String(input.year) },
      units: [employerUnitKey(e.taxCode, input.year)],
    },
    options.resume?.kernel,
  );
  return k.run(() => new ObligationYear(k, input, options).run());
}

/**
 * What a year carries into a run continued as new: its own fields, with the tasks and terms it holds named by id
 * (the new run finds them in the restored view).
 */
export interface ObligationYearState {
  q: Quota | null;
  employedAtReturn: number;
  employedArt18: number;
  offsetting: number;
  hires: CountedHire[];
  agreements: (AgreementState & { taskId: string | null; steps: string[] })[];
  exemptionState: ExemptionState | null;
  exemptionTaskId: string | null;
  referrals: Referral[];
  referralRanking: L68Ranking | null;
  nominative: (Omit<NominativeRequest, 'task'> & { taskId: string | null })[];
  sanctions: SanctionRecord[];
  accruing: { from: IsoDate; missing: number } | null;
  suspensions: Period[];
  termId: string | null;
  returnTermId: string | null;
  exhaustedTaskId: string | null;
  termOffset: number;
}

interface Referral {
  taxCode: string;
  name: string;
  enrolmentCaseId: string;
  rankingPosition: number;
  score: number;
  round: number;
  referredOn: IsoDate;
  status: 'referred' | 'hired' | 'unsuitable' | 'refused' | 'absent';
  outcomeOn: IsoDate | null;
}

interface NominativeRequest {
  taxCode: string;
  name: string;
  enrolmentCaseId: string | null;
  requestedOn: IsoDate;
  status: 'checking' | 'granted' | 'refused' | 'used';
  reason: string | null;
  validUntil: IsoDate | null;
  task: TaskView | null;
}

interface SanctionRecord {
  kind: 'late-return' | 'uncovered-quota';
  from: IsoDate;
  to: IsoDate;
  missing: number;
  workingDays: number;
  amount: number;
  legalBasis: string;
  reportedTo: 'ITL';
  reference: string;
}

class ObligationYear {
  private q: Quota | null = null;
  private employedAtReturn = 0;
  private employedArt18 = 0;
  private offsetting = 0;
  private readonly hires: CountedHire[] = [];
  private readonly agreements: (AgreementState & { task: TaskView | null; steps: string[] })[] = [];
  private exemptionState: ExemptionState | null = null;
  private exemptionTask: TaskView | null = null;
  private readonly referrals: Referral[] = [];
  private referralRanking: L68Ranking | null = null;
  private readonly nominative: NominativeRequest[] = [];
  private readonly sanctions: SanctionRecord[] = [];
  private accruing: { from: IsoDate; missing: number } | null = null;
  private suspensions: Period[] = [];
  private term: DeadlineView | null = null;
  private returnTerm: DeadlineView | null = null;
  private readonly arisesOn: IsoDate;
  private readonly yearEndDay: IsoDate;
  private exhaustedTask: TaskView | null = null;
  private termOffset = OBLIGATION_RULES.sixtyDays.offset;

  private readonly resumed: ObligationYearState | undefined;

  constructor(
    private readonly k: CaseKernel,
    private readonly input: ObligationStartInput,
    private readonly options: ObligationOptions,
  ) {
    this.arisesOn = input.obligationArisesOn ?? makeDate(input.year, 1, 1);
    this.yearEndDay = makeDate(input.year, 12, 31);
    this.resumed = options.resume?.year;
    if (this.resumed) this.restore(this.resumed);
  }

  private task(id: string | null): TaskView | null {
    return id === null ? null : (this.k.view.tasks.find((t) => t.taskId === id) ?? null);
  }

  private deadline(id: string | null): DeadlineView | null {
    return id === null ? null : (this.k.view.deadlines.find((d) => d.id === id) ?? null);
  }

  private snapshot(): ObligationYearState {
    return {
      q: this.q,
      employedAtReturn: this.employedAtReturn,
      employedArt18: this.employedArt18,
      offsetting: this.offsetting,
      hires: this.hires,
      agreements: this.agreements.map(({ task, ...a }) => ({ ...a, taskId: task?.taskId ?? null })),
      exemptionState: this.exemptionState,
      exemptionTaskId: this.exemptionTask?.taskId ?? null,
      referrals: this.referrals,
      referralRanking: this.referralRanking,
      nominative: this.nominative.map(({ task, ...n }) => ({ ...n, taskId: task?.taskId ?? null })),
      sanctions: this.sanctions,
      accruing: this.accruing,
      suspensions: this.suspensions,
      termId: this.term?.id ?? null,
      returnTermId: this.returnTerm?.id ?? null,
      exhaustedTaskId: this.exhaustedTask?.taskId ?? null,
      termOffset: this.termOffset,
    };
  }

  private restore(s: ObligationYearState): void {
    this.q = s.q;
    this.employedAtReturn = s.employedAtReturn;
    this.employedArt18 = s.employedArt18;
    this.offsetting = s.offsetting;
    this.hires.push(...s.hires);
    this.agreements.push(...s.agreements.map(({ taskId, ...a }) => ({ ...a, task: this.task(taskId) })));
    this.exemptionState = s.exemptionState;
    this.exemptionTask = this.task(s.exemptionTaskId);
    this.referrals.push(...s.referrals);
    this.referralRanking = s.referralRanking;
    this.nominative.push(...s.nominative.map(({ taskId, ...n }) => ({ ...n, task: this.task(taskId) })));
    this.sanctions.push(...s.sanctions);
    this.accruing = s.accruing;
    this.suspensions = s.suspensions;
    this.term = this.deadline(s.termId);
    this.returnTerm = this.deadline(s.returnTermId);
    this.exhaustedTask = this.task(s.exhaustedTaskId);
    this.termOffset = s.termOffset;
  }

  /** A long year (many hires, referrals, news) continues as a new run, carrying its state. */
  private async continueIfDue(): Promise<void> {
    const k = this.k;
    if (!k.continueAsNewDue(this.options.continueAsNewAfterEvents)) return;
    await k.continueAsNew((kernel) => [
      k.start,
      { ...this.options, resume: { kernel, year: this.snapshot() } } satisfies ObligationOptions,
    ]);
  }

  private get facts(): Record<string, unknown> {
    return this.k.view.facts;
  }

  async run(): Promise<void> {
    const k = this.k;
    this.acceptNews();
    if (!this.resumed) {
      this.facts.year = this.input.year;
      this.facts.employerKind = this.input.employer.kind;
      this.facts.obligationArisesOn = this.arisesOn;
      this.facts.previous = this.input.previous ?? null;
      this.publish();
      this.returnTerm = k.setDeadline(
        'annual-return',
        OBLIGATION_RULES.annualReturn,
        makeDate(this.input.year - 1, 12, 31),
        'Late-return sanction (art. 15 c.1); without an earlier situation the office chases the employer',
      );
      k.setDeadline(
        'year-end',
        OBLIGATION_RULES.yearEnd,
        this.yearEndDay,
        'Sanctions and contributions are settled and the case closes',
      );
      k.setStep('awaiting the annual return');
    }
    const yearEnd = this.deadline('year-end');
    if (!yearEnd) throw new Error('the year-end term is missing');

    for (;;) {
      await this.continueIfDue();
      const wakeAt = this.nextWake(Date.parse(yearEnd.dueAt));
      const news = await k.nextNews(NEWS_TYPES, wakeAt, () => this.taskDone());
      if (k.terminal) return;
      // Read once per wake: everything this turn handles sees the same suspensions.
      await this.refreshSuspensions();
      if (news) await this.onNews(news.type, news.data);
      this.onTasks();
      await this.onTime();
      if (Date.now() >= Date.parse(yearEnd.dueAt)) break;
      await this.recompute(k.today);
    }
    await this.closeYear(yearEnd);
  }

  // ---- waking up ----

  private nextWake(yearEndMs: number): number {
    const dues = [yearEndMs];
    for (const d of this.k.view.deadlines) if (d.status === 'pending') dues.push(Date.parse(d.dueAt));
    return Math.min(...dues);
  }

  private openTasks(): TaskView[] {
    return [
      ...this.nominative.map((n) => n.task),
      ...this.agreements.map((a) => a.task),
      this.exemptionTask,
    ].filter((t): t is TaskView => t !== null);
  }

  private taskDone(): boolean {
    return this.openTasks().some((t) => t.status === 'completed');
  }

  private acceptNews(): void {
    const k = this.k;
    const notAfterToday = (field: string, day: string): void => {
      if (day > k.today)
        refuse('InvalidFormData', 'a day in the future', [
          { path: `data.${field}`, message: `must not be after ${k.today}` },
        ]);
    };
    k.acceptNews('return', (data) => {
      if (this.q !== null && this.facts.annualReturn !== null && !(data as ReturnNews).changed)
        refuse('NewsNotExpected', 'a return is already on record; send one only when something changed');
    });
    k.acceptNews('nominative-request', (data) => {
      if (
        this.nominative.some(
          (n) => n.taxCode === data.taxCode && (n.status === 'checking' || n.status === 'granted'),
        )
      )
        refuse('NewsNotExpected', `a request for ${String(data.taxCode)} is already open`);
    });
    k.acceptNews('hire', (data) => {
      notAfterToday('hiredOn', String(data.hiredOn));
      if (data.via === 'nominative') {
        const n = this.nominative.find((x) => x.taxCode === data.taxCode && x.status === 'granted');
        if (!n)
          refuse('InvalidFormData', 'no clearance for this person', [
            { path: 'data.taxCode', message: 'needs a granted clearance (nominative request) first' },
          ]);
        if (n.validUntil !== null && String(data.hiredOn) > n.validUntil)
          refuse('InvalidFormData', `the clearance expired on ${n.validUntil}`, [
            { path: 'data.hiredOn', message: `must not be after ${n.validUntil}` },
          ]);
      } else {
        const a = this.agreements.find((x) => x.agreementNo === data.agreementNo);
        if (!a || a.status !== 'active')
          refuse('InvalidFormData', 'no active agreement with that number', [
            { path: 'data.agreementNo', message: 'must name an active agreement of this case' },
          ]);
      }
    });
    k.acceptNews('referral-outcome', (data) => {
      notAfterToday('date', String(data.date));
      const r = this.referrals.find((x) => x.taxCode === data.taxCode && x.status === 'referred');
      if (!r)
        refuse('InvalidFormData', 'the person was not referred to this employer', [
          { path: 'data.taxCode', message: 'has no open referral on this case' },
        ]);
    });
    k.acceptNews('agreement', () => {
      if (this.q === null) refuse('NewsNotExpected', 'no quota yet: the annual return comes first');
      if (this.agreements.some((a) => a.status === 'proposed'))
        refuse('NewsNotExpected', 'another agreement is being decided');
    });
    k.acceptNews('exemption-request', () => {
      if (this.q === null) refuse('NewsNotExpected', 'no quota yet: the annual return comes first');
      if (this.exemptionTask?.status === 'open')
        refuse('NewsNotExpected', 'a request is already being decided');
    });
    k.acceptNews('certificate-request');

    k.checkTask(obligationForms.agreement.key, (outcome, data) => {
      if (outcome !== 'signed' || this.q === null) return;
      const a = this.agreements.find((x) => x.task?.status === 'open');
      if (!a) return;
      const why = agreementRefusal(
        a.type,
        a.workers,
        a.schedule.reduce((s, x) => s + x.hires, 0),
        this.q,
        String(data.signedOn),
      );
      if (why) refuse('InvalidFormData', why, [{ path: 'outcome', message: why }]);
    });
    k.checkTask(obligationForms.exemption.key, (outcome, data) => {
      if (outcome !== 'authorised' || this.q === null) return;
      const cap = exemptionCap(this.q, Number(data.workers), String(data.from));
      if (Number(data.workers) > cap)
        refuse('InvalidFormData', `at most ${cap} worker(s): 60% of the quota (art. 5 c.3)`, [
          { path: 'data.workers', message: `must not exceed ${cap}` },
        ]);
    });
  }

  // ---- news ----

  private async onNews(type: string, data: Record<string, unknown>): Promise<void> {
    const k = this.k;
    if (type === 'return') return this.onReturn(data as ReturnNews);
    if (type === 'nominative-request') {
      const enrolment = await l68Enrolment({ taxCode: String(data.taxCode) });
      const n: NominativeRequest = {
        taxCode: String(data.taxCode),
        name: String(data.name),
        enrolmentCaseId: enrolment?.caseId ?? null,
        requestedOn: String(data.requestedOn),
        status: 'checking',
        reason: null,
        validUntil: null,
        task: null,
      };
      this.nominative.push(n);
      if (!enrolment || enrolment.status !== 'enrolled') {
        n.status = 'refused';
        n.reason = enrolment
          ? `the enrolment ${enrolment.caseId} is ${enrolment.status}`
          : 'not on the targeted-placement lists';
        k.recordDecision(
          'clearance',
          'refused',
          k.today,
          'CPI',
          { taxCode: n.taxCode, reason: n.reason },
          SYSTEM,
        );
      } else {
        n.task = k.openTask(obligationForms.clearance);
        n.task.title = `Clearance for ${n.name} (${n.taxCode}), enrolled since ${enrolment.enrolledOn ?? '?'}`;
      }
      return;
    }
    if (type === 'hire') {
      const counts = hireCounts(
        data.contract as 'permanent' | 'fixed-term',
        data.months as number | undefined,
        String(data.hiredOn),
      );
      const via = data.via as 'nominative' | 'agreement';
      if (via === 'nominative') {
        const n = this.nominative.find((x) => x.taxCode === data.taxCode && x.status === 'granted');
        if (n) n.status = 'used';
      }
      if (!counts) {
        k.emit(
          'HireCounted',
          `${String(data.name)}: fixed-term under ${obligationLimitsOn(k.today).fixedTermMonthsToCount} months, not counted`,
          {
            taxCode: data.taxCode,
            counted: false,
          },
        );
        return;
      }
      const agreementNo = via === 'agreement' ? String(data.agreementNo) : null;
      await this.countHire({
        taxCode: String(data.taxCode),
        name: String(data.name),
        hiredOn: String(data.hiredOn),
        via,
        agreementNo,
      });
      const a = this.agreements.find((x) => x.agreementNo === agreementNo);
      if (a && this.hires.filter((h) => h.agreementNo === a.agreementNo).length >= a.workers) {
        a.status = 'fulfilled';
        for (const id of a.steps) {
          const d = k.deadline(id);
          if (d.status === 'pending') k.markDeadline(d, 'met', 'every hire made');
        }
        k.emit('AgreementChanged', `Agreement ${a.agreementNo} fulfilled`, {
          agreementNo: a.agreementNo,
          status: a.status,
        });
      }
      return;
    }
    if (type === 'referral-outcome') {
      const r = this.referrals.find((x) => x.taxCode === data.taxCode && x.status === 'referred');
      if (!r) return;
      r.status = data.outcome as Referral['status'];
      r.outcomeOn = String(data.date);
      k.emit('TestOutcomeRecorded', `Referral of ${r.name}: ${r.status}`, {
        taxCode: r.taxCode,
        outcome: r.status,
      });
      if (r.status === 'hired') {
        await this.countHire(
          { taxCode: r.taxCode, name: r.name, hiredOn: r.outcomeOn, via: 'referral', agreementNo: null },
          r.enrolmentCaseId,
        );
      }
      // Any other outcome: the next person in the ranking replaces them (recompute refers them).
      return;
    }
    if (type === 'agreement') {
      const no = `A${this.agreements.length + 1}`;
      const task = k.openTask(obligationForms.agreement);
      task.title = `Agreement ${no} (${String(data.type)}, ${String(data.workers)} worker(s)): sign or refuse`;
      this.agreements.push({
        agreementNo: no,
        type: data.type as AgreementState['type'],
        workers: Number(data.workers),
        schedule: data.schedule as AgreementState['schedule'],
        status: 'proposed',
        signedOn: null,
        breachedOn: null,
        task,
        steps: [],
      });
      return;
    }
    if (type === 'exemption-request') {
      this.exemptionTask = k.openTask(obligationForms.exemption);
      this.exemptionTask.title = `Partial exemption for ${String(data.workers)} worker(s): decide`;
      return;
    }
    if (type === 'certificate-request') {
      const p = this.q ? this.position(k.today) : null;
      const v = certificateVerdict(p, this.term?.due ?? null, this.suspendedOn(k.today), k.today);
      k.recordDecision(
        'certificate',
        v.issued ? 'issued' : 'refused',
        k.today,
        'CPI (L. 68/1999 art. 17)',
        { reason: v.reason, purpose: data.purpose, requestedOn: data.requestedOn },
        SYSTEM,
      );
      if (v.issued)
        k.recordDocument('certificate', `Compliance certificate (art. 17): ${v.reason}`, k.today, null);
    }
  }

  private async onReturn(r: ReturnNews): Promise<void> {
    const k = this.k;
    const { quota: q, excluded } = quotaFromReturn(r, r.referenceDate);
    const due = this.returnTerm?.due ?? r.filedOn;
    const late = r.filedOn > due;
    this.facts.annualReturn = { ...r, late, excluded };
    for (const t of k.view.tasks)
      if (t.key === obligationForms.chaseReturn.key) k.cancelTask(t, 'the return arrived');
    if (this.returnTerm?.status === 'pending')
      this.k.markDeadline(this.returnTerm, 'met', `filed on ${r.filedOn}`);
    // Art. 15 c.1: a return due (something changed) and filed after 31 January.
    if (late && r.changed) {
      const s = lateReturnSanction(due, r.filedOn);
      await this.report({
        kind: 'late-return',
        from: addDays(due, 1),
        to: r.filedOn,
        missing: 0,
        workingDays: s.daysLate,
        amount: s.amount,
        legalBasis: `${s.legalBasis}: €702.43 + €34.02 × ${s.daysLate} day(s) late`,
      });
    }
    this.setQuota(
      q,
      r.employedDisabled,
      r.employedArt18,
      r.offsetting.reduce((s, o) => s + o.delta, 0),
    );
    k.recordDocument(
      'annual-return',
      `Annual return on ${r.referenceDate}${late ? ' (late)' : ''}`,
      r.filedOn,
      null,
    );
  }

  private setQuota(q: Quota, employed: number, art18: number, offsetting: number): void {
    const k = this.k;
    this.q = q;
    this.employedAtReturn = employed;
    this.employedArt18 = art18;
    this.offsetting = offsetting;
    k.emit('QuotaComputed', q.explanation, {
      quota: q,
      employedDisabled: employed,
      employedArt18: art18,
      offsetting,
    });
    if (this.term === null) {
      this.term = k.setDeadline(
        'sixty-days',
        OBLIGATION_RULES.sixtyDays,
        this.arisesOn,
        'Numeric referrals in ranking order and the daily sanction (art. 15 c.4)',
      );
      this.facts.termDue = this.term.due;
    }
    k.setStep('obligation year');
  }

  private async countHire(h: CountedHire, enrolmentCaseId?: string): Promise<void> {
    const k = this.k;
    this.hires.push(h);
    k.emit('HireCounted', `${h.name} hired on ${h.hiredOn} (${h.via}) counts towards the quota`, { ...h });
    const caseId =
      enrolmentCaseId ??
      this.nominative.find((n) => n.taxCode === h.taxCode)?.enrolmentCaseId ??
      (await l68Enrolment({ taxCode: h.taxCode }))?.caseId;
    if (caseId) {
      // The person's enrolment case may have ended meanwhile: the hire counts here regardless, without waiting.
      void getExternalWorkflowHandle(caseId)
        .signal(l68PlacedSignal, {
          employerCaseId: k.view.caseId,
          employer: this.input.employer.name,
          hiredOn: h.hiredOn,
        })
        .catch(() => undefined);
    }
    await this.recompute(h.hiredOn);
  }

  // ---- tasks ----

  private onTasks(): void {
    const k = this.k;
    for (const n of this.nominative) {
      if (n.task?.status !== 'completed') continue;
      const t = n.task;
      n.task = null;
      if (t.outcome === 'granted') {
        n.status = 'granted';
        n.validUntil = addDays(k.today, obligationLimitsOn(k.today).clearanceValidDays);
        n.reason = `valid until ${n.validUntil} (DM 43/2022 §4.1)`;
        k.recordDocument(
          'clearance',
          `Clearance (nulla osta) for ${n.name}, valid until ${n.validUntil}`,
          k.today,
          null,
        );
      } else {
        n.status = 'refused';
        n.reason = String(t.data?.reasons);
      }
    }
    for (const a of this.agreements) {
      if (a.task?.status !== 'completed') continue;
      const t = a.task;
      a.task = null;
      if (t.outcome !== 'signed') {
        a.status = 'refused';
        k.emit('AgreementChanged', `Agreement ${a.agreementNo} refused: ${String(t.data?.reasons)}`, {
          agreementNo: a.agreementNo,
          status: a.status,
        });
        continue;
      }
      a.status = 'active';
      a.signedOn = String(t.data?.signedOn);
      let due = 0;
      for (const [i, step] of a.schedule.entries()) {
        due += step.hires;
        const d = k.setDeadline(
          `agreement-${a.agreementNo}-${i + 1}`,
          {
            ...OBLIGATION_RULES.agreementStep,
            title: `Agreement ${a.agreementNo}: ${due} hire(s) by ${step.by}`,
          },
          step.by,
          'A breach puts the standard obligation back (referrals, sanction)',
        );
        a.steps.push(d.id);
      }
      k.recordDocument(
        'agreement',
        `Agreement ${a.agreementNo} (${a.type}) for ${a.workers} worker(s)`,
        a.signedOn,
        null,
      );
      k.emit(
        'AgreementChanged',
        `Agreement ${a.agreementNo} signed: ${a.workers} worker(s) by ${a.schedule[a.schedule.length - 1]?.by ?? ''}`,
        {
          agreementNo: a.agreementNo,
          status: a.status,
        },
      );
    }
    if (this.exemptionTask?.status === 'completed') {
      const t = this.exemptionTask;
      this.exemptionTask = null;
      if (t.outcome === 'authorised') {
        this.exemptionState = {
          workers: Number(t.data?.workers),
          from: String(t.data?.from),
          to: String(t.data?.to),
        };
        k.recordDecision(
          'exemption',
          'authorised',
          k.today,
          'Region / ARTI (art. 5 c.3)',
          { ...this.exemptionState },
          SYSTEM,
        );
      } else {
        k.recordDecision(
          'exemption',
          'refused',
          k.today,
          'Region / ARTI (art. 5 c.3)',
          { reasons: t.data?.reasons },
          SYSTEM,
        );
      }
    }
  }

  // ---- time ----

  private async onTime(): Promise<void> {
    const k = this.k;
    const now = Date.now();
    if (this.returnTerm?.status === 'pending' && now >= Date.parse(this.returnTerm.dueAt)) {
      const prev = this.input.previous;
      if (prev) {
        // Art. 9 c.6: no return is due when nothing changed; last year's situation stands.
        k.markDeadline(this.returnTerm, 'met', 'no return: nothing changed, last year’s situation stands');
        this.facts.annualReturn = null;
        this.setQuota(
          quota(prev.base, makeDate(this.input.year - 1, 12, 31)),
          prev.employedDisabled,
          prev.employedArt18,
          0,
        );
      } else {
        k.markDeadline(this.returnTerm, 'missed');
        k.openTask(obligationForms.chaseReturn);
      }
    }
    if (this.term?.status === 'pending' && now >= Date.parse(this.term.dueAt)) {
      // Art. 3 c.5: the days the obligation was suspended do not count towards the 60.
      const offset = unsuspendedTerm(this.arisesOn, OBLIGATION_RULES.sixtyDays.offset, this.suspensions);
      if (offset > this.termOffset) {
        const n = offset - OBLIGATION_RULES.sixtyDays.offset;
        this.termOffset = offset;
        k.markDeadline(this.term, 'cancelled');
        this.term = k.setDeadline(
          `sixty-days-${n}`,
          {
            ...OBLIGATION_RULES.sixtyDays,
            offset,
            title: `${OBLIGATION_RULES.sixtyDays.title} (+${n} suspended days, art. 3 c.5)`,
          },
          this.arisesOn,
          'Numeric referrals in ranking order and the daily sanction (art. 15 c.4)',
        );
        this.facts.termDue = this.term.due;
      } else {
        const p = this.q ? this.position(this.term.due) : null;
        if (p && p.uncovered === 0) k.markDeadline(this.term, 'met', p.explanation);
        else k.markDeadline(this.term, 'missed', p?.explanation);
        await this.recompute(addDays(this.term.due, 1));
      }
    }
    for (const a of this.agreements.filter((x) => x.status === 'active')) {
      for (const id of a.steps) {
        const d = k.deadline(id);
        if (d.status !== 'pending' || now < Date.parse(d.dueAt)) continue;
        const behind = agreementBehind(a, this.hires, d.due);
        if (behind === 0) {
          k.markDeadline(d, 'met');
          continue;
        }
        k.markDeadline(d, 'missed', `${behind} hire(s) behind`);
        a.status = 'breached';
        a.breachedOn = addDays(d.due, 1);
        for (const other of a.steps) {
          const o = k.deadline(other);
          if (o.status === 'pending') k.markDeadline(o, 'cancelled');
        }
        k.emit(
          'AgreementChanged',
          `Agreement ${a.agreementNo} breached: ${behind} hire(s) behind on ${d.due}; the standard obligation applies again`,
          {
            agreementNo: a.agreementNo,
            status: a.status,
            behind,
          },
        );
        await this.recompute(a.breachedOn);
        break;
      }
    }
  }

  // ---- the position, referrals and sanctions ----

  private position(on: IsoDate): Position {
    if (!this.q) throw new Error('no quota');
    return position(
      this.q,
      this.employedAtReturn,
      this.hires,
      this.agreements,
      this.exemptionState,
      this.offsetting,
      on,
    );
  }

  private suspendedOn(d: IsoDate): boolean {
    return this.suspensions.some((s) => s.from <= d && d <= s.to);
  }

  private async refreshSuspensions(): Promise<void> {
    const list = await employerSuspensions({ employer: this.input.employer.taxCode });
    this.suspensions = suspensionsIn(this.input.year, list);
    this.facts.suspensions = list;
  }

  /** Recomputes the position as of `changeOn` (the day a change took effect) and acts on it. */
  private async recompute(changeOn: IsoDate): Promise<void> {
    if (!this.q) {
      this.publish();
      return;
    }
    const k = this.k;
    const p = this.position(k.today);
    const termOver = this.term !== null && this.term.status !== 'pending' && this.term.status !== 'cancelled';
    const missing = termOver ? p.uncovered : 0;
    if ((this.accruing?.missing ?? 0) !== missing) {
      if (this.accruing) await this.closeAccrual(addDays(maxDate(changeOn, this.accruing.from), -1));
      if (missing > 0) {
        this.accruing = { from: maxDate(changeOn, addDays(this.term?.due ?? changeOn, 1)), missing };
        k.emit(
          'SanctionApplied',
          `Daily sanction accruing from ${this.accruing.from}: ${missing} worker(s) missing`,
          {
            accruingFrom: this.accruing.from,
            missing,
          },
        );
      }
    }
    this.publish(p);
    if (termOver && p.uncovered > 0 && !this.suspendedOn(k.today) && this.input.employer.kind !== 'public') {
      await this.refer(p.uncovered);
    }
  }

  /** Art. 7 c.1: referrals in ranking order until the open referrals match the missing workers. */
  private async refer(missing: number): Promise<void> {
    const k = this.k;
    const open = this.referrals.filter((r) => r.status === 'referred').length;
    let need = missing - open;
    if (need <= 0) return;
    if (!this.referralRanking) {
      this.referralRanking = await l68Ranking({ offices: [k.view.office], list: 'art1', on: k.today });
      this.facts.referralRanking = {
        referenceDate: this.referralRanking.referenceDate,
        ruleVersion: this.referralRanking.ruleVersion,
        ruleTitle: this.referralRanking.ruleTitle,
        size: this.referralRanking.rows.length,
      };
    }
    const used = new Set(this.referrals.map((r) => r.taxCode));
    const round = Math.max(0, ...this.referrals.map((r) => r.round)) + 1;
    const picked: L68RankingRow[] = [];
    for (const row of this.referralRanking.rows) {
      if (need === 0) break;
      if (used.has(row.taxCode)) continue;
      picked.push(row);
      need -= 1;
    }
    for (const row of picked) {
      this.referrals.push({
        taxCode: row.taxCode,
        name: row.name,
        enrolmentCaseId: row.caseId,
        rankingPosition: row.position,
        score: row.score,
        round,
        referredOn: k.today,
        status: 'referred',
        outcomeOn: null,
      });
    }
    if (picked.length > 0) {
      k.emit(
        'ReferralMade',
        `Referral ${round}: ${picked.map((r) => `#${r.position} ${r.name}`).join(', ')}`,
        {
          round,
          people: picked.map((r) => ({ taxCode: r.taxCode, position: r.position, score: r.score })),
          ruleVersion: this.referralRanking.ruleVersion,
          rankingOn: this.referralRanking.referenceDate,
        },
      );
      await notify({
        caseId: k.view.caseId,
        idempotencyKey: `${k.view.caseId}:referral:${round}`,
        to: 'employer',
        subject: `Numeric referral ${round} (L. 68/1999 art. 7 c.1)`,
        payload: {
          employer: this.input.employer.taxCode,
          people: picked.map((r) => ({ taxCode: r.taxCode, name: r.name })),
        },
      });
    }
    if (need > 0 && this.exhaustedTask?.status !== 'open') {
      this.exhaustedTask = k.openTask(obligationForms.exhausted);
    }
  }

  private async closeAccrual(to: IsoDate): Promise<void> {
    const a = this.accruing;
    this.accruing = null;
    if (!a || to < a.from) return;
    const s = uncoveredQuotaSanction(a.from, to, a.missing, this.k.start.officeCalendar, this.suspensions);
    if (s.workingDays === 0) return;
    await this.report({
      kind: 'uncovered-quota',
      from: a.from,
      to,
      missing: a.missing,
      workingDays: s.workingDays,
      amount: s.amount,
      legalBasis: `L. 68/1999 art. 15 c.4: €${s.perDay} × ${a.missing} worker(s) × ${s.workingDays} working day(s) (${s.legalBasis})`,
    });
  }

  private async report(s: Omit<SanctionRecord, 'reportedTo' | 'reference'>): Promise<void> {
    const k = this.k;
    const n = this.sanctions.length + 1;
    const receipt = await notify({
      caseId: k.view.caseId,
      idempotencyKey: `${k.view.caseId}:sanction:${n}`,
      to: 'ITL',
      subject: `L. 68/1999 sanction ${n}: ${s.kind} (${this.input.employer.name})`,
      payload: { employer: this.input.employer.taxCode, ...s },
    });
    const record: SanctionRecord = { ...s, reportedTo: 'ITL', reference: receipt.reference };
    this.sanctions.push(record);
    k.emit(
      'SanctionApplied',
      `Sanction ${s.kind}: €${s.amount.toFixed(2)} (${s.from} – ${s.to}), reported to the labour inspectorate`,
      {
        sanction: record,
      },
    );
  }

  private publish(p?: Position): void {
    const k = this.k;
    const today = k.today;
    const termOver = this.term !== null && this.term.status !== 'pending';
    let compliance = 'awaiting the annual return';
    if (p) {
      compliance =
        p.uncovered === 0
          ? 'covered'
          : this.suspendedOn(today)
            ? 'suspended'
            : termOver
              ? 'uncovered'
              : 'within the 60 days';
    }
    Object.assign(this.facts, {
      quota: this.q,
      art18: this.q ? { required: this.q.art18, employed: this.employedArt18 } : null,
      offsetting: this.offsetting,
      position: p ?? null,
      compliance,
      hires: this.hires,
      nominativeRequests: this.nominative.map(({ task, ...n }) => ({ ...n, taskId: task?.taskId ?? null })),
      referrals: this.referrals,
      agreements: this.agreements.map(({ task, steps: _s, ...a }) => ({
        ...a,
        taskId: task?.taskId ?? null,
      })),
      exemption: this.exemptionState,
      sanctions: this.sanctions,
      accruing: this.accruing,
      sanctionsTotal: Math.round(this.sanctions.reduce((s, x) => s + x.amount, 0) * 100) / 100,
    });
  }

  private async closeYear(yearEnd: DeadlineView): Promise<void> {
    const k = this.k;
    k.markDeadline(yearEnd, 'met');
    if (this.accruing) await this.closeAccrual(this.yearEndDay);
    if (this.exemptionState) {
      const c = exemptionContribution(this.exemptionState, this.yearEndDay, k.start.officeCalendar);
      this.facts.exemptionContribution = {
        ...c,
        legalBasis: 'L. 68/1999 art. 5 c.3 (€39.21 per working day from 2022)',
      };
      await notify({
        caseId: k.view.caseId,
        idempotencyKey: `${k.view.caseId}:exemption-contribution`,
        to: 'employer',
        subject: `Exemption contribution ${this.input.year}: €${c.amount.toFixed(2)} to the regional disability fund`,
        payload: { ...c, workers: this.exemptionState.workers },
      });
    }
    const p = this.q ? this.position(this.yearEndDay) : null;
    this.publish(p ?? undefined);
    if (this.q) {
      this.facts.carryOver = {
        base: this.q.base,
        employedDisabled: this.employedAtReturn + this.hires.length,
        employedArt18: this.employedArt18,
      };
    }
    const total = Number(this.facts.sanctionsTotal);
    k.close(
      total > 0 ? 'sanctioned' : p && p.uncovered > 0 ? 'uncovered' : 'compliant',
      `${this.input.year}: ${p ? p.explanation : 'no quota on record'}; sanctions €${total.toFixed(2)}`,
    );
  }
}

const NEWS_TYPES = [
  'return',
  'hire',
  'referral-outcome',
  'nominative-request',
  'agreement',
  'exemption-request',
  'certificate-request',
] as const;
