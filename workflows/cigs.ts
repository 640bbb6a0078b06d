/**
 * CIG straordinaria (D.Lgs. 148/2015 arts. 19–25-ter; procedures.md §2.3) as one durable case: from the union
 * notice to the end of the authorised period, with the workers' training obligations in between.
 */
import type { Actor, CaseStart, CaseView } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import { endOfRomeDay, minDate } from '../domain/dates';
import type {
  CigsStartInput,
  CigsWorkerState,
  TrainingAttendance,
  TrainingObligation,
} from '../domain/procedures/cigs';
import {
  CIGS_RULES,
  cigsCapChecks,
  cigsFitsUntil,
  cigsForms,
  cigsLimitsOn,
  cigsProcedure,
  cigsRefusal,
  cigsStartInput,
  cigsUnitKeys,
  consultationRuleFor,
  coveredAfterFiling,
  earliestStartAfterFiling,
  examinationBody,
  cigsWorkerRow,
  sanctionFor,
} from '../domain/procedures/cigs';
import { SECTORS, capCheckView } from '../domain/procedures/wage-guarantee';
import type { Period } from '../domain/schemas';
import { DECISION_OUTCOME, awaitDecision } from './inps-steps';
import type { KernelState } from './kernel';
import { CaseKernel, caseActivities, notify, refuse, startInput } from './kernel';

const { admissionData } = caseActivities;

/** Where the authorised period stands, as the training phase needs it (and carries into a new run). */
interface Training {
  workers: CigsWorkerState[];
  courses: TrainingObligation[];
  authorised: Period;
  /** The case's outcome when the period ends. */
  outcome: string;
}

export interface CigsOptions {
  /** Set by a run continued as new during the training phase. */
  resume?: { kernel: KernelState; training: Training };
  /** Continue as new past this many history events even before Temporal suggests it (tests lower it). */
  continueAsNewAfterEvents?: number;
}

export async function cigStraordinaria(start: CaseStart, options: CigsOptions = {}): Promise<CaseView> {
  const input = startInput(cigsStartInput, start, 'CIGS');
  const exam = examinationBody(input.productionUnits);
  const cause = cigsLimitsOn(input.period.from).causes[input.cause];
  const k = new CaseKernel(
    start,
    cigsProcedure,
    {
      title: `CIGS ${input.employer.name} – ${cause.title} (${input.period.from} → ${input.period.to})`,
      parties: [
        { role: 'employer', name: input.employer.name, identifier: input.employer.taxCode },
        ...input.productionUnits.map((u) => ({
          role: 'production unit',
          name: `${u.address}, ${u.municipality} (${u.region})`,
          identifier: u.id,
        })),
        { role: 'unions', name: 'RSA/RSU and territorial unions', identifier: null },
        { role: 'joint examination', name: exam.body, identifier: null },
        { role: 'decider', name: 'Ministry of Labour', identifier: null },
      ],
      keys: { employer: input.employer.taxCode },
      units: cigsUnitKeys(input),
    },
    options.resume?.kernel,
  );
  const resume = options.resume;
  if (resume) {
    // A run continued as new: back to the training obligations, then the end of the period.
    return k.run(async () => {
      await trainingObligations(k, resume.training, options);
      closeCigs(k, resume.training);
    });
  }
  return k.run(() => runCigs(k, input, exam, options));
}

async function runCigs(
  k: CaseKernel,
  input: CigsStartInput,
  exam: { body: string; regions: string[] },
  options: CigsOptions,
) {
  const cause = cigsLimitsOn(input.period.from).causes[input.cause];
  k.view.facts = {
    scheme: 'CIGS',
    cigsCause: input.cause,
    cause: cause.title,
    causeMaxMonths: cause.months,
    requestedPeriod: input.period,
    countedPeriod: input.period,
    examinationBody: exam.body,
    regions: exam.regions,
    previousCaseId: input.previousCaseId ?? null,
    workersListed: 0,
    workersByStatus: {},
    workersSanctioned: 0,
    workersInGol: 0,
  };
  k.recordDocument(
    'union-notice',
    'Notice to RSA/RSU and territorial unions (art. 24 c.1)',
    input.unionNoticeDate,
    null,
    k.start.openedBy,
  );

  if (!(await admission(k, input))) return;
  const consultationEnd = await jointExamination(k, input, exam.body);

  // The Region's opinion may come at any time from now; after 20 days the Ministry goes on without it.
  k.acceptNews('region-opinion');
  const opinionTerm = k.setDeadline(
    'region-opinion',
    CIGS_RULES.regionOpinion,
    consultationEnd,
    'The Ministry may decide without the opinion',
  );

  const workers = await application(k, input, consultationEnd);
  if (workers === null) return;

  // The decree may come before the opinion term runs out; it is read after the opinion.
  k.acceptNews('ministry-decree');
  k.setStep("awaiting the Region's opinion");
  const opinion = await k.waitForNews('region-opinion', opinionTerm);
  k.stopAcceptingNews('region-opinion');
  if (opinion) {
    k.recordDecision(
      'region-opinion',
      String(opinion.opinion),
      String(opinion.issuedOn),
      exam.body,
      { reference: opinion.reference, reasons: opinion.reasons },
      { sub: exam.body, role: 'integrator' },
    );
  } else {
    k.recordCheck({
      id: 'region-opinion',
      title: 'No opinion from the Region',
      legalBasis: CIGS_RULES.regionOpinion.legalBasis,
      result: 'warning',
      explanation: `No opinion by ${opinionTerm.due}: the Ministry may decide without it.`,
      figures: { due: opinionTerm.due },
    });
  }

  const decision = await awaitDecision(k, {
    newsType: 'ministry-decree',
    reminder: CIGS_RULES.decree,
    chase: cigsForms.chase,
    body: 'Ministry of Labour',
    awaiting: 'awaiting the Ministry decree',
    appeals: [
      { rule: CIGS_RULES.appealTar, body: 'TAR Lazio' },
      { rule: CIGS_RULES.appealHeadOfState, body: 'Head of State (extraordinary appeal)' },
    ],
  });
  k.stopAcceptingNews('ministry-decree');
  if (!decision.authorised) {
    k.close('rejected', decision.reasons ?? `decree ${decision.protocol} of ${decision.decidedOn}`);
    return;
  }

  if (input.cause === 'transition') await referToGol(k, input, workers);
  const training: Training = {
    workers,
    courses: await trainingPlan(k, workers),
    authorised: decision.authorised,
    outcome: DECISION_OUTCOME[decision.decision],
  };
  await trainingObligations(k, training, options);
  closeCigs(k, training);
}

function closeCigs(k: CaseKernel, t: Training): void {
  const sanctioned = t.workers.filter((w) => w.sanctions > 0).length;
  const used = k.view.facts.countedPeriod as Period;
  k.close(
    t.outcome,
    `CIGS period ${used.from} → ${used.to} ended${used.to < t.authorised.to ? ' early' : ''}; ` +
      `${t.workers.length} worker(s), ${sanctioned} sanctioned for missed training`,
  );
}

/**
 * The workers are rows of their own (paged by the API, with their obligations, attendance and sanctions); the case
 * keeps their counts. Writes the rows of `changed` (all of them when omitted) and the counts.
 */
function writeWorkers(
  k: CaseKernel,
  workers: CigsWorkerState[],
  courses: TrainingObligation[],
  changed: CigsWorkerState[] = workers,
  append?: Record<string, Record<string, unknown>[]>,
): void {
  for (const w of changed)
    k.putMember({ ...cigsWorkerRow(w, k.view.office, courses), ...(append ? { append } : {}) });
  const byStatus: Record<string, number> = {};
  for (const w of workers) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
  k.view.facts.workersListed = workers.length;
  k.view.facts.workersByStatus = byStatus;
  k.view.facts.workersSanctioned = workers.filter((w) => w.sanctions > 0).length;
  k.view.facts.workersInGol = workers.filter((w) => w.golProgramme).length;
}

/** The scheme, the transition agreement's precondition and the caps of each unit, read again by the case. */
async function admission(k: CaseKernel, input: CigsStartInput): Promise<boolean> {
  const ctx = await admissionData({
    unitKeys: cigsUnitKeys(input),
    linkedCaseIds: input.previousCaseId ? [input.previousCaseId] : [],
    excludeCaseId: k.view.caseId,
  });
  const perUnit = cigsCapChecks(input, ctx.periodsByUnit);
  // Over a cap: a warning when the request is cut to fit, refused when nothing fits.
  for (const u of perUnit) {
    for (const c of u.checks)
      k.recordCheck(capCheckView(c, c.fitsUntil === null ? 'refused' : 'warning', `${u.unit}:`));
  }
  const refusal = cigsRefusal(input, perUnit, ctx.linked, k.today);
  if (refusal) {
    k.view.facts.countedPeriod = null;
    k.close('refused', refusal.detail);
    return false;
  }
  const fits = cigsFitsUntil(perUnit, input.period);
  if (fits !== null && fits < input.period.to) {
    k.view.facts.countedPeriod = { from: input.period.from, to: fits };
    k.recordCheck({
      id: 'cap-cut',
      title: 'Request cut to fit the caps',
      legalBasis: 'D.Lgs. 148/2015 arts. 4 and 22',
      result: 'warning',
      explanation: `The caps allow the period only until ${fits}: the request is cut from ${input.period.to}.`,
      figures: { requested: input.period, allowedUntil: fits },
    });
  }
  return true;
}

/** Art. 24 cc.2–5: the request for the joint examination and the examination. Returns the day it ended. */
async function jointExamination(k: CaseKernel, input: CigsStartInput, body: string): Promise<IsoDate> {
  k.setStep('request for the joint examination');
  const requestTerm = k.setDeadline(
    'exam-request',
    CIGS_RULES.examRequest,
    input.unionNoticeDate,
    'Without a request the consultation is taken as closed at the term, and the application term runs',
  );
  const request = k.openTask(cigsForms.examRequest, { deadline: requestTerm });
  const requested = await k.raceDeadline(requestTerm, () => request.status !== 'open');
  if (!requested || request.outcome !== 'requested') {
    if (!requested) k.cancelTask(request, 'request term expired');
    const end = requested ? minDate(k.today, requestTerm.due) : requestTerm.due;
    k.recordCheck({
      id: 'joint-examination',
      title: 'No joint examination',
      legalBasis: CIGS_RULES.examRequest.legalBasis,
      result: 'warning',
      explanation: `Nobody asked for the joint examination: the consultation is taken as closed on ${end}.`,
      figures: { consultationEnd: end },
    });
    k.view.facts.consultationEnd = end;
    return end;
  }
  const requestDate = String(request.data?.requestDate);
  k.recordDocument('exam-request', `Request for the joint examination to ${body}`, requestDate, null);
  k.setStep(`joint examination at ${body}`);
  const term = k.setDeadline(
    'consultation',
    consultationRuleFor(input),
    requestDate,
    'The consultation is closed by law; the employer may apply',
  );
  const examTask = k.openTask(cigsForms.examination, { deadline: term });
  const done = await k.raceDeadline(term, () => examTask.status !== 'open');
  let end: IsoDate = term.due;
  if (!done) {
    k.cancelTask(examTask, 'consultation term expired');
    k.view.facts.agreement = null;
  } else {
    const data = examTask.data ?? {};
    end = minDate(String(data.minutesDate), term.due);
    k.view.facts.agreement = examTask.outcome === 'agreement';
    k.view.facts.selectionCriteria = data.selectionCriteria ?? null;
    k.view.facts.rotation = data.rotation ?? null;
    k.recordDocument(
      'consultation-minutes',
      `Minutes of the joint examination (${String(examTask.outcome).replace('_', ' ')})`,
      String(data.minutesDate),
      null,
    );
    // Art. 24 c.3: the parties must say why a solidarity contract is not possible (not required in construction).
    if (
      data.solidarityNotFeasible !== true &&
      !SECTORS[input.employer.sector].longCap &&
      input.cause !== 'solidarity'
    ) {
      k.recordCheck({
        id: 'solidarity-alternative',
        title: 'Solidarity contract not excluded',
        legalBasis: 'D.Lgs. 148/2015 art. 24 c.3',
        result: 'warning',
        explanation: 'The minutes do not state that a solidarity contract is not feasible.',
        figures: {},
      });
    }
  }
  k.view.facts.consultationEnd = end;
  return end;
}

/** Art. 25: the application to the Ministry with the workers' list; the suspension starts from the 30th day. */
async function application(
  k: CaseKernel,
  input: CigsStartInput,
  consultationEnd: IsoDate,
): Promise<CigsWorkerState[] | null> {
  k.setStep('application to the Ministry');
  const term = k.setDeadline(
    'application',
    CIGS_RULES.application,
    consultationEnd,
    'Late application: the benefit runs only from the 30th day after filing (art. 25 c.3)',
  );
  const task = k.openTask(cigsForms.application, { deadline: term });
  const registered = await k.waitWithin(term, () => task.status !== 'open');
  if (!registered) {
    k.markDeadline(term, 'missed', 'no filing registered by the term');
    await k.waitForTask(task);
  }
  if (task.outcome === 'not_filed') {
    k.view.facts.countedPeriod = null;
    const reason = task.data?.reason;
    k.close('not-filed', typeof reason === 'string' ? reason : 'the employer did not apply');
    return null;
  }
  const data = task.data ?? {};
  const filedOn = String(data.filedOn);
  const by: Actor = { sub: task.completedBy ?? 'unknown', role: 'officer' };
  k.recordDocument(
    'ministry-application',
    'Application to the Ministry of Labour (art. 25)',
    filedOn,
    String(data.protocol),
    by,
  );
  k.recordDocument('programme', 'Programme of the employer (art. 25 c.1)', filedOn, null, by);
  k.markDeadline(term, filedOn <= term.due ? 'met' : 'missed', `filed on ${filedOn}`);

  const listed = (data.workers as { taxCode: string; name: string }[] | undefined) ?? [];
  const workers: CigsWorkerState[] = listed.map((w) => ({
    taxCode: w.taxCode,
    name: w.name,
    status: 'active',
    golProgramme: false,
    courses: [],
    unjustifiedAbsences: 0,
    sanctions: 0,
  }));
  writeWorkers(k, workers, []);
  if (workers.length !== input.workersConcerned) {
    k.recordCheck({
      id: 'workers-list',
      title: 'Workers listed differ from those announced',
      legalBasis: 'D.Lgs. 148/2015 art. 25 c.1',
      result: 'warning',
      explanation: `The notice announced ${input.workersConcerned} worker(s); the application lists ${workers.length}.`,
      figures: { announced: input.workersConcerned, listed: workers.length },
    });
  }

  const counted = k.view.facts.countedPeriod as Period;
  const covered = coveredAfterFiling(counted, filedOn);
  const earliest = earliestStartAfterFiling(filedOn);
  const late = filedOn > term.due;
  if (covered === null) {
    k.view.facts.countedPeriod = null;
    k.close(
      'not-covered',
      `filed on ${filedOn}: nothing of the period is left from ${earliest} (art. 25 cc.2–3)`,
    );
    return null;
  }
  k.recordCheck({
    id: 'start-after-filing',
    title: 'Suspension from the 30th day after filing',
    legalBasis: late ? 'D.Lgs. 148/2015 art. 25 c.3' : 'D.Lgs. 148/2015 art. 25 c.2',
    result: covered.from > counted.from ? 'warning' : 'ok',
    explanation:
      covered.from > counted.from
        ? `Filed on ${filedOn}${late ? ' (late)' : ''}: the benefit runs only from ${earliest}, not from ${counted.from}; the employer pays the workers for the days before.`
        : `Filed on ${filedOn}; the period starts on ${counted.from}, not before ${earliest}.`,
    figures: { filedOn, earliestStart: earliest, coveredFrom: covered.from },
  });
  k.view.facts.countedPeriod = covered;
  return workers;
}

/** Art. 22-ter c.2: the workers of a transition agreement enter the GOL programme. */
async function referToGol(k: CaseKernel, input: CigsStartInput, workers: CigsWorkerState[]): Promise<void> {
  for (const w of workers) w.golProgramme = true;
  writeWorkers(k, workers, []);
  const receipt = await notify({
    caseId: k.view.caseId,
    idempotencyKey: `${k.view.caseId}:gol`,
    to: 'GOL',
    subject: 'Workers of a transition agreement (art. 22-ter)',
    payload: { employer: input.employer.taxCode, workers: workers.map((w) => w.taxCode) },
  });
  k.recordDocument(
    'gol-referral',
    `${workers.length} worker(s) referred to the GOL programme (art. 22-ter c.2)`,
    k.today,
    receipt.reference,
  );
}

/** Art. 25-ter: the training plan gives each worker (or every worker) their courses. */
async function trainingPlan(k: CaseKernel, workers: CigsWorkerState[]): Promise<TrainingObligation[]> {
  const byCode = new Map(workers.map((w) => [w.taxCode, w]));
  k.checkTask(cigsForms.trainingPlan.key, (_outcome, data) => {
    const courses = data.courses as { workers?: string[] }[];
    courses.forEach((c, i) =>
      (c.workers ?? []).forEach((tc, j) => {
        if (!byCode.has(tc)) {
          refuse('InvalidFormData', 'the training plan names a worker who is not on the list', [
            { path: `data.courses.${i}.workers.${j}`, message: `${tc} is not on the case's list of workers` },
          ]);
        }
      }),
    );
  });
  k.setStep('training plan');
  const plan = k.openTask(cigsForms.trainingPlan);
  await k.waitForTask(plan);
  const planned = (plan.data?.courses ?? []) as (TrainingObligation & { workers?: string[] })[];
  const courses: TrainingObligation[] = planned.map((c) => ({
    courseCode: c.courseCode,
    title: c.title,
    provider: c.provider,
    hours: c.hours,
  }));
  for (const c of planned) {
    for (const w of c.workers ? c.workers.map((tc) => byCode.get(tc)) : workers)
      w?.courses.push(c.courseCode);
  }
  writeWorkers(k, workers, courses);
  k.emit('DocumentRecorded', `Training plan: ${courses.length} course(s) for ${workers.length} worker(s)`, {
    courses: courses.map((c) => c.courseCode),
  });
  return courses;
}

/**
 * Art. 25-ter: training obligations during the authorised period; unjustified absences walk the ladder. A long
 * period with many workers continues as new, carrying the workers' state (their attendance is in their rows).
 */
async function trainingObligations(k: CaseKernel, t: Training, options: CigsOptions): Promise<void> {
  const { workers, authorised } = t;
  const byCode = new Map(workers.map((w) => [w.taxCode, w]));
  k.setStep('CIGS running: training obligations');
  k.acceptNews('training-attendance', (data) => {
    const a = data as TrainingAttendance;
    const w = byCode.get(a.workerTaxCode);
    if (!w) {
      refuse('InvalidFormData', 'the worker is not on this case', [
        { path: 'data.workerTaxCode', message: "is not on the case's list of workers" },
      ]);
    }
    if (!w.courses.includes(a.courseCode)) {
      refuse('InvalidFormData', 'the worker has no obligation for this course', [
        {
          path: 'data.courseCode',
          message: `is not one of the worker's courses (${w.courses.join(', ')})`,
        },
      ]);
    }
    if (w.status === 'benefit-lost') refuse('NewsNotExpected', `${w.name} has already lost the benefit`);
  });
  k.acceptNews('suspension-ended', (data) => {
    const endedOn = String(data.endedOn);
    if (endedOn < authorised.from || endedOn >= authorised.to) {
      refuse('InvalidFormData', 'the suspension can only end early within the authorised period', [
        {
          path: 'data.endedOn',
          message: `must be from ${authorised.from} to the day before ${authorised.to}`,
        },
      ]);
    }
  });
  const endMs = endOfRomeDay(authorised.to);
  for (;;) {
    if (k.continueAsNewDue(options.continueAsNewAfterEvents)) {
      await k.continueAsNew((kernel) => [
        k.start,
        { ...options, resume: { kernel, training: t } } satisfies CigsOptions,
      ]);
    }
    const news = await k.nextNews(['training-attendance', 'suspension-ended'], endMs);
    if (news === null) break;
    if (news.type === 'training-attendance') {
      await recordAttendance(k, t, byCode, news.data as TrainingAttendance);
      continue;
    }
    // The days after the early end are not used: they no longer count against the unit's caps (art. 4, 22).
    const endedOn = String(news.data.endedOn);
    k.view.facts.countedPeriod = { from: authorised.from, to: endedOn };
    k.view.facts.endedEarlyOn = endedOn;
    k.recordDocument(
      'early-end',
      `Suspension ended early by the employer: ${String(news.data.reason)}`,
      endedOn,
      null,
    );
    break;
  }
  k.stopAcceptingNews('training-attendance');
  k.stopAcceptingNews('suspension-ended');
}

async function recordAttendance(
  k: CaseKernel,
  t: Training,
  byCode: Map<string, CigsWorkerState>,
  a: TrainingAttendance,
): Promise<void> {
  const w = byCode.get(a.workerTaxCode);
  if (!w || w.status === 'benefit-lost') return;
  const justified = a.justified ?? false;
  const entry = {
    courseCode: a.courseCode,
    sessionDate: a.sessionDate,
    attended: a.attended,
    justified,
    note: a.note ?? null,
  };
  const what = a.attended ? 'attended' : justified ? 'justified absence' : 'unjustified absence';
  k.emit('AttendanceRecorded', `${w.name}, ${a.courseCode} on ${a.sessionDate}: ${what}`, {
    workerTaxCode: w.taxCode,
    courseCode: a.courseCode,
    sessionDate: a.sessionDate,
    attended: a.attended,
    justified,
  });
  if (a.attended || justified) {
    writeWorkers(k, t.workers, t.courses, [w], { attendance: [entry] });
    return;
  }
  w.unjustifiedAbsences += 1;
  const step = sanctionFor(w.unjustifiedAbsences, a.sessionDate);
  const n = w.sanctions + 1;
  const receipt = await notify({
    caseId: k.view.caseId,
    idempotencyKey: `${k.view.caseId}:sanction:${w.taxCode}:${n}`,
    to: 'INPS',
    subject: `Conditionality sanction: ${step.title}`,
    payload: { worker: w.taxCode, sanction: step.sanction, absence: a, legalBasis: step.legalBasis },
  });
  w.sanctions = n;
  if (step.sanction === 'loss-of-benefit') w.status = 'benefit-lost';
  writeWorkers(k, t.workers, t.courses, [w], {
    attendance: [entry],
    sanctions: [
      {
        step: n,
        sanction: step.sanction,
        title: step.title,
        date: a.sessionDate,
        legalBasis: step.legalBasis,
        reference: receipt.reference,
      },
    ],
  });
  k.emit(
    'SanctionApplied',
    `${w.name}: ${step.title} — ${step.legalBasis}; reported to INPS (${receipt.reference})`,
    {
      workerTaxCode: w.taxCode,
      sanction: step.sanction,
      unjustifiedAbsences: w.unjustifiedAbsences,
      reference: receipt.reference,
    },
  );
}
