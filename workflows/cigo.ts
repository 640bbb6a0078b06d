/**
 * CIG ordinaria (D.Lgs. 148/2015 arts. 10–16; procedures.md §2.2) as one durable case.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/types';
import type { Actor, CaseStart, CaseView } from '../domain/case-model';
import { computeDeadline } from '../domain/deadlines';
import type { CigoStartInput, InpsDecisionNews } from '../domain/procedures/cigo';
import {
  CIGO_CAUSES,
  CIGO_RULES,
  cigoDurationCheck,
  cigoForms,
  cigoProcedure,
  cigoStartInput,
  consultationRule,
  coveredFromAfterLateFiling,
  isUnavoidable,
  unavoidableExamApplies,
  weeksOf,
} from '../domain/procedures/cigo';
import { CaseKernel } from './kernel';

const { earlierUnitPeriods } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// INPS may be down for a while; after a day of retries the officer is told to forward by hand.
const { forwardToInps } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '10 seconds', maximumInterval: '30 minutes' },
});

export function unitKey(input: CigoStartInput): string {
  return `${input.employer.taxCode}/${input.productionUnit.id}`;
}

export async function cigOrdinaria(start: CaseStart): Promise<CaseView> {
  const parsed = cigoStartInput.safeParse(start.input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid CIGO input: ${parsed.error.message}`, 'InvalidInput');
  }
  const input = parsed.data;
  const k = new CaseKernel(start, cigoProcedure, {
    title: `CIGO ${input.employer.name} – ${input.productionUnit.municipality} (${input.suspension.from} → ${input.suspension.to})`,
    parties: [
      { role: 'employer', name: input.employer.name, identifier: input.employer.taxCode },
      {
        role: 'production unit',
        name: `${input.productionUnit.address}, ${input.productionUnit.municipality}`,
        identifier: input.productionUnit.id,
      },
      { role: 'unions', name: 'RSA/RSU and territorial unions', identifier: null },
      { role: 'decider', name: 'INPS', identifier: null },
    ],
    keys: { productionUnit: unitKey(input), employer: input.employer.taxCode },
  });
  return k.run(() => runCigo(k, input));
}

async function runCigo(k: CaseKernel, input: CigoStartInput): Promise<void> {
  const unavoidable = isUnavoidable(input);
  k.view.facts = {
    cause: CIGO_CAUSES[input.cause].title,
    unavoidableEvent: unavoidable,
    requestedPeriod: input.suspension,
    requestedWeeks: weeksOf(input.suspension),
    // The period that counts against the unit's caps until INPS decides (art. 12).
    countedPeriod: input.suspension,
  };
  k.recordDocument(
    'union-notice',
    'Notice to RSA/RSU and territorial unions (art. 14 c.1)',
    input.unionNoticeDate,
    null,
    k.start.openedBy,
  );

  // Art. 12 c.2: 52 weeks in a rolling two years per production unit, counted over the unit's earlier cases.
  const earlier = await earlierUnitPeriods({ unitKey: unitKey(input), excludeCaseId: k.view.caseId });
  const duration = cigoDurationCheck(input.suspension, earlier);
  k.recordCheck({
    id: 'duration-biennio',
    title: 'Duration: 52 weeks in a rolling two years',
    legalBasis: duration.legalBasis,
    result: duration.ok ? 'ok' : 'refused',
    explanation: duration.explanation,
    figures: { ...duration },
  });
  if (!duration.ok) {
    k.view.facts.countedPeriod = null;
    k.close('refused', duration.explanation);
    return;
  }

  // The application term runs from the start of the suspension (or the event), whatever the consultation does.
  const applicationDeadline = unavoidable
    ? k.setDeadline(
        'application',
        CIGO_RULES.applicationUnavoidable,
        input.eventDate ?? input.suspension.from,
        'Late application: benefit only for periods from one week before filing (art. 15 c.3)',
      )
    : k.setDeadline(
        'application',
        CIGO_RULES.application,
        input.suspension.from,
        'Late application: benefit only for periods from one week before filing (art. 15 c.3)',
      );

  await consultation(k, input, unavoidable);

  // ---- application to INPS (art. 15) ----
  k.setStep('application to INPS');
  const application = k.openTask(cigoForms.application, { deadline: applicationDeadline });
  const registered = await k.waitWithin(applicationDeadline, () => application.status !== 'open');
  if (!registered) {
    k.markDeadline(applicationDeadline, 'missed', 'no filing registered by the term');
    await k.waitForTask(application);
  }
  if (application.outcome === 'not_filed') {
    k.view.facts.countedPeriod = null;
    const reason = application.data?.reason;
    k.close('not-filed', typeof reason === 'string' ? reason : 'the employer did not apply');
    return;
  }
  const filedOn = String(application.data?.filedOn);
  const actor: Actor = { sub: application.completedBy ?? 'unknown', role: 'officer' };
  k.recordDocument(
    'inps-application',
    'Application to INPS (art. 15)',
    filedOn,
    String(application.data?.inpsProtocol),
    actor,
  );
  // The term is judged on the filing date, which the officer may register a few days later.
  if (filedOn <= applicationDeadline.due) {
    k.markDeadline(applicationDeadline, 'met', `filed on ${filedOn}`);
  } else {
    k.markDeadline(applicationDeadline, 'missed', `filed on ${filedOn}`);
    const coveredFrom = coveredFromAfterLateFiling(input.suspension.from, filedOn);
    k.view.facts.coveredFrom = coveredFrom;
    k.view.facts.countedPeriod = { from: coveredFrom, to: input.suspension.to };
    k.recordCheck({
      id: 'late-application',
      title: 'Application filed late',
      legalBasis: 'D.Lgs. 148/2015 art. 15 c.3',
      result: 'warning',
      explanation: `Filed on ${filedOn}, after the term of ${applicationDeadline.due}: the benefit covers only the days from ${coveredFrom}; the employer pays the workers for the days before.`,
      figures: { filedOn, due: applicationDeadline.due, coveredFrom },
    });
  }

  // ---- completeness check, with requests for missing documents ----
  for (let round = 1; ; round += 1) {
    k.setStep('completeness check');
    const check = k.openTask(cigoForms.completeness);
    await k.waitForTask(check);
    if (check.outcome === 'complete') break;
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
      return;
    }
    for (const d of news.documents as string[])
      k.recordDocument('supplement', d, String(news.receivedOn), null);
  }

  // ---- forward to INPS ----
  k.setStep('forwarding to INPS');
  try {
    const receipt = await k.external(() =>
      forwardToInps({
        caseId: k.view.caseId,
        idempotencyKey: `${k.view.caseId}:forward`,
        dossier: { input, application: application.data, facts: k.view.facts },
      }),
    );
    k.recordDocument('inps-forward', 'Dossier forwarded to INPS', k.today, receipt.reference);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    k.recordCheck({
      id: 'inps-forward',
      title: 'Dossier not delivered to INPS',
      legalBasis: 'D.Lgs. 148/2015 art. 15',
      result: 'warning',
      explanation: 'The automatic delivery failed for a day: forward the dossier by PEC.',
      figures: {},
    });
  }

  // ---- INPS decision: news from outside, with reminders when it is late ----
  let decision: InpsDecisionNews | null = null;
  for (let round = 1; decision === null; round += 1) {
    k.setStep('awaiting the INPS decision');
    const term = k.setDeadline(
      `inps-decision-${round}`,
      CIGO_RULES.inpsDecision,
      k.today,
      'A reminder task asks the officer to solicit INPS',
    );
    const news = await k.waitForNews('inps-decision', term);
    if (news !== null) {
      decision = news as InpsDecisionNews;
    } else if (!k.view.tasks.some((t) => t.key === cigoForms.chase.key && t.status === 'open')) {
      k.openTask(cigoForms.chase);
    }
  }
  for (const t of k.view.tasks) if (t.key === cigoForms.chase.key) k.cancelTask(t, 'INPS decided');

  const details: Record<string, unknown> = { protocol: decision.protocol, reasons: decision.reasons ?? null };
  if (decision.authorised) details.authorised = decision.authorised;
  if (decision.decision !== 'authorised') {
    // The appeal term (30 days from receipt) is shown with the decision; the case itself ends here.
    const appeal = computeDeadline(CIGO_RULES.appeal, decision.decidedOn, {
      calendar: k.start.officeCalendar,
    });
    details.appeal = {
      body: 'INPS Comitato amministratore GPT',
      dueBy: appeal.due,
      legalBasis: CIGO_RULES.appeal.legalBasis,
    };
  }
  k.recordDecision('inps-decision', decision.decision, decision.decidedOn, 'INPS', details, {
    sub: 'INPS',
    role: 'integrator',
  });
  k.view.facts.countedPeriod = decision.authorised ?? null;
  k.view.facts.authorisedPeriod = decision.authorised ?? null;
  const outcome = { authorised: 'authorised', partial: 'partially-authorised', rejected: 'rejected' }[
    decision.decision
  ];
  k.close(outcome, decision.reasons ?? `INPS decision ${decision.protocol} of ${decision.decidedOn}`);
}

/** Art. 14: the union consultation, or the unavoidable-event variant. */
async function consultation(k: CaseKernel, input: CigoStartInput, unavoidable: boolean): Promise<void> {
  if (!unavoidable) {
    k.setStep('union consultation');
    const term = k.setDeadline(
      'consultation',
      consultationRule(input),
      input.unionNoticeDate,
      'The consultation is closed by law; the procedure goes on (agreement is not required for CIGO)',
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
