/**
 * CIG ordinaria (D.Lgs. 148/2015 arts. 10–16; procedures.md §2.2) as one durable case.
 */
import { patched } from '@temporalio/workflow';
import type { CaseStart, CaseView } from '../domain/case-model';
import type { CigoStartInput } from '../domain/procedures/cigo';
import {
  CIGO_CAUSES,
  CIGO_RULES,
  cigoDurationCheck,
  cigoProcedure,
  cigoStartInput,
  cigoUnitKey,
  coveredFromAfterLateFiling,
  isUnavoidable,
  weeksOf,
} from '../domain/procedures/cigo';
import { capCheckView, overallCapCheck, schemeRefusal } from '../domain/procedures/wage-guarantee';
import {
  applicationPhase,
  completenessPhase,
  consultationPhase,
  forwardPhase,
  inpsDecisionAndClose,
  unitCaseHeader,
} from './inps-steps';
import { CaseKernel, caseActivities, startInput } from './kernel';

const { earlierUnitPeriods } = caseActivities;

export async function cigOrdinaria(start: CaseStart): Promise<CaseView> {
  const input = startInput(cigoStartInput, start, 'CIGO');
  const k = new CaseKernel(start, cigoProcedure, unitCaseHeader('CIGO', input, 'INPS'));
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
  const earlier = await earlierUnitPeriods({ unitKey: cigoUnitKey(input), excludeCaseId: k.view.caseId });
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
  // Added after the first release: the scheme (art. 10) and the overall cap of art. 4 (CIGO + CIGS).
  if (patched('cigo-scheme-and-overall-cap')) {
    const scheme = schemeRefusal('CIGO', input.employer, k.today);
    const overall = overallCapCheck(input.employer.sector, input.suspension, null, earlier);
    if (scheme === null) k.recordCheck(capCheckView(overall, 'refused'));
    const refusal = scheme?.detail ?? (overall.ok ? null : overall.explanation);
    if (refusal !== null) {
      k.view.facts.countedPeriod = null;
      k.close('refused', refusal);
      return;
    }
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

  await consultationPhase(k, input, unavoidable);

  const application = await applicationPhase(k, {
    deadline: applicationDeadline,
    suspension: input.suspension,
    article: 'art. 15',
    lateLegalBasis: 'D.Lgs. 148/2015 art. 15 c.3',
    coveredFromIfLate: (filedOn) => coveredFromAfterLateFiling(input.suspension.from, filedOn),
  });
  if (!application) return;
  if (!(await completenessPhase(k))) return;
  await forwardPhase(
    k,
    { input, application: application.data, facts: k.view.facts },
    'D.Lgs. 148/2015 art. 15',
  );
  await inpsDecisionAndClose(k, { rule: CIGO_RULES.appeal, body: 'INPS Comitato amministratore GPT' });
}
