/**
 * The use cases behind the routes. Writes go through Temporal (start, Update); reads come from the MongoDB read
 * model. Nothing is written to MongoDB before a workflow exists, except the idempotency reservation.
 */
import { Lanes } from '../platform/lanes';
import { createHash } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { ulid } from 'ulid';
import type { Actor, CaseAck, CaseStart, CaseView } from '../domain/case-model';
import { caseSummaryLine, findProcedure } from '../domain/catalogue';
import { OFFICES } from '../domain/offices';
import type { ProcedureDef } from '../domain/procedure';
import type { CaseDoc, Db, TaskDoc } from '../platform/db';
import { isDuplicateKey } from '../platform/db';
import type { OfficeSnapshot } from '../platform/queries';
import { admissionContext, officeSnapshot } from '../platform/queries';
import { caseSearchAttributes } from '../platform/search-attributes';
import { settledUpdate } from '../workflows/messages';
import type { CallerScope, FieldIssue } from '../workflows/messages';
import type { Principal } from './auth';
import { callerScope, canSeeCase } from './auth';
import { HttpProblem, problems, validationProblem } from './problem';

export interface ServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** How long an Update may take before the API answers 503 (default 15 s). */
  updateTimeoutMs?: number;
  /** Cases start with their search attributes (registered on the server: platform/search-attributes.ts). */
  searchAttributes?: boolean;
}

export interface StartResult {
  created: boolean;
  view: CaseView;
}

const REFUSAL_STATUS: Record<string, { status: number; slug: string }> = {
  CaseNotFound: { status: 404, slug: 'not-found' },
  TaskNotFound: { status: 404, slug: 'not-found' },
  TaskNotOpen: { status: 409, slug: 'task-not-open' },
  TaskAssignedToOther: { status: 409, slug: 'task-assigned-to-other' },
  TaskNotClaimed: { status: 409, slug: 'task-not-claimed' },
  CaseNotOpen: { status: 409, slug: 'case-not-open' },
  CaseSuspended: { status: 409, slug: 'case-suspended' },
  CaseNotSuspended: { status: 409, slug: 'case-not-suspended' },
  NewsNotExpected: { status: 409, slug: 'news-not-expected' },
  AlreadyApplied: { status: 409, slug: 'already-applied' },
  // The body has the document's shape; what the procedure takes depends on the task or the news type (422).
  OutcomeNotAllowed: { status: 422, slug: 'validation' },
  InvalidFormData: { status: 422, slug: 'validation' },
  UnknownNews: { status: 422, slug: 'validation' },
  RoleNotAllowed: { status: 403, slug: 'forbidden' },
  NewsSenderNotAllowed: { status: 403, slug: 'news-sender-not-allowed' },
  // If-Match named a version the case has moved past: read it again, then decide.
  VersionMismatch: { status: 412, slug: 'precondition-failed' },
};

/** The server refused an Update that reached a run as it ended (continued as new): nothing was applied. */
function isUnprocessedUpdate(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'UnprocessedUpdate'
  );
}

export function problemFromTemporal(err: unknown): HttpProblem | null {
  if (err instanceof WorkflowNotFoundError) {
    return problems.conflict('case-not-open', 'The case has ended: it takes no more actions.');
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    const mapped = REFUSAL_STATUS[cause.type ?? ''];
    if (!mapped) return null;
    const issues = (cause.details?.[0] as FieldIssue[] | undefined) ?? undefined;
    return new HttpProblem(mapped.status, mapped.slug, titleFor(mapped.status), cause.message, {
      reason: cause.type,
      ...(issues ? { errors: issues } : {}),
    });
  }
  return null;
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 403) return 'Not allowed';
  if (status === 400) return 'Invalid request';
  if (status === 422) return 'Refused by a rule';
  if (status === 412) return 'The case has changed';
  return 'Conflict with the state of the case';
}

export function actorOf(p: Principal): Actor {
  return { sub: p.sub, role: p.role };
}

function hashRequest(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** The public view of a stored case. */
export function caseFromDoc(doc: CaseDoc): CaseView {
  const { _id, sortKey: _s, openedBySub: _o, assignees: _a, writeSeq: _w, ...rest } = doc;
  return { caseId: _id, ...rest };
}

export function taskFromDoc(doc: TaskDoc): Record<string, unknown> {
  const { _id, writeSeq: _w, openedBySub: _o, dueKey: _d, priorityKey: _p, ...rest } = doc;
  return { taskId: _id, ...rest };
}

export class CaseService {
  private readonly updateTimeoutMs: number;
  private readonly lanes = new Lanes();

  constructor(private readonly deps: ServiceDeps) {
    this.updateTimeoutMs = deps.updateTimeoutMs ?? 15_000;
  }

  private handle(caseId: string): WorkflowHandle {
    return this.deps.temporal.workflow.getHandle(caseId);
  }

  /** Rules that refuse a start before any case exists (with the rule and the arithmetic shown). */
  private async precheck(procedure: ProcedureDef, input: Record<string, unknown>): Promise<void> {
    const admission = procedure.admission;
    if (!admission) return;
    const ctx = await admissionContext(
      this.deps.db,
      admission.unitKeys(input),
      admission.linkedCaseIds?.(input) ?? [],
    );
    const refusal = admission.check(input, ctx);
    if (refusal) {
      throw problems.refused(refusal.slug, refusal.detail, {
        rule: refusal.rule,
        ...(refusal.figures ?? {}),
      });
    }
  }

  private async officeSnapshot(code: string): Promise<OfficeSnapshot> {
    const snapshot = await officeSnapshot(this.deps.db, code);
    if (!snapshot) throw problems.validation([{ path: 'office', message: 'unknown office' }]);
    return snapshot;
  }

  async startCase(
    p: Principal,
    body: { procedure: string; office: string; input: Record<string, unknown> },
    idempotencyKey: string | undefined,
  ): Promise<StartResult> {
    const procedure = findProcedure(body.procedure);
    if (!procedure) {
      throw problems.validation([
        { path: 'procedure', message: 'unknown procedure; see GET /v1/procedures' },
      ]);
    }
    if ((p.role === 'officer' || p.role === 'supervisor') && !p.offices.includes(body.office)) {
      throw problems.forbidden(`You do not work for the office ${body.office}.`);
    }
    // An API key opens cases only of its procedures, and in its offices when it names some.
    if (p.procedures && !p.procedures.includes(procedure.code))
      throw problems.forbidden(`These credentials may not open ${procedure.code} cases.`);
    if (p.role === 'integrator' && p.offices.length > 0 && !p.offices.includes(body.office))
      throw problems.forbidden(`These credentials may not open cases in the office ${body.office}.`);
    const parsed = procedure.startSchema.safeParse(body.input);
    if (!parsed.success) throw validationProblem(parsed.error, ['input']);
    const input = parsed.data;

    let caseId = `${procedure.code}-${new Date().getUTCFullYear()}-${ulid()}`;
    if (idempotencyKey !== undefined) {
      const keyId = `${p.sub}:${idempotencyKey}`;
      const requestHash = hashRequest(body);
      const existing = await this.deps.db.idempotency.findById(keyId).lean();
      if (existing) {
        if (existing.requestHash !== requestHash) {
          throw problems.refused(
            'idempotency-key-reused',
            'This Idempotency-Key was used for a different request.',
          );
        }
        return this.resumeStart(existing.caseId, p, procedure, body.office, input);
      }
      await this.precheck(procedure, input);
      try {
        await this.deps.db.idempotency.create({ _id: keyId, caseId, requestHash, createdAt: new Date() });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A concurrent request with the same key won the reservation: answer with its case.
        const winner = await this.deps.db.idempotency.findById(keyId).lean();
        if (!winner) throw err;
        caseId = winner.caseId;
        return this.resumeStart(caseId, p, procedure, body.office, input);
      }
    } else {
      await this.precheck(procedure, input);
    }
    const view = await this.startWorkflow(caseId, p, procedure, body.office, input);
    return { created: true, view };
  }

  /**
   * A replayed start: the case exists, or its start was interrupted after the reservation. Either way the answer
   * waits for the engine (update-with-start joins the running case and waits until it has settled): a read model
   * found here may have been written by an opening the engine has not recorded yet (its worker died), which the
   * engine will run again.
   */
  private async resumeStart(
    caseId: string,
    p: Principal,
    procedure: ProcedureDef,
    office: string,
    input: Record<string, unknown>,
  ): Promise<StartResult> {
    return { created: false, view: await this.startWorkflow(caseId, p, procedure, office, input) };
  }

  private async startWorkflow(
    caseId: string,
    p: Principal,
    procedure: ProcedureDef,
    office: string,
    input: Record<string, unknown>,
  ): Promise<CaseView> {
    const start: CaseStart = {
      caseId,
      procedure: procedure.code,
      office,
      ...(await this.officeSnapshot(office)),
      input,
      openedBy: actorOf(p),
    };
    // One call starts the case and waits until it has settled and its read model is written (update-with-start):
    // a GET right after sees it. A replayed start joins the running case; an ended one is read back.
    const startWorkflowOperation = new WithStartWorkflowOperation(procedure.workflowType, {
      workflowId: caseId,
      taskQueue: this.deps.taskQueue,
      args: [start],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // What operators see of it in the Temporal UI: a line that names it, and the attributes they filter by.
      staticSummary: caseSummaryLine(procedure, office),
      ...(this.deps.searchAttributes
        ? { typedSearchAttributes: caseSearchAttributes(procedure.code, office) }
        : {}),
    });
    try {
      await this.bounded(caseId, () =>
        this.deps.temporal.workflow.executeUpdateWithStart(settledUpdate, { startWorkflowOperation }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return this.caseAfter(caseId, 0);
  }

  /** The case as the read model holds it once an action has been written (version `atLeast` or later). */
  async caseAfter(caseId: string, atLeast: number): Promise<CaseView> {
    const doc = await this.deps.db.cases.findById(caseId).lean();
    if (!doc || doc.version < atLeast) {
      // The Update answers only once its write is done: a missing case here is a fault, not a race.
      throw new HttpProblem(503, 'read-model-behind', 'The case is not readable yet', `Case ${caseId}.`, {
        retryAfterSeconds: 1,
      });
    }
    return caseFromDoc(doc);
  }

  async getCaseDoc(p: Principal, caseId: string): Promise<CaseDoc> {
    const doc = await this.deps.db.cases.findById(caseId).lean();
    if (!doc || !canSeeCase(p, doc)) throw problems.notFound(`Case ${caseId}`);
    return doc;
  }

  async getTaskDoc(p: Principal, taskId: string): Promise<TaskDoc> {
    const task = await this.deps.db.tasks.findById(taskId).lean();
    // The row carries its case's office and opener: one read decides.
    if (!task || !canSeeCase(p, task)) throw problems.notFound(`Task ${taskId}`);
    return task;
  }

  /**
   * Sends an Update to a case on behalf of `p` and answers the case as it stands after it, read from the read
   * model (written by the time the Update answers). The workflow checks the caller's scope, so nothing is read
   * before: a case outside it is a 404, as is one that does not exist. The call is bounded: a case engine that
   * does not answer in time (no worker running) is a 503, not a hang. `requestKey` (the caller's Idempotency-Key)
   * names the Update, so a retry of the same request joins the same Update instead of acting twice.
   */
  async act<Arg extends { scope?: CallerScope }>(
    p: Principal,
    caseId: string,
    def: UpdateDefinition<CaseAck, [Arg]>,
    arg: Arg,
    requestKey?: string,
    /** For actions open to every caller (an application to a public notice): no scope is checked. */
    opts: { unscoped?: boolean; ifVersion?: number | undefined } = {},
  ): Promise<CaseView> {
    const updateId = requestKey
      ? `${def.name}:${createHash('sha256').update(requestKey).digest('hex').slice(0, 32)}`
      : undefined;
    let ack: CaseAck;
    try {
      ack = await this.bounded(caseId, (signal) =>
        this.lanes.run(caseId, async () => {
          for (let attempt = 1; ; attempt += 1) {
            // Timed out while waiting for the Updates before it: not sent at all.
            if (signal.aborted) throw new Error('timed out before it was sent');
            try {
              return await this.handle(caseId).executeUpdate(def, {
                args: [
                  {
                    ...arg,
                    ...(opts.unscoped ? {} : { scope: callerScope(p) }),
                    ...(opts.ifVersion !== undefined ? { ifVersion: opts.ifVersion } : {}),
                  },
                ],
                ...(updateId ? { updateId } : {}),
              });
            } catch (err) {
              // The case was continuing as new when the Update reached it: nothing was applied, and the new run
              // takes it. Sent again at once (a few times, within the bound).
              if (!isUnprocessedUpdate(err) || attempt >= 5) throw err;
              await new Promise((r) => setTimeout(r, 20 * attempt));
            }
          }
        }),
      );
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.slug !== 'case-not-open') throw err;
      // No running workflow: an ended case in the caller's scope, or no case at all.
      const doc = await this.deps.db.cases.findById(caseId, { office: 1, openedBySub: 1 }).lean();
      if (!doc || (!opts.unscoped && !canSeeCase(p, doc))) throw problems.notFound(`Case ${caseId}`);
      throw err;
    }
    return this.caseAfter(caseId, ack.version);
  }

  private async bounded<T>(caseId: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.updateTimeoutMs);
    try {
      return await this.deps.temporal.withAbortSignal(timeout, () =>
        // A call waiting for its turn is bounded too.
        Promise.race([
          call(timeout),
          new Promise<never>((_, reject) =>
            timeout.addEventListener('abort', () => reject(new Error('timed out')), { once: true }),
          ),
        ]),
      );
    } catch (err) {
      const problem = problemFromTemporal(err);
      if (problem) throw problem;
      if (timeout.aborted) {
        throw new HttpProblem(
          503,
          'case-engine-timeout',
          'The case did not answer in time',
          `Case ${caseId} did not answer within ${this.updateTimeoutMs} ms (are the workers running?). ` +
            'The action may still be applied when they are: retry with the same Idempotency-Key to get its outcome.',
          { retryAfterSeconds: 5 },
        );
      }
      throw err;
    }
  }

  static officeCodes(): string[] {
    return OFFICES.map((o) => o.code);
  }
}
