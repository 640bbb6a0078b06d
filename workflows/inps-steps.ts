/**
 * Steps that the schemes paid by INPS share (CIGO, D.Lgs. 148/2015 arts. 14–15; FIS, art. 30 c.2 which applies
 * them): the union consultation, the application in its term, the office's completeness check, forwarding the
 * dossier, and the INPS decision with its appeal term.
 */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/types';
import type { Actor, DeadlineView, TaskView } from '../domain/case-model';
import type { IsoDate } from '../domain/dates';
import type { DeadlineRule } from '../domain/deadlines';
import type { TaskFormDef } from '../domain/procedure';
import { computeDeadline } from '../domain/deadlines';
import type { ConsultationFacts, InpsDecisionNews } from '../domain/procedures/cigo';
import { CIGO_RULES, cigoForms, consultationRule, unavoidableExamApplies } from '../domain/procedures/cigo';
import type { ProductionUnit } from '../domain/procedures/wage-guarantee';
import { unitKeyOf } from '../domain/procedures/wage-guarantee';
import type { Period } from '../domain/schemas';
import type { CaseHeader, CaseKernel } from './kernel';

// INPS may be down for a while; after a day of retries the officer is told to forward by hand.
const { forwardToInps } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '10 seconds', maximumInterval: '30 minutes' },
});

/** Art. 14: the union consultation, or the unavoidable-event variant. */
export async function consultationPhase(
  k: CaseKernel,
  input: ConsultationFacts,
  unavoidable: boolean,
): Promise<void> {
  if (!unavoidable) {
    k.setStep('union consultation');
    const term = k.setDeadline(
      'consultation',
      consultationRule(input),
      input.unionNoticeDate,
      'The consultation is closed by law; the procedure goes on (agreement is not required)',
    );
    const task = k.openTask(cigoForms.consultation, { deadline: term });
    const done = await k.raceDeadline(term, () => task.status !== 'open');
    if (!done) k.cancelTask(task, 'consultation term expired');
    else recordMinutes(k, task.outcome, task.data);
    return;
  }
  if (!unavoidableExamApplies(input)) return; // art. 14 c.4: no examination for cuts up to 16 hours a week
  k.setStep('joint examination request');
  const requestTerm = k.setDeadline(
    'exam-request',
    CIGO_RULES.unavoidableExamRequest,
    input.unionNoticeDate,
    'No joint examination: the procedure goes on',
  );
  const request = k.openTask(cigoForms.examRequest, { deadline: requestTerm });
  const requested = await k.raceDeadline(requestTerm, () => request.status !== 'open');
  if (!requested) {
    k.cancelTask(request, 'request term expired');
    return;
  }
  if (request.outcome !== 'requested') return;
  k.setStep('joint examination');
  const examTerm = k.setDeadline(
    'exam',
    CIGO_RULES.unavoidableExam,
    String(request.data?.requestDate),
    'The joint examination is closed by law; the procedure goes on',
  );
  const exam = k.openTask(cigoForms.consultation, { deadline: examTerm });
  const done = await k.raceDeadline(examTerm, () => exam.status !== 'open');
  if (!done) k.cancelTask(exam, 'examination term expired');
  else recordMinutes(k, exam.outcome, exam.data);
}

function recordMinutes(k: CaseKernel, outcome: string | null, data: Record<string, unknown> | null): void {
  if (outcome === 'agreement' || outcome === 'no_agreement') {
    k.recordDocument(
      'consultation-minutes',
      `Minutes of the joint examination (${outcome.replace('_', ' ')})`,
      String(data?.minutesDate),
      null,
    );
  }
}

export interface ApplicationOptions {
  deadline: DeadlineView;
  suspension: Period;
  /** The article the application is filed under, as the case shows it (e.g. "art. 15"). */
  article: string;
  /** The rule that limits a late application's benefit. */
  lateLegalBasis: string;
  /** The first day an application may be filed (FIS, art. 30 c.2); an earlier filing must be made again. */
  opensOn?: IsoDate;
  /** The first day a late application still covers. */
  coveredFromIfLate: (filedOn: IsoDate) => IsoDate;
}

/**
 * The application to INPS: registered by an officer, judged on its filing date. Returns the completed task, or
 * null when the employer will not apply (the case is then closed).
 */
export async function applicationPhase(k: CaseKernel, opts: ApplicationOptions): Promise<TaskView | null> {
  const { deadline } = opts;
  k.setStep('application to INPS');
  for (;;) {
    const application = k.openTask(cigoForms.application, { deadline });
    const registered = await k.waitWithin(deadline, () => application.status !== 'open');
    if (!registered) {
      k.markDeadline(deadline, 'missed', 'no filing registered by the term');
      await k.waitForTask(application);
    }
    if (application.outcome === 'not_filed') {
      k.view.facts.countedPeriod = null;
      const reason = application.data?.reason;
      k.close('not-filed', typeof reason === 'string' ? reason : 'the employer did not apply');
      return null;
    }
    const filedOn = String(application.data?.filedOn);
    if (opts.opensOn !== undefined && filedOn < opts.opensOn) {
      k.recordCheck({
        id: 'premature-application',
        title: 'Application filed too early',
        legalBasis: `D.Lgs. 148/2015 ${opts.article}`,
        result: 'warning',
        explanation: `Filed on ${filedOn}, before the window opened on ${opts.opensOn}: the employer must file again.`,
        figures: { filedOn, opensOn: opts.opensOn },
      });
      continue;
    }
    const actor: Actor = { sub: application.completedBy ?? 'unknown', role: 'officer' };
    k.recordDocument(
      'inps-application',
      `Application to INPS (${opts.article})`,
      filedOn,
      String(application.data?.inpsProtocol),
      actor,
    );
    // The term is judged on the filing date, which the officer may register a few days later.
    if (filedOn <= deadline.due) {
      k.markDeadline(deadline, 'met', `filed on ${filedOn}`);
    } else {
      k.markDeadline(deadline, 'missed', `filed on ${filedOn}`);
      const coveredFrom = opts.coveredFromIfLate(filedOn);
      k.view.facts.coveredFrom = coveredFrom;
      k.view.facts.countedPeriod = { from: coveredFrom, to: opts.suspension.to };
      k.recordCheck({
        id: 'late-application',
        title: 'Application filed late',
        legalBasis: opts.lateLegalBasis,
        result: 'warning',
        explanation: `Filed on ${filedOn}, after the term of ${deadline.due}: the benefit covers only the days from ${coveredFrom}; the employer pays the workers for the days before.`,
        figures: { filedOn, due: deadline.due, coveredFrom },
      });
    }
    return application;
  }
}

/** The office's completeness check, with requests for missing documents. False when the case closed inadmissible. */
export async function completenessPhase(k: CaseKernel): Promise<boolean> {
  for (let round = 1; ; round += 1) {
    k.setStep('completeness check');
    const check = k.openTask(cigoForms.completeness);
    await k.waitForTask(check);
    if (check.outcome === 'complete') return true;
    const missing = (check.data?.missing as string[] | undefined) ?? [];
    k.emit('DocumentsRequested', `Missing documents requested from the employer: ${missing.join(', ')}`, {
      missing,
    });
    k.setStep('awaiting missing documents');
    const term = k.setDeadline(
      `integration-${round}`,
      CIGO_RULES.integration,
      k.today,
      'The application is not admissible',
    );
    const news = await k.waitForNews('documents-supplemented', term);
    if (news === null) {
      k.view.facts.countedPeriod = null;
      k.close('inadmissible', `missing documents (${missing.join(', ')}) not supplied by ${term.due}`);
      return false;
    }
    for (const d of news.documents as string[])
      k.recordDocument('supplement', d, String(news.receivedOn), null);
  }
}

/** Sends the dossier to INPS; when INPS stays unreachable for a day the officer is told to send it by PEC. */
export async function forwardPhase(
  k: CaseKernel,
  dossier: Record<string, unknown>,
  legalBasis: string,
): Promise<void> {
  k.setStep('forwarding to INPS');
  // The decision may be relayed while the dossier is still on its way: it is kept and read after it.
  k.acceptNews('inps-decision');
  try {
    const receipt = await k.external(() =>
      forwardToInps({ caseId: k.view.caseId, idempotencyKey: `${k.view.caseId}:forward`, dossier }),
    );
    k.recordDocument('inps-forward', 'Dossier forwarded to INPS', k.today, receipt.reference);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    k.recordCheck({
      id: 'inps-forward',
      title: 'Dossier not delivered to INPS',
      legalBasis,
      result: 'warning',
      explanation: 'The automatic delivery failed for a day: forward the dossier by PEC.',
      figures: {},
    });
  }
}

export interface DecisionOptions {
  newsType: string;
  /** The term after which a reminder task asks the officer to solicit the decision. */
  reminder: DeadlineRule;
  chase: TaskFormDef;
  body: string;
  awaiting: string;
  appeals: { rule: DeadlineRule; body: string }[];
}

/** Waits for the decision as news from outside, with reminders when it is late; records it and its appeal terms. */
export async function awaitDecision(k: CaseKernel, opts: DecisionOptions): Promise<InpsDecisionNews> {
  let decision: InpsDecisionNews | null = null;
  for (let round = 1; decision === null; round += 1) {
    k.setStep(opts.awaiting);
    const term = k.setDeadline(
      `${opts.newsType}-${round}`,
      opts.reminder,
      k.today,
      `A reminder task asks the officer to solicit ${opts.body}`,
    );
    const news = await k.waitForNews(opts.newsType, term);
    if (news !== null) {
      decision = news as InpsDecisionNews;
    } else if (!k.view.tasks.some((t) => t.key === opts.chase.key && t.status === 'open')) {
      k.openTask(opts.chase);
    }
  }
  for (const t of k.view.tasks) if (t.key === opts.chase.key) k.cancelTask(t, `${opts.body} decided`);
  k.stopAcceptingNews(opts.newsType);

  const details: Record<string, unknown> = { protocol: decision.protocol, reasons: decision.reasons ?? null };
  if (decision.authorised) details.authorised = decision.authorised;
  if (decision.decision !== 'authorised') {
    // The appeal terms run from receipt of the decision; they are shown with it.
    details.appeals = opts.appeals.map((a) => ({
      body: a.body,
      dueBy: computeDeadline(a.rule, decision.decidedOn, { calendar: k.start.officeCalendar }).due,
      legalBasis: a.rule.legalBasis,
    }));
    const first = (details.appeals as Record<string, unknown>[])[0];
    if (first) details.appeal = first;
  }
  k.recordDecision(opts.newsType, decision.decision, decision.decidedOn, opts.body, details, {
    sub: opts.body,
    role: 'integrator',
  });
  k.view.facts.countedPeriod = decision.authorised ?? null;
  k.view.facts.authorisedPeriod = decision.authorised ?? null;
  return decision;
}

export const DECISION_OUTCOME = {
  authorised: 'authorised',
  partial: 'partially-authorised',
  rejected: 'rejected',
} as const;

/** The header of a case about one production unit's suspension (CIGO, FIS). */
export function unitCaseHeader(
  code: string,
  input: {
    employer: { name: string; taxCode: string };
    productionUnit: ProductionUnit;
    suspension: Period;
  },
  decider: string,
): CaseHeader {
  const unit = unitKeyOf(input.employer.taxCode, input.productionUnit);
  const u = input.productionUnit;
  return {
    title: `${code} ${input.employer.name} – ${u.municipality} (${input.suspension.from} → ${input.suspension.to})`,
    parties: [
      { role: 'employer', name: input.employer.name, identifier: input.employer.taxCode },
      { role: 'production unit', name: `${u.address}, ${u.municipality}`, identifier: u.id },
      { role: 'unions', name: 'RSA/RSU and territorial unions', identifier: null },
      { role: 'decider', name: decider, identifier: null },
    ],
    keys: { productionUnit: unit, employer: input.employer.taxCode },
    units: [unit],
  };
}

/** Waits for the INPS decision and closes the case with it, showing the appeal. */
export async function inpsDecisionAndClose(
  k: CaseKernel,
  appeal: { rule: DeadlineRule; body: string },
): Promise<void> {
  const decision = await awaitDecision(k, {
    newsType: 'inps-decision',
    reminder: CIGO_RULES.inpsDecision,
    chase: cigoForms.chase,
    body: 'INPS',
    awaiting: 'awaiting the INPS decision',
    appeals: [appeal],
  });
  k.close(
    DECISION_OUTCOME[decision.decision],
    decision.reasons ?? `INPS decision ${decision.protocol} of ${decision.decidedOn}`,
  );
}
