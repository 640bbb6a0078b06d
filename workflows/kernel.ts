/**
 * The case kernel: what every procedure workflow shares. It keeps the case view, numbers and emits domain
 * events, opens and closes tasks, runs legal deadlines and service targets as durable timers that stop while the
 * case is suspended, and answers the Updates of workflows/messages.ts.
 *
 * The read model is written by the `project` local activity, strictly in order (one chain), with an id per event
 * and a version guard, so that a retried write never duplicates or regresses anything. Each write carries a delta
 * (new events, changed paths of the case, changed inbox and member rows): a local activity's input is not stored in
 * history, and what it carries does not grow with the case. Updates answer a small acknowledgement; callers read
 * the case from the read model, which is written by then.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { LocalActivityOptions } from '@temporalio/workflow';
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  isCancellation,
  condition,
  continueAsNew,
  log,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import { CASE_STATUS } from './search-attributes';
import type { CaseActivities } from '../activities/types';
import type {
  Actor,
  CaseAck,
  CaseEvent,
  CaseEventType,
  CaseStart,
  CaseView,
  CheckView,
  DeadlineView,
  MemberRow,
  MemberStage,
  ProjectionDelta,
  Role,
  TaskView,
} from '../domain/case-model';
import { SYSTEM } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import { daysBetween, endOfRomeDay, romeDate } from '../domain/dates';
import type { DeadlineRule } from '../domain/deadlines';
import {
  computeDeadline,
  countingOf,
  resumedDeadline,
  serviceTargetDay,
  targetAfterPause,
} from '../domain/deadlines';
import type { ProcedureDef, TaskFormDef } from '../domain/procedure';
import { INSTITUTIONAL_RELAYS } from '../domain/procedure';
import { ViewDiff } from '../domain/view-diff';
import type {
  CallerScope,
  CompleteTaskInput,
  FieldIssue,
  LifecycleInput,
  NewsInput,
  ReassignTaskInput,
  ReleaseTaskInput,
  RefusalType,
  TaskActionInput,
} from './messages';
import {
  caseQuery,
  claimTaskUpdate,
  completeTaskUpdate,
  newsUpdate,
  reassignTaskUpdate,
  releaseTaskUpdate,
  resumeUpdate,
  settledUpdate,
  suspendUpdate,
  withdrawUpdate,
} from './messages';

/**
 * Writing the read model must eventually succeed: retried without limit, with backoff. A local activity runs in
 * the worker within the same workflow task (no round trip through the server) and its input stays out of history.
 */
const projectionOptions: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
const { project } = proxyLocalActivities<CaseActivities>(projectionOptions);

/**
 * The case's lookups (admission data, office snapshots, scoring rules, suspensions): short reads of our own
 * database, run as local activities in the worker within the workflow task (no round trip through the server),
 * retried without limit, at most a minute apart. Shared by every procedure.
 */
export const caseActivities = proxyLocalActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Writes to the case's own outbox (communications to INPS, the GOL programme, the inspectorate): one short write
 * to our own database, run in the worker within the workflow task, so an Update that leads to it waits for it and
 * answers the step after.
 */
export const { notify } = proxyLocalActivities<CaseActivities>(projectionOptions);

/** The case's start input, parsed with its procedure's schema; a case that cannot be read fails for good. */
export function startInput<T>(schema: z.ZodType<T>, start: CaseStart, what: string): T {
  const parsed = schema.safeParse(start.input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid ${what} input: ${parsed.error.message}`, 'InvalidInput');
  }
  return parsed.data;
}

export function refuse(type: RefusalType, message: string, issues?: FieldIssue[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: issues ? [issues] : [] });
}

/** Refuses data that does not fit its schema, naming each failing field under `data.`. */
function validateData(schema: z.ZodType, data: unknown, message: string): void {
  const result = schema.safeParse(data);
  if (!result.success) {
    refuse(
      'InvalidFormData',
      message,
      result.error.issues.map((i) => ({
        path: ['data', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
}

function nowIso(): string {
  return new Date().toISOString();
}

const STAFF: readonly Role[] = ['officer', 'supervisor', 'admin'];

export interface CaseHeader {
  title: string;
  parties: CaseView['parties'];
  keys: Record<string, string>;
  units?: string[];
}

/**
 * What a case carries into a run continued as new: its view and counters. The procedure adds where its flow
 * stands; the kernel re-arms the service-target watchers of the open tasks.
 */
/**
 * A run continues as new past this many history events if the server has not suggested it before: under
 * Temporal's warning of 10,240 events, whatever the server's own suggestion threshold is set to.
 */
const CONTINUE_AS_NEW_AFTER_EVENTS = 8000;

export interface KernelState {
  view: CaseView;
  seq: number;
  taskSeq: number;
  acceptedNews: string[];
  news: [string, Record<string, unknown>[]][];
  /** The case's past suspensions (lead times are counted net of them); absent in runs started before. */
  suspensions?: Suspension[];
}

/** A period the case stood suspended (ISO instants). */
export interface Suspension {
  from: string;
  to: string;
}

export class CaseKernel {
  readonly view: CaseView;
  private seq = 0;
  private taskSeq = 0;
  /** The periods the case stood suspended, for its lead time net of them (the closing event carries them). */
  private suspensions: Suspension[] = [];
  private pending: CaseEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** What the main flow waits for, while it waits; null while it runs. */
  private mainWait: (() => boolean) | null = null;
  private readonly awaitingNews = new Set<string>();
  /** News types the case takes at any time from now on (kept in order until the flow reads them). */
  private readonly acceptedNews = new Set<string>();
  private readonly news = new Map<string, Record<string, unknown>[]>();
  /** Procedure checks on news beyond its schema (e.g. the worker must be on the case's list). */
  private readonly newsChecks = new Map<string, (data: Record<string, unknown>) => void>();
  /** Procedure checks on a task's form data beyond its schema (e.g. the workers named must be on the list). */
  private readonly taskChecks = new Map<string, (outcome: string, data: Record<string, unknown>) => void>();
  /** Cancels the procedure's main flow (set by `run`). */
  private stopMain: () => void = () => undefined;
  /** Whether the case has stood still once since this run began: actions are checked at once from then on. */
  private ready = false;
  /** What the read model holds of the view, to send only what changed. */
  private readonly diff = new ViewDiff();
  /** The inbox rows as last handed to the projection. */
  private readonly writtenTasks = new Map<string, string>();
  /** Member rows changed since the last write, by key. */
  private readonly pendingMembers = new Map<string, MemberRow>();
  private writtenAssignees = '';
  /** This case as a member of a parent's list (its row there, which it writes itself), and that row as last written. */
  private member: { parentCaseId: string; key: string; stageOf: () => string } | null = null;
  private writtenMember = '';
  /** The next write creates the case document (the first of the case, or of a run continued as new). */
  private create = true;
  /** The status the case's search attribute holds (undefined: started without search attributes). */
  private indexedStatus: string | undefined = workflowInfo().typedSearchAttributes.get(CASE_STATUS);
  /** A write is waiting for the main flow to stand still, and will take what changed until then. */
  private flushQueued = false;

  constructor(
    readonly start: CaseStart,
    readonly procedure: ProcedureDef,
    header: CaseHeader,
    restored?: KernelState,
  ) {
    if (restored) {
      this.view = restored.view;
      this.seq = restored.seq;
      this.taskSeq = restored.taskSeq;
      for (const t of restored.acceptedNews) this.acceptedNews.add(t);
      for (const [type, items] of restored.news) this.news.set(type, items);
      this.suspensions = restored.suspensions ?? [];
      // The read model holds this view already: only what changes from here is written.
      this.diff.prime(this.view as unknown as Record<string, unknown>);
      for (const t of this.view.tasks) this.writtenTasks.set(t.taskId, JSON.stringify(t));
      this.writtenAssignees = JSON.stringify(this.assignees());
      this.create = false;
      this.installHandlers();
      for (const t of this.view.tasks) if (t.status === 'open') this.watch(t);
      return;
    }
    this.view = {
      caseId: start.caseId,
      procedure: procedure.code,
      procedureVersion: procedure.version,
      title: header.title,
      office: start.office,
      status: 'open',
      step: 'opened',
      parties: header.parties,
      keys: header.keys,
      units: header.units ?? [],
      input: start.input,
      openedAt: nowIso(),
      openedBy: start.openedBy,
      closedAt: null,
      outcome: null,
      outcomeReason: null,
      suspension: null,
      deadlines: [],
      tasks: [],
      documents: [],
      decisions: [],
      checks: [],
      facts: {},
      nextDueAt: null,
      version: 0,
    };
    this.installHandlers();
    this.emit('CaseOpened', `Case opened: ${header.title}`, { input: start.input }, start.openedBy);
  }

  /** The state a run continued as new starts from (call once the case has settled). */
  state(): KernelState {
    return {
      view: this.view,
      seq: this.seq,
      taskSeq: this.taskSeq,
      acceptedNews: [...this.acceptedNews],
      news: [...this.news.entries()],
      suspensions: this.suspensions,
    };
  }

  /** Where the case stands, as Updates answer it. */
  get ack(): CaseAck {
    return {
      caseId: this.view.caseId,
      version: this.view.version,
      status: this.view.status,
      step: this.view.step,
    };
  }

  /**
   * True when Temporal suggests continuing as new (the history is getting long), or past `afterEvents` history
   * events (CONTINUE_AS_NEW_AFTER_EVENTS unless a test lowers it).
   */
  continueAsNewDue(afterEvents: number = CONTINUE_AS_NEW_AFTER_EVENTS): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > afterEvents;
  }

  /**
   * Continues the case as a new run, once every event is written and every Update handler has finished: `next`
   * builds the new run's input from the kernel's state. Never returns.
   */
  async continueAsNew<A extends unknown[]>(next: (state: KernelState) => A): Promise<never> {
    // The main flow waits here like at any step, so that what is pending gets written.
    await this.external(async () => {
      await condition(() => this.pending.length === 0 && this.inFlight === 0 && allHandlersFinished());
      // What changed without an event is written too: the new run starts from what the read model holds.
      this.scheduleFlush();
      await condition(() => this.inFlight === 0 && allHandlersFinished());
    });
    log.info('case continues as new', { caseId: this.view.caseId, version: this.view.version });
    return continueAsNew<(...args: A) => Promise<unknown>>(...next(this.state()));
  }

  get today(): IsoDate {
    return romeDate(Date.now());
  }

  get terminal(): boolean {
    return this.view.status === 'closed' || this.view.status === 'withdrawn';
  }

  // ---- events and projection ----

  emit(type: CaseEventType, summary: string, data: Record<string, unknown>, actor: Actor = SYSTEM): void {
    this.seq += 1;
    this.view.version = this.seq;
    this.pending.push({
      eventId: `${this.view.caseId}:${this.seq}`,
      caseId: this.view.caseId,
      seq: this.seq,
      type,
      at: nowIso(),
      actor,
      summary,
      data,
    });
    this.scheduleFlush();
  }

  /** Adds or changes a member row, written with the next event (the case keeps only counts). */
  putMember(row: MemberRow): void {
    const earlier = this.pendingMembers.get(row.key)?.append;
    if (earlier) {
      // Not written yet: the entries of both go together.
      const append = { ...earlier };
      for (const [list, items] of Object.entries(row.append ?? {}))
        append[list] = [...(append[list] ?? []), ...items];
      this.pendingMembers.set(row.key, { ...row, append });
      return;
    }
    this.pendingMembers.set(row.key, row);
  }

  /**
   * This case is a member of `parentCaseId`'s list under `key`: each write carries its row's stage (and its end)
   * when they changed, so the parent need not be told of each stage.
   */
  reportAsMember(parentCaseId: string, key: string, stageOf: () => string): void {
    this.member = { parentCaseId, key, stageOf };
  }

  private memberChange(): MemberStage | undefined {
    if (!this.member) return undefined;
    const row: MemberStage = {
      parentCaseId: this.member.parentCaseId,
      key: this.member.key,
      stage: this.member.stageOf(),
      ended: this.terminal,
    };
    const text = JSON.stringify(row);
    if (text === this.writtenMember) return undefined;
    this.writtenMember = text;
    return row;
  }

  private assignees(): string[] {
    return [
      ...new Set(
        this.view.tasks
          .filter((t) => t.status === 'open' && t.assignee !== null)
          .map((t) => t.assignee as string),
      ),
    ];
  }

  /**
   * Writes what changed since the last write, in order after it: the new events, the changed paths of the view
   * (a step set without an event too), the changed inbox and member rows. Nothing when nothing changed.
   *
   * What a write carries is decided when the main flow next stands still (so that the events of one action go
   * together), never when the previous write comes back: the commands a workflow issues must not depend on when a
   * local activity completes, or a replay would not find them.
   */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.inFlight += 1;
    // Once the main flow has reached its next wait: what an Update's handler and the step it leads to change
    // goes in one write. The point is a condition of the workflow's own state, so a replay finds it again.
    void CancellationScope.nonCancellable(() => condition(() => this.quiet)).then(() => {
      this.flushQueued = false;
      const delta = this.takeDelta();
      if (!delta) {
        this.inFlight -= 1;
        return;
      }
      this.chain = this.chain.then(async () => {
        try {
          // The read model must be written even while the procedure's scope is being cancelled.
          await CancellationScope.nonCancellable(() => project(delta));
        } finally {
          this.inFlight -= 1;
        }
      });
    });
  }

  /**
   * What operators see of the case in the Temporal UI: its step and status as the run's current details, and the
   * status search attribute when it changed (a case started without search attributes keeps none).
   */
  private describe(): void {
    const v = this.view;
    setCurrentDetails(
      `${v.title}: ${v.step} (${v.status})${v.nextDueAt ? `; next due ${v.nextDueAt.slice(0, 10)}` : ''}`,
    );
    if (this.indexedStatus !== undefined && this.indexedStatus !== v.status) {
      upsertSearchAttributes([{ key: CASE_STATUS, value: v.status }]);
      this.indexedStatus = v.status;
    }
  }

  /** What changed since the last write, or null when nothing did. */
  private takeDelta(): ProjectionDelta | null {
    const events = this.pending.splice(0, this.pending.length);
    const members = [...this.pendingMembers.values()];
    this.pendingMembers.clear();
    this.view.nextDueAt = this.computeNextDue();
    this.describe();
    const { set, unset } = this.diff.changes(this.view as unknown as Record<string, unknown>);
    const assignees = this.assignees();
    if (JSON.stringify(assignees) !== this.writtenAssignees) {
      set.assignees = assignees;
      this.writtenAssignees = JSON.stringify(assignees);
    }
    // Only the inbox rows that changed since the last write are sent again.
    const tasks = this.view.tasks
      .filter((t) => {
        const text = JSON.stringify(t);
        if (this.writtenTasks.get(t.taskId) === text) return false;
        this.writtenTasks.set(t.taskId, text);
        return true;
      })
      .map((t) => ({ ...t }));
    const asMember = this.memberChange();
    const nothing =
      events.length === 0 &&
      members.length === 0 &&
      !asMember &&
      tasks.length === 0 &&
      unset.length === 0 &&
      Object.keys(set).length === 0;
    if (nothing) return null;
    const create = this.create;
    this.create = false;
    const v = this.view;
    return {
      scope: {
        caseId: v.caseId,
        procedure: v.procedure,
        office: v.office,
        openedBySub: v.openedBy.sub,
        title: v.title,
        status: v.status,
      },
      // The guard is the case's version (its last event's number), which a replay computes the same however the
      // writes were grouped: a write applies where the stored version is not newer.
      write: this.view.version,
      create,
      events,
      set,
      unset,
      tasks,
      members,
      ...(asMember ? { asMember } : {}),
    };
  }

  private computeNextDue(): string | null {
    const dues = [
      ...this.view.tasks.filter((t) => t.status === 'open').map((t) => t.targetAt),
      ...this.view.deadlines.filter((d) => d.status === 'pending').map((d) => d.dueAt),
    ].sort();
    return dues[0] ?? null;
  }

  /** The main flow is waiting (or done, or held by a suspension): the case stands still until something comes. */
  private get quiet(): boolean {
    if (this.terminal || this.view.status === 'suspended') return true;
    return this.mainWait !== null && !this.mainWait();
  }

  /** Quiet, with everything written. A suspended case does not move until resumed: what is written is where it stands. */
  private get settled(): boolean {
    return this.pending.length === 0 && this.inFlight === 0 && this.quiet;
  }

  /**
   * Resolves when the main flow is blocked again and the read model holds the case as it stands (its events, and
   * what changed without one, such as the step): a caller reading it next sees its action applied.
   */
  async settle(): Promise<CaseAck> {
    await condition(() => this.settled);
    this.scheduleFlush();
    await condition(() => this.settled);
    return this.ack;
  }

  // ---- waiting ----

  /**
   * Waits for `pred`, or for the instant `dueAt()` (re-read, since a resume moves it); the clock does not run
   * while the case is suspended. True when `pred` held in time.
   */
  private async waitUntil(pred: () => boolean, dueAt: () => number): Promise<boolean> {
    for (;;) {
      if (pred() || this.terminal) return pred();
      if (this.view.status === 'suspended') {
        await condition(() => this.view.status !== 'suspended' || pred());
        continue;
      }
      const remaining = dueAt() - Date.now();
      if (remaining <= 0) return pred();
      await condition(() => pred() || this.view.status === 'suspended' || this.terminal, remaining);
    }
  }

  /** Marks the main flow as blocked on `pred` while `wait` runs, so that Updates can tell when it has settled. */
  private async blockMain<T>(pred: () => boolean, wait: () => Promise<T>): Promise<T> {
    this.mainWait = () => pred() || this.terminal;
    try {
      const result = await wait();
      // The main flow does not move on while the case is suspended.
      await condition(() => this.view.status !== 'suspended' || this.terminal);
      return result;
    } finally {
      this.mainWait = null;
    }
  }

  /**
   * Runs a call to the outside world (an adapter, a lookup) from the main flow. While it runs the case counts as
   * settled, so an Update that led here answers at once instead of waiting for, say, INPS to come back.
   */
  async external<T>(call: () => Promise<T>): Promise<T> {
    return this.blockMain(() => false, call);
  }

  // ---- deadlines ----

  setDeadline(
    id: string,
    rule: DeadlineRule,
    trigger: IsoDate,
    consequence: string,
    conditions: readonly string[] = [],
  ): DeadlineView {
    const computed = computeDeadline(rule, trigger, { calendar: this.start.officeCalendar, conditions });
    const deadline: DeadlineView = {
      id,
      ruleId: rule.id,
      title: rule.title,
      legalBasis: rule.legalBasis,
      trigger,
      theoretical: computed.theoretical,
      due: computed.due,
      dueAt: new Date(endOfRomeDay(computed.due)).toISOString(),
      shiftedBecause: computed.shiftedBecause ?? null,
      halved: computed.halved,
      status: 'pending',
      consequence,
      counting: countingOf(rule),
    };
    this.view.deadlines.push(deadline);
    const shift = deadline.shiftedBecause
      ? ` (moved from ${deadline.theoretical}: ${deadline.shiftedBecause})`
      : '';
    this.emit('DeadlineSet', `${rule.title}: due ${deadline.due}${shift} — ${rule.legalBasis}`, { deadline });
    return deadline;
  }

  deadline(id: string): DeadlineView {
    const d = this.view.deadlines.find((x) => x.id === id);
    if (!d) throw ApplicationFailure.nonRetryable(`unknown deadline ${id}`, 'KernelError');
    return d;
  }

  markDeadline(d: DeadlineView, status: 'met' | 'missed' | 'cancelled', note?: string): void {
    if (d.status === status) return;
    d.status = status;
    if (status === 'met')
      this.emit('DeadlineMet', `${d.title}: met`, {
        deadlineId: d.id,
        ruleId: d.ruleId,
        note: note ?? null,
      });
    if (status === 'missed') {
      this.emit('DeadlineMissed', `${d.title}: missed — ${d.consequence}`, {
        deadlineId: d.id,
        ruleId: d.ruleId,
        due: d.due,
        legalBasis: d.legalBasis,
        consequence: d.consequence,
        note: note ?? null,
      });
    }
  }

  /** Waits for `pred` until the deadline, without judging it: true when `pred` held in time. */
  async waitWithin(d: DeadlineView, pred: () => boolean): Promise<boolean> {
    return this.blockMain(pred, () => this.waitUntil(pred, () => Date.parse(d.dueAt)));
  }

  /** Waits for `pred` until the deadline; marks it met or missed and says which. */
  async raceDeadline(d: DeadlineView, pred: () => boolean): Promise<boolean> {
    const met = await this.waitWithin(d, pred);
    if (this.terminal) return false;
    this.markDeadline(d, met ? 'met' : 'missed');
    return met;
  }

  // ---- tasks ----

  openTask(form: TaskFormDef, opts: { deadline?: DeadlineView } = {}): TaskView {
    this.taskSeq += 1;
    const opened = nowIso();
    const target = serviceTargetDay(
      this.today,
      this.start.serviceTargetWorkingDays,
      this.start.officeCalendar,
    );
    const task: TaskView = {
      taskId: `${this.view.caseId}.T${this.taskSeq}`,
      caseId: this.view.caseId,
      procedure: this.view.procedure,
      key: form.key,
      title: form.title,
      candidateRole: form.candidateRole,
      office: this.view.office,
      assignee: null,
      status: 'open',
      priority: 'normal',
      openedAt: opened,
      targetAt: new Date(endOfRomeDay(target)).toISOString(),
      deadlineId: opts.deadline?.id ?? null,
      legalDueAt: opts.deadline?.dueAt ?? null,
      escalated: false,
      outcomes: Object.keys(form.outcomes),
      completedAt: null,
      completedBy: null,
      outcome: null,
      data: null,
    };
    this.view.tasks.push(task);
    this.emit('TaskOpened', `Task opened: ${form.title}`, { task });
    this.watch(task);
    return task;
  }

  private watch(task: TaskView): void {
    void this.watchServiceTarget(task).catch((err: unknown) => {
      // A withdrawn case cancels the watcher with the procedure: nothing to escalate then.
      if (!isCancellation(err)) throw err;
    });
  }

  /** The office's service target: a missed target escalates the task to the office's supervisors. */
  private async watchServiceTarget(task: TaskView): Promise<void> {
    const done = await this.waitUntil(
      () => task.status !== 'open',
      () => Date.parse(task.targetAt),
    );
    if (done || this.terminal || task.status !== 'open') return;
    task.escalated = true;
    task.priority = 'high';
    this.emit('TaskEscalated', `Service target missed: "${task.title}" escalated to the supervisors`, {
      taskId: task.taskId,
      targetAt: task.targetAt,
      escalatedTo: { role: 'supervisor', office: task.office },
    });
  }

  /** Adds a check on the form data of tasks of `formKey`, run by the Update's validator (a refusal changes nothing). */
  checkTask(formKey: string, check: (outcome: string, data: Record<string, unknown>) => void): void {
    this.taskChecks.set(formKey, check);
  }

  async waitForTask(task: TaskView): Promise<TaskView> {
    const pred = (): boolean => task.status !== 'open';
    await this.blockMain(pred, () => condition(() => pred() || this.terminal));
    return task;
  }

  cancelTask(task: TaskView, reason: string): void {
    if (task.status !== 'open') return;
    task.status = 'cancelled';
    task.outcome = null;
    this.emit('TaskCancelled', `Task closed without completion: ${task.title} (${reason})`, {
      taskId: task.taskId,
      reason,
    });
  }

  private form(task: TaskView): TaskFormDef {
    const f = this.procedure.tasks[task.key];
    if (!f)
      throw ApplicationFailure.nonRetryable(`task form ${task.key} is not in the procedure`, 'KernelError');
    return f;
  }

  private openTaskOrRefuse(taskId: string): TaskView {
    const task = this.view.tasks.find((t) => t.taskId === taskId);
    if (!task) refuse('TaskNotFound', `task ${taskId} is not part of this case`);
    if (this.terminal) refuse('CaseNotOpen', `the case is ${this.view.status}`);
    if (task.status !== 'open') refuse('TaskNotOpen', `the task is already ${task.status}`);
    return task;
  }

  // ---- news from outside ----

  private hasNews(type: string): boolean {
    return (this.news.get(type)?.length ?? 0) > 0;
  }

  private takeNews(type: string): Record<string, unknown> | null {
    return this.news.get(type)?.shift() ?? null;
  }

  /**
   * Waits for news of `type` until the deadline, which is met when it comes. Unless the type was accepted
   * earlier (`acceptNews`), only news sent from now on counts.
   */
  async waitForNews(type: string, d: DeadlineView): Promise<Record<string, unknown> | null> {
    this.awaitingNews.add(type);
    if (!this.acceptedNews.has(type)) this.news.delete(type);
    try {
      const got = await this.raceDeadline(d, () => this.hasNews(type));
      return got ? this.takeNews(type) : null;
    } finally {
      this.awaitingNews.delete(type);
    }
  }

  /** From now on the case takes news of `type` at any time; the flow reads it later, in order. */
  acceptNews(type: string, check?: (data: Record<string, unknown>) => void): void {
    this.acceptedNews.add(type);
    if (check) this.newsChecks.set(type, check);
  }

  stopAcceptingNews(type: string): void {
    this.acceptedNews.delete(type);
  }

  /**
   * The next accepted news of one of `types` (the first type with news first), waiting for it until the instant
   * `untilMs`, which no suspension moves. Null when the time is up.
   */
  async nextNews(
    types: readonly string[],
    untilMs: number,
    /** Also wake (with null) when this holds, e.g. when a task of the case was completed. */
    wakeWhen: () => boolean = () => false,
  ): Promise<{ type: string; data: Record<string, unknown> } | null> {
    const pred = (): boolean => types.some((t) => this.hasNews(t)) || wakeWhen();
    await this.blockMain(pred, () => this.waitUntil(pred, () => untilMs));
    if (this.terminal) return null;
    for (const type of types) {
      const data = this.takeNews(type);
      if (data) return { type, data };
    }
    return null;
  }

  // ---- records ----

  recordDocument(
    kind: string,
    title: string,
    date: string | null,
    reference: string | null,
    by: Actor = SYSTEM,
  ): void {
    const doc = {
      documentId: `${this.view.caseId}.D${this.view.documents.length + 1}`,
      kind,
      title,
      date,
      reference,
      recordedAt: nowIso(),
      recordedBy: by.sub,
    };
    this.view.documents.push(doc);
    this.emit('DocumentRecorded', `Document recorded: ${title}`, { document: doc }, by);
  }

  recordCheck(check: CheckView): void {
    // Replaced in place, so that the read model receives only this check.
    const at = this.view.checks.findIndex((c) => c.id === check.id);
    if (at >= 0) this.view.checks[at] = check;
    else this.view.checks.push(check);
    this.emit('CheckRecorded', `${check.title}: ${check.result} — ${check.explanation}`, { check });
  }

  recordDecision(
    kind: string,
    outcome: string,
    date: string | null,
    body: string,
    details: Record<string, unknown>,
    by: Actor,
  ): void {
    const decision = { kind, outcome, date, body, details, recordedAt: nowIso() };
    this.view.decisions.push(decision);
    this.emit('DecisionRecorded', `Decision of ${body}: ${outcome}`, { decision }, by);
  }

  setStep(step: string): void {
    this.view.step = step;
  }

  close(outcome: string, reason: string): void {
    if (this.terminal) return;
    const lead = this.leadFacts();
    this.end('closed', outcome, reason);
    this.emit('CaseClosed', `Case closed: ${outcome} — ${reason}`, { outcome, reason, ...lead });
  }

  /**
   * What the closing event carries for the case's lead time (working days net of suspensions, counted by the
   * analytics): when it opened and the periods it stood suspended, the one in course included.
   */
  private leadFacts(): { openedAt: string; suspensions: Suspension[] } {
    const current = this.view.suspension ? [{ from: this.view.suspension.since, to: nowIso() }] : [];
    return { openedAt: this.view.openedAt, suspensions: [...this.suspensions, ...current] };
  }

  /** Ends the case: open tasks and pending deadlines are closed with it. */
  private end(status: 'closed' | 'withdrawn', outcome: string, reason: string): void {
    for (const t of this.view.tasks) this.cancelTask(t, `case ${status}`);
    for (const d of this.view.deadlines) if (d.status === 'pending') d.status = 'cancelled';
    this.view.status = status;
    this.view.step = status;
    this.view.outcome = outcome;
    this.view.outcomeReason = reason;
    this.view.closedAt = nowIso();
    this.view.suspension = null;
  }

  // ---- running ----

  /** Runs the procedure until it returns or the case is withdrawn, then waits for the Update handlers. */
  async run(main: () => Promise<void>): Promise<CaseView> {
    log.info('case opened', { caseId: this.view.caseId, procedure: this.view.procedure });
    // The procedure runs in its own scope: a withdrawal cancels it, so no step runs after the case has ended.
    const scope = new CancellationScope();
    this.stopMain = () => scope.cancel();
    // Ready for actions once the opening has run and been written (see `action`).
    void condition(() => this.settled).then(() => {
      this.ready = true;
    });
    try {
      await scope.run(main);
    } catch (err) {
      if (!(isCancellation(err) && this.terminal)) throw err;
    }
    if (!this.terminal) this.close('completed', 'the procedure reached its end');
    await condition(() => this.settled && allHandlersFinished());
    log.info('case ended', {
      caseId: this.view.caseId,
      status: this.view.status,
      outcome: this.view.outcome,
    });
    return this.view;
  }

  /**
   * An action on the case as an Update: `validate` refuses it synchronously, changing nothing. An action that
   * arrives before the case first stands still is held until then and checked there (a refusal then fails the
   * Update with the same refusal). That happens when the worker that opened a case dies after writing its read
   * model but before the engine recorded the opening: the engine runs the opening again, and an action sent after
   * reading the read model can reach the run before the opening's tasks exist.
   */
  private action<A extends { ifVersion?: number }>(
    def: UpdateDefinition<CaseAck, [A]>,
    handler: (input: A) => Promise<CaseAck>,
    check: (input: A) => void,
  ): void {
    const validate = (input: A): void => {
      check(input);
      // An action decided on an older reading of the case (If-Match) is refused, changing nothing.
      if (input.ifVersion !== undefined && input.ifVersion !== this.view.version)
        refuse(
          'VersionMismatch',
          `the case is at version ${this.view.version}, not ${input.ifVersion}: read it again`,
        );
    };
    setHandler(
      def,
      async (input: A) => {
        if (!this.ready) {
          await condition(() => this.ready);
          validate(input);
        }
        return handler(input);
      },
      {
        validator: (input: A) => {
          if (this.ready) validate(input);
        },
      },
    );
  }

  private installHandlers(): void {
    setHandler(caseQuery, () => this.view);
    setHandler(settledUpdate, () => this.settle());

    this.action(
      completeTaskUpdate,
      async ({ taskId, outcome, data, actor }) => {
        const task = this.view.tasks.find((t) => t.taskId === taskId);
        if (!task) throw ApplicationFailure.nonRetryable('task vanished', 'KernelError');
        const parsed = this.form(task).outcomes[outcome]?.schema.parse(data) ?? data;
        task.status = 'completed';
        task.outcome = outcome;
        task.data = parsed;
        task.completedAt = nowIso();
        task.completedBy = actor.sub;
        task.assignee ??= actor.sub;
        this.emit(
          'TaskCompleted',
          `Task completed: ${task.title} → ${outcome}`,
          { taskId, outcome, data: parsed },
          actor,
        );
        return this.settle();
      },
      (input: CompleteTaskInput) => {
        this.checkScope(input.scope);
        const { taskId, outcome, data, actor } = input;
        const task = this.openTaskOrRefuse(taskId);
        if (this.view.status === 'suspended')
          refuse('CaseSuspended', 'the case is suspended: resume it first');
        const form = this.form(task);
        if (
          actor.role === 'system' ||
          (actor.role !== form.candidateRole && !form.alsoAllowed.includes(actor.role))
        ) {
          refuse('RoleNotAllowed', `the role ${actor.role} may not complete "${form.title}"`);
        }
        if (actor.role === 'officer' && task.assignee !== null && task.assignee !== actor.sub) {
          refuse('TaskAssignedToOther', `the task is assigned to ${task.assignee}`);
        }
        const def = form.outcomes[outcome];
        if (!def) {
          refuse(
            'OutcomeNotAllowed',
            `outcome "${outcome}" is not one of: ${Object.keys(form.outcomes).join(', ')}`,
            [{ path: 'outcome', message: `must be one of: ${Object.keys(form.outcomes).join(', ')}` }],
          );
        }
        validateData(def.schema, data, 'the form data is not valid for this outcome');
        this.taskChecks.get(task.key)?.(outcome, def.schema.parse(data));
      },
    );

    this.action(
      claimTaskUpdate,
      ({ taskId, actor }) => {
        const task = this.openTaskOrRefuse(taskId);
        task.assignee = actor.sub;
        this.emit(
          'TaskClaimed',
          `Task claimed by ${actor.sub}: ${task.title}`,
          { taskId, assignee: actor.sub },
          actor,
        );
        return this.settle();
      },
      (input: TaskActionInput) => {
        this.checkScope(input.scope);
        const { taskId, actor } = input;
        const task = this.openTaskOrRefuse(taskId);
        if (actor.role === 'system' || !STAFF.includes(actor.role))
          refuse('RoleNotAllowed', `the role ${actor.role} may not claim tasks`);
        if (task.assignee !== null && task.assignee !== actor.sub) {
          refuse('TaskAssignedToOther', `the task is already claimed by ${task.assignee}`);
        }
      },
    );

    this.action(
      reassignTaskUpdate,
      ({ taskId, assignee, reason, actor }) => {
        const task = this.openTaskOrRefuse(taskId);
        const from = task.assignee;
        task.assignee = assignee;
        this.emit(
          'TaskReassigned',
          `Task reassigned from ${from ?? 'nobody'} to ${assignee ?? 'the office pool'}: ${task.title}`,
          { taskId, from, to: assignee, reason },
          actor,
        );
        return this.settle();
      },
      (input: ReassignTaskInput) => {
        this.checkScope(input.scope);
        const { taskId, actor } = input;
        this.openTaskOrRefuse(taskId);
        if (actor.role !== 'supervisor' && actor.role !== 'admin') {
          refuse('RoleNotAllowed', 'only a supervisor may reassign tasks');
        }
      },
    );

    this.action(
      releaseTaskUpdate,
      ({ taskId, reason, actor }) => {
        const task = this.openTaskOrRefuse(taskId);
        const from = task.assignee;
        task.assignee = null;
        this.emit(
          'TaskReleased',
          `Task released by ${actor.sub} to the office pool: ${task.title}`,
          { taskId, from, reason },
          actor,
        );
        return this.settle();
      },
      (input: ReleaseTaskInput) => {
        this.checkScope(input.scope);
        const { taskId, actor } = input;
        const task = this.openTaskOrRefuse(taskId);
        if (actor.role === 'system' || !STAFF.includes(actor.role))
          refuse('RoleNotAllowed', `the role ${actor.role} may not release tasks`);
        if (task.assignee === null) refuse('TaskNotClaimed', 'the task is not claimed by anyone');
        // An officer releases only what they claimed; a supervisor releases any task of the office.
        if (actor.role === 'officer' && task.assignee !== actor.sub)
          refuse('TaskAssignedToOther', `the task is claimed by ${task.assignee}`);
      },
    );

    this.action(
      newsUpdate,
      ({ type, data, actor }) => {
        const def = this.procedure.news[type];
        const parsed = def ? def.schema.parse(data) : data;
        this.news.set(type, [...(this.news.get(type) ?? []), parsed]);
        this.emit(
          'NewsReceived',
          `News from ${def?.from ?? 'outside'}: ${def?.title ?? type}`,
          { type, data: parsed },
          actor,
        );
        return this.settle();
      },
      (input: NewsInput) => {
        const { type, data } = input;
        const def = this.procedure.news[type];
        const relays = input.relays ?? [];
        // An institution's relay (INPS, the Ministry, the Region…) brings its news to any case of the
        // procedure; everyone else acts within their own scope.
        const institutional =
          def !== undefined &&
          def.relays !== 'anyone' &&
          def.relays.some((r) => INSTITUTIONAL_RELAYS.includes(r) && relays.includes(r));
        if (!institutional) this.checkScope(input.scope);
        if (this.terminal) refuse('CaseNotOpen', `the case is ${this.view.status}`);
        if (!def) {
          refuse('UnknownNews', `this procedure takes no news of type "${type}"`, [
            { path: 'type', message: `must be one of: ${Object.keys(this.procedure.news).join(', ')}` },
          ]);
        }
        const staff = input.actor.role !== 'system' && STAFF.includes(input.actor.role);
        if (!staff && def.relays !== 'anyone' && !def.relays.some((r) => relays.includes(r))) {
          refuse(
            'NewsSenderNotAllowed',
            `${def.title} comes from ${def.from}: these credentials do not relay it (relays: ${def.relays.join(', ')})`,
          );
        }
        validateData(def.schema, data, 'the news is not valid');
        if (!this.awaitingNews.has(type) && !this.acceptedNews.has(type))
          refuse('NewsNotExpected', `the case is not waiting for "${type}" now`);
        this.newsChecks.get(type)?.(def.schema.parse(data));
      },
    );

    this.action(
      suspendUpdate,
      ({ reason, actor }) => {
        this.view.status = 'suspended';
        this.view.suspension = { since: nowIso(), reason, by: actor.sub };
        this.emit('CaseSuspended', `Case suspended: ${reason}`, { reason }, actor);
        return this.settle();
      },
      (input: LifecycleInput) => {
        this.checkScope(input.scope);
        const { actor } = input;
        this.staffOnly(actor);
        if (this.terminal) refuse('CaseNotOpen', `the case is ${this.view.status}`);
        if (this.view.status === 'suspended') refuse('CaseSuspended', 'the case is already suspended');
      },
    );

    this.action(
      resumeUpdate,
      ({ reason, actor }) => {
        const since = this.view.suspension ? Date.parse(this.view.suspension.since) : Date.now();
        const pausedMs = Math.max(0, Date.now() - since);
        // The clock stopped while suspended: each term the suspension stops keeps the time it had left, and its
        // new last day is rolled again past holidays; the parties' and other bodies' terms ran on (L. 241/1990
        // art. 2 c.7 stops the office's own term).
        const pause = { ms: pausedMs, days: daysBetween(romeDate(since), romeDate(Date.now())) };
        const moved: { id: string; dueAt: string; due: string; shiftedBecause: string | null }[] = [];
        for (const d of this.view.deadlines.filter((x) => x.status === 'pending')) {
          const r = resumedDeadline(d, pause, this.start.officeCalendar);
          if (!r) continue;
          Object.assign(d, r);
          moved.push({ id: d.id, dueAt: d.dueAt, due: d.due, shiftedBecause: d.shiftedBecause });
        }
        for (const t of this.view.tasks.filter((x) => x.status === 'open')) {
          // The service target keeps its working time, and ends on a working day.
          t.targetAt = targetAfterPause(t.targetAt, pausedMs, this.start.officeCalendar);
          const d = t.deadlineId ? this.view.deadlines.find((x) => x.id === t.deadlineId) : undefined;
          if (d) t.legalDueAt = d.dueAt;
          else if (t.legalDueAt !== null)
            t.legalDueAt = new Date(Date.parse(t.legalDueAt) + pausedMs).toISOString();
        }
        this.suspensions.push({ from: new Date(since).toISOString(), to: nowIso() });
        this.view.status = 'open';
        this.view.suspension = null;
        this.emit('CaseResumed', `Case resumed: ${reason}`, { reason, pausedMs, moved }, actor);
        return this.settle();
      },
      (input: LifecycleInput) => {
        this.checkScope(input.scope);
        const { actor } = input;
        this.staffOnly(actor);
        if (this.view.status !== 'suspended') refuse('CaseNotSuspended', 'the case is not suspended');
      },
    );

    this.action(
      withdrawUpdate,
      ({ reason, actor }) => {
        const lead = this.leadFacts();
        this.end('withdrawn', 'withdrawn', reason);
        this.emit('CaseWithdrawn', `Case withdrawn: ${reason}`, { reason, ...lead }, actor);
        this.stopMain();
        return this.settle();
      },
      (input: LifecycleInput) => {
        this.checkScope(input.scope);
        const { actor } = input;
        if (actor.role === 'system') refuse('RoleNotAllowed', 'system may not withdraw');
        if (this.terminal) refuse('CaseNotOpen', `the case is ${this.view.status}`);
      },
    );
  }

  /**
   * The caller's scope, checked before anything else: a case outside it does not exist for the caller (the API
   * sends the scope so that it need not read the case first).
   */
  private checkScope(scope: CallerScope | undefined): void {
    if (!scope) return;
    const outside =
      (scope.offices !== null && !scope.offices.includes(this.view.office)) ||
      (scope.openedBySub !== null && scope.openedBySub !== this.view.openedBy.sub) ||
      (scope.procedures !== undefined && !scope.procedures.includes(this.view.procedure));
    if (outside) refuse('CaseNotFound', `case ${this.view.caseId} not found`);
  }

  private staffOnly(actor: Actor): void {
    if (actor.role === 'system' || !STAFF.includes(actor.role)) {
      refuse('RoleNotAllowed', `the role ${actor.role} may not do this`);
    }
  }
}
