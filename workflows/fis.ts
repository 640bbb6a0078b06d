/**
 * Assegno di integrazione salariale of the FIS (D.Lgs. 148/2015 arts. 29–30; procedures.md §2.4) as one case.
 * The consultation, the application, the completeness check and the INPS decision are the CIGO steps
 * (art. 30 c.2); the window opens 30 days before the suspension and the cap is FIS's own.
 */
import type { CaseStart, CaseView } from '../domain/case-model';
import type { FisStartInput } from '../domain/procedures/fis';
import {
  FIS_CAUSES,
  FIS_RULES,
  fisApplicationOpens,
  fisCapCheck,
  fisLimitsOn,
  fisProcedure,
  fisRefusal,
  fisStartInput,
  fisUnitKey,
} from '../domain/procedures/fis';
import { capCheckView, weeksOf } from '../domain/procedures/wage-guarantee';
import { addDays, maxDate } from '../domain/dates';
import {
  applicationPhase,
  completenessPhase,
  consultationPhase,
  forwardPhase,
  inpsDecisionAndClose,
  unitCaseHeader,
} from './inps-steps';
import { CaseKernel, caseActivities, startInput } from './kernel';

const { admissionData } = caseActivities;

export async function fisAssegno(start: CaseStart): Promise<CaseView> {
  const input = startInput(fisStartInput, start, 'FIS');
  const k = new CaseKernel(
    start,
    fisProcedure,
    unitCaseHeader('FIS', input, 'INPS (Fondo di integrazione salariale)'),
  );
  return k.run(() => runFis(k, input));
}

async function runFis(k: CaseKernel, input: FisStartInput): Promise<void> {
  const unavoidable = FIS_CAUSES[input.cause].unavoidable;
  const opensOn = fisApplicationOpens(input);
  k.view.facts = {
    scheme: 'FIS',
    cause: FIS_CAUSES[input.cause].title,
    unavoidableEvent: unavoidable,
    requestedPeriod: input.suspension,
    requestedWeeks: weeksOf(input.suspension),
    applicationWindow: { opensOn },
    countedPeriod: input.suspension,
  };
  k.recordDocument(
    'union-notice',
    'Notice to RSA/RSU and territorial unions (art. 14 c.1, by art. 30 c.2)',
    input.unionNoticeDate,
    null,
    k.start.openedBy,
  );

  // The rules the API applied at the start, applied again on what the case reads now.
  const ctx = await admissionData({
    unitKeys: [fisUnitKey(input)],
    linkedCaseIds: [],
    excludeCaseId: k.view.caseId,
  });
  const earlier = ctx.periodsByUnit[fisUnitKey(input)] ?? [];
  const cap = fisCapCheck(input, earlier);
  k.recordCheck(capCheckView(cap, 'refused'));
  const refusal = fisRefusal(input, cap, k.today);
  if (refusal) {
    k.view.facts.countedPeriod = null;
    k.close('refused', refusal.detail);
    return;
  }

  // Art. 30 c.2: the application is due within 15 days of the start, whatever the consultation does.
  const applicationDeadline = k.setDeadline(
    'application',
    FIS_RULES.application,
    input.suspension.from,
    'Late application: benefit only for periods from one week before filing',
  );
  k.view.facts.applicationWindow = { opensOn, closesOn: applicationDeadline.due };

  await consultationPhase(k, input, unavoidable);

  const application = await applicationPhase(k, {
    deadline: applicationDeadline,
    suspension: input.suspension,
    article: 'art. 30 c.2',
    lateLegalBasis: 'D.Lgs. 148/2015 art. 30 c.2 and art. 15 c.3 [LIKELY]',
    opensOn,
    coveredFromIfLate: (filedOn) =>
      maxDate(input.suspension.from, addDays(filedOn, -fisLimitsOn(filedOn).lateApplicationLookbackDays)),
  });
  if (!application) return;
  if (!(await completenessPhase(k))) return;
  await forwardPhase(
    k,
    { scheme: 'FIS', input, application: application.data, facts: k.view.facts },
    'D.Lgs. 148/2015 art. 30',
  );
  await inpsDecisionAndClose(k, {
    rule: FIS_RULES.appeal,
    body: 'INPS committee of the Fondo di integrazione salariale',
  });
}
