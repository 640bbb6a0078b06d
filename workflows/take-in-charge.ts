/**
 * Taking a worker in charge (D.Lgs. 150/2015 arts. 19–21; procedures.md §5) as one case: usually a child of a
 * collective-dismissal case: it writes its own row in the parent's list of workers as its stage changes, and tells
 * the parent when it ends.
 */
import { getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import type { CaseStart, CaseView } from '../domain/case-model';
import type { PicStartInput, Stage } from '../domain/procedures/take-in-charge';
import {
  GOL_PATHS,
  MAX_ABSENCES_WITHOUT_BENEFIT,
  PIC_RULES,
  appointmentSanction,
  picForms,
  picProcedure,
  picStartInput,
} from '../domain/procedures/take-in-charge';
import { CaseKernel, notify, startInput } from './kernel';
import { MEMBERS_WRITE_OWN_ROWS, workerStageSignal } from './messages';

export async function presaInCarico(start: CaseStart): Promise<CaseView> {
  const input = startInput(picStartInput, start, 'take-in-charge');
  const w = input.worker;
  const k = new CaseKernel(start, picProcedure, {
    title: `Presa in carico ${w.name}${input.employerName ? ` (dismissed by ${input.employerName})` : ''}`,
    parties: [{ role: 'worker', name: w.name, identifier: w.taxCode }],
    keys: { worker: w.taxCode, ...(input.parentCaseId ? { parentCase: input.parentCaseId } : {}) },
  });
  // Cases started before the rows were their own told the parent of every stage (kept for their replay).
  const tellsStages = input.parentCaseId !== undefined && !patched(MEMBERS_WRITE_OWN_ROWS);
  if (input.parentCaseId && !tellsStages) {
    k.reportAsMember(input.parentCaseId, w.taxCode, () =>
      typeof k.view.facts.stage === 'string' ? k.view.facts.stage : k.view.step,
    );
  }
  const view = await k.run(() => runPic(k, input, tellsStages));
  if (input.parentCaseId) {
    // The collective-dismissal case counts its workers' cases as they end (it does not wait on their results).
    await getExternalWorkflowHandle(input.parentCaseId)
      .signal(workerStageSignal, {
        caseId: view.caseId,
        taxCode: w.taxCode,
        stage: typeof view.facts.stage === 'string' ? view.facts.stage : view.step,
        ended: true,
      })
      .catch(() => undefined); // the parent has ended (withdrawn): nobody to tell
  }
  return view;
}

async function runPic(k: CaseKernel, input: PicStartInput, tellsStages: boolean): Promise<void> {
  const w = input.worker;
  k.view.facts = {
    stage: null,
    dismissedOn: w.dismissedOn,
    suggestedGolPath: input.suggestedGolPath ?? null,
    parentCaseId: input.parentCaseId ?? null,
    unjustifiedAbsences: 0,
    sanctions: [],
  };
  const stage = (s: Stage): void => {
    k.view.facts.stage = s;
    k.setStep(s);
    k.emit('StageChanged', `Stage: ${s}`, { stage: s });
    if (input.parentCaseId && tellsStages) {
      // The parent may have ended (withdrawn): the worker's case goes on regardless.
      void getExternalWorkflowHandle(input.parentCaseId)
        .signal(workerStageSignal, { caseId: k.view.caseId, taxCode: w.taxCode, stage: s })
        .catch(() => undefined);
    }
  };

  // The DID, or the NASpI application which counts as one (art. 21 c.1).
  let did = w.naspiAppliedOn
    ? { date: w.naspiAppliedOn, naspi: true }
    : w.didOn
      ? { date: w.didOn, naspi: false }
      : null;
  if (!did) {
    stage('awaiting-did');
    const term = k.setDeadline(
      'naspi-application',
      PIC_RULES.naspiApplication,
      w.dismissedOn,
      'Without a DID or NASpI application there is nobody to take in charge',
    );
    const news = await k.waitForNews('did', term);
    if (!news) {
      stage('no-did');
      k.close('no-did', `no DID or NASpI application by ${term.due}`);
      return;
    }
    did = { date: String(news.date), naspi: news.naspi === true };
  }
  k.view.facts.didOn = did.date;
  k.view.facts.naspi = did.naspi;

  // First contact: 15 days from the NASpI application (art. 21 c.2), 30 from the DID otherwise (art. 20 c.1).
  stage('first-contact');
  const contactTerm = k.setDeadline(
    'first-contact',
    did.naspi ? PIC_RULES.firstContactNaspi : PIC_RULES.firstContactDid,
    did.date,
    'The office convokes the worker',
  );
  const contact = k.openTask(picForms.firstContact, { deadline: contactTerm });
  const came = await k.raceDeadline(contactTerm, () => contact.status !== 'open');
  if (!came) {
    k.cancelTask(contact, 'first-contact term expired');
    if (!(await convocations(k, did, stage))) return;
  }

  stage('profiling');
  const profiling = k.openTask(picForms.profiling);
  await k.waitForTask(profiling);
  const path = Number(profiling.data?.golPath) as keyof typeof GOL_PATHS;
  k.view.facts.golPath = { path, title: GOL_PATHS[path] };

  stage('service-pact');
  const pact = k.openTask(picForms.pact);
  await k.waitForTask(pact);
  const signedOn = String(pact.data?.signedOn);
  k.recordDocument('service-pact', 'Personal service pact (art. 20)', signedOn, null, {
    sub: pact.completedBy ?? 'unknown',
    role: 'officer',
  });
  stage('pact-signed');
  k.close('pact-signed', `service pact signed on ${signedOn}, GOL path ${path} (${GOL_PATHS[path]})`);
}

/**
 * Convocations until the worker comes. Each unjustified absence walks the ladder of art. 21 c.7 for a benefit
 * recipient; without a benefit the case closes after three. False when the case has closed.
 */
async function convocations(
  k: CaseKernel,
  did: { date: string; naspi: boolean },
  stage: (s: Stage) => void,
): Promise<boolean> {
  const term = k.setDeadline(
    'convocation',
    PIC_RULES.convocation,
    did.date,
    'A late convocation is a breach of the service level, not of the worker',
  );
  let absences = 0;
  for (;;) {
    stage('convoked');
    const conv = k.openTask(picForms.convocation, term.status === 'pending' ? { deadline: term } : {});
    await k.waitForTask(conv);
    const sentOn = String(conv.data?.sentOn);
    const appointmentOn = String(conv.data?.appointmentOn);
    if (term.status === 'pending')
      k.markDeadline(term, sentOn <= term.due ? 'met' : 'missed', `sent on ${sentOn}`);
    k.recordDocument('convocation', `Convocation for ${appointmentOn}`, sentOn, null);
    const appointment = k.openTask(picForms.appointment);
    await k.waitForTask(appointment);
    if (appointment.outcome === 'attended') return true;
    if (appointment.outcome === 'absent_justified') continue;
    absences += 1;
    k.view.facts.unjustifiedAbsences = absences;
    if (!did.naspi) {
      if (absences < MAX_ABSENCES_WITHOUT_BENEFIT) continue;
      stage('not-reached');
      k.close(
        'not-reached',
        `${absences} convocations missed without a justified reason; no benefit to act on`,
      );
      return false;
    }
    const step = appointmentSanction(absences, appointmentOn);
    const receipt = await notify({
      caseId: k.view.caseId,
      idempotencyKey: `${k.view.caseId}:sanction:${absences}`,
      to: 'INPS',
      subject: `Conditionality sanction: ${step.title}`,
      payload: {
        worker: k.view.keys.worker,
        sanction: step.sanction,
        appointmentOn,
        legalBasis: step.legalBasis,
      },
    });
    (k.view.facts.sanctions as unknown[]).push({
      step: absences,
      sanction: step.sanction,
      title: step.title,
      date: appointmentOn,
      legalBasis: step.legalBasis,
      reference: receipt.reference,
    });
    k.emit('SanctionApplied', `${step.title} — ${step.legalBasis}; reported to INPS (${receipt.reference})`, {
      sanction: step.sanction,
      unjustifiedAbsences: absences,
      reference: receipt.reference,
    });
    if (step.sanction === 'loss-of-benefit-and-status') {
      stage('status-lost');
      k.close(
        'status-lost',
        `${absences} appointments missed without a justified reason (${step.legalBasis})`,
      );
      return false;
    }
  }
}
