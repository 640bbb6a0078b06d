/**
 * A person on the targeted-placement lists (L. 68/1999 arts. 1, 8, 18 c.2; procedures.md §3.3) as one durable
 * case: the documents check, the service pact, then the years on the list until the person is placed or leaves.
 * `facts.record` is what the ranking reads; it keeps its history so that a past ranking can be rebuilt.
 */
import { setHandler } from '@temporalio/workflow';
import type { CaseStart, CaseView } from '../domain/case-model';
import { makeDate } from '../domain/dates';
import type { EnrolmentStartInput } from '../domain/procedures/l68-enrolment';
import {
  confirmationRule,
  enrolmentForms,
  enrolmentProcedure,
  enrolmentRefusal,
  enrolmentStartInput,
  personRecord,
  personUnitKey,
  yearOf,
} from '../domain/procedures/l68-enrolment';
import type { L68PersonRecord } from '../domain/procedures/l68-ranking';
import { l68Score } from '../domain/procedures/l68-ranking';
import type { KernelState } from './kernel';
import { CaseKernel, caseActivities, refuse, startInput } from './kernel';
import { l68PlacedSignal } from './messages';

const { admissionData, l68ScoringRule } = caseActivities;

export interface EnrolmentOptions {
  /** Set by a run continued as new: the kernel's state and the year whose confirmation is awaited. */
  resume?: { kernel: KernelState; year: number };
  /** Continue as new past this many history events even before Temporal suggests it (tests lower it). */
  continueAsNewAfterEvents?: number;
}

export async function iscrizioneCollocamentoMirato(
  start: CaseStart,
  options: EnrolmentOptions = {},
): Promise<CaseView> {
  const input = startInput(enrolmentStartInput, start, 'L. 68 enrolment');
  const p = input.person;
  const k = new CaseKernel(
    start,
    enrolmentProcedure,
    {
      title: `Collocamento mirato ${input.list === 'art1' ? 'art. 1' : 'art. 18'} list – ${p.name}`,
      parties: [{ role: 'person', name: p.name, identifier: p.taxCode }],
      keys: { person: p.taxCode },
      units: [personUnitKey(p.taxCode)],
    },
    options.resume?.kernel,
  );
  const resume = options.resume;
  if (resume) {
    // A run continued as new: back on the list, awaiting that year's confirmation.
    const record = k.view.facts.record as L68PersonRecord;
    followPlacement(k, record);
    return k.run(() => yearsOnTheList(k, record, options, resume.year));
  }
  return k.run(() => runEnrolment(k, input, options));
}

function setStatus(k: CaseKernel, s: string): void {
  k.view.facts.status = s;
  k.setStep(s);
}

/** A person placed through an employer's obligation case leaves the list (art. 8; the employer case tells us). */
function followPlacement(k: CaseKernel, record: L68PersonRecord): void {
  setHandler(l68PlacedSignal, (placed) => {
    if (k.terminal || record.enrolledOn === null) return;
    record.leftOn = placed.hiredOn;
    k.view.facts.leaving = { on: placed.hiredOn, reason: 'placed', employerCaseId: placed.employerCaseId };
    k.emit('StageChanged', `Placed with ${placed.employer} on ${placed.hiredOn}`, { ...placed });
    setStatus(k, 'placed');
    k.close('placed', `hired by ${placed.employer} on ${placed.hiredOn} (case ${placed.employerCaseId})`);
  });
}

async function runEnrolment(
  k: CaseKernel,
  input: EnrolmentStartInput,
  options: EnrolmentOptions,
): Promise<void> {
  const record: L68PersonRecord = personRecord(k.view.caseId, k.view.office, input);
  k.view.facts = {
    list: input.list,
    status: 'checking',
    record,
    confirmations: [],
    score: null,
    leaving: null,
  };
  const status = (s: string): void => setStatus(k, s);
  followPlacement(k, record);

  for (const [kind, doc] of Object.entries(input.documents)) {
    k.recordDocument(kind, DOCUMENT_TITLES[kind] ?? kind, doc.date, doc.reference ?? null, k.start.openedBy);
  }

  // The rules the API applied, again on what the case reads now (one list only).
  const ctx = await admissionData({
    unitKeys: [personUnitKey(input.person.taxCode)],
    linkedCaseIds: [],
    excludeCaseId: k.view.caseId,
  });
  const refusal = enrolmentRefusal(
    input,
    ctx.openCasesByUnit[personUnitKey(input.person.taxCode)] ?? [],
    k.today,
  );
  if (refusal) {
    status('refused');
    k.close('refused', refusal.detail);
    return;
  }

  status('checking documents');
  const check = k.openTask(enrolmentForms.documents);
  await k.waitForTask(check);
  if (check.outcome === 'rejected') {
    status('rejected');
    k.close('rejected', String(check.data?.reasons));
    return;
  }
  if (input.servicePactSignedOn) {
    k.recordDocument('service-pact', 'Service pact (PSP)', input.servicePactSignedOn, null, k.start.openedBy);
  } else {
    status('service pact');
    const pact = k.openTask(enrolmentForms.servicePact);
    await k.waitForTask(pact);
    k.recordDocument('service-pact', 'Service pact (PSP)', String(pact.data?.signedOn), null);
  }

  // Seniority counts from the request (art. 8 c.2).
  record.enrolledOn = input.requestedOn;
  status('enrolled');
  k.emit(
    'StageChanged',
    `Enrolled on the ${input.list === 'art1' ? 'art. 1' : 'art. 18'} list from ${input.requestedOn}`,
    {
      stage: 'enrolled',
      enrolledOn: input.requestedOn,
    },
  );
  await storeScore(k, record);

  await yearsOnTheList(k, record, options);
}

const DOCUMENT_TITLES: Record<string, string> = {
  invalidityReport: 'Invalidity report (verbale) of the medical commission',
  functionalReport: 'Final functional report on residual capacities (relazione conclusiva)',
  categoryProof: 'Proof of the art. 18 c.2 category',
};

/** The score on the person's record as of today, component by component, with the rule version it used. */
async function storeScore(k: CaseKernel, record: L68PersonRecord): Promise<void> {
  const rule = await l68ScoringRule({ on: k.today });
  const s = l68Score(rule, record, k.today);
  k.view.facts.score = { on: k.today, ruleVersion: rule.version, total: s.total, components: s.components };
}

/**
 * Each year the person confirms availability and declares income and dependants by the due day; without it they
 * drop off the ranking until a late confirmation (the Tuscan consequence is UNVERIFIED: this is the default).
 */
async function yearsOnTheList(
  k: CaseKernel,
  record: L68PersonRecord,
  options: EnrolmentOptions,
  resumedYear?: number,
): Promise<void> {
  const confirmations = k.view.facts.confirmations as { year: number; on: string; late: boolean }[];
  const checkYear = (data: Record<string, unknown>): void => {
    const year = Number(data.year);
    if (year > yearOf(k.today) || year < yearOf(record.enrolledOn ?? k.today))
      refuse('InvalidFormData', 'no confirmation is due for that year', [
        { path: 'data.year', message: `must be between the enrolment year and ${yearOf(k.today)}` },
      ]);
    if (confirmations.some((c) => c.year === year))
      refuse('NewsNotExpected', `the availability for ${year} is already confirmed`);
  };
  k.acceptNews('yearly-confirmation', checkYear);
  k.acceptNews('declaration');
  k.acceptNews('leaving', (data) => {
    if (String(data.on) < (record.enrolledOn ?? ''))
      refuse('InvalidFormData', 'before the enrolment', [
        { path: 'data.on', message: `must not be before ${record.enrolledOn ?? ''}` },
      ]);
  });
  const confirmationTerm = (y: number) =>
    k.setDeadline(
      `confirmation-${y}`,
      confirmationRule(y),
      makeDate(y - 1, 12, 31),
      'The person leaves the ranking until they confirm',
    );
  // The first confirmation is due the year after enrolment (a run continued as new goes on with its year).
  let year = resumedYear ?? yearOf(record.enrolledOn ?? k.today) + 1;
  const carried = k.view.deadlines.find((d) => d.id === `confirmation-${year}`);
  let term = resumedYear !== undefined && carried ? carried : confirmationTerm(year);
  for (;;) {
    // Years on the list add up: a long history continues as a new run, carrying the case and its year.
    if (k.continueAsNewDue(options.continueAsNewAfterEvents)) {
      const y = year;
      await k.continueAsNew((kernel) => [
        k.start,
        { ...options, resume: { kernel, year: y } } satisfies EnrolmentOptions,
      ]);
    }
    const news = await k.nextNews(['leaving', 'yearly-confirmation', 'declaration'], Date.parse(term.dueAt));
    if (k.terminal) return;
    if (!news) {
      if (term.status === 'pending') {
        k.markDeadline(term, 'missed');
        record.offRanking.push({ from: term.due, to: null, reason: `no confirmation for ${year}` });
        k.view.facts.status = 'off the ranking';
        k.setStep('off the ranking');
      }
      year += 1;
      term = confirmationTerm(year);
      continue;
    }
    if (news.type === 'leaving') {
      record.leftOn = String(news.data.on);
      k.view.facts.leaving = { on: record.leftOn, reason: news.data.reason, note: news.data.note ?? null };
      k.view.facts.status = 'left';
      k.close('left', `left the list on ${record.leftOn}: ${String(news.data.reason)}`);
      return;
    }
    if (news.type === 'declaration') {
      const from = String(news.data.from);
      record.declarations = [
        ...record.declarations.filter((d) => d.from !== from),
        { from, isee: news.data.isee as number | null, dependants: Number(news.data.dependants) },
      ].sort((a, b) => (a.from < b.from ? -1 : 1));
      k.emit(
        'DeclarationRecorded',
        `Declaration from ${from}: ISEE ${String(news.data.isee)}, ${String(news.data.dependants)} dependant(s)`,
        {
          declaration: news.data,
        },
      );
      await storeScore(k, record);
      continue;
    }
    // A yearly confirmation.
    const cYear = Number(news.data.year);
    const on = String(news.data.confirmedOn);
    if (news.data.available === false) {
      record.leftOn = on;
      k.view.facts.leaving = { on, reason: 'not available' };
      k.view.facts.status = 'left';
      k.close('left', `declared not available in the ${cYear} confirmation`);
      return;
    }
    record.declarations = [
      ...record.declarations.filter((d) => d.from !== on),
      { from: on, isee: news.data.isee as number | null, dependants: Number(news.data.dependants) },
    ].sort((a, b) => (a.from < b.from ? -1 : 1));
    const open = record.offRanking.find((o) => o.to === null);
    const late = cYear === year && term.status === 'missed';
    if (open) open.to = on;
    confirmations.push({ year: cYear, on, late: late || open !== undefined });
    k.emit(
      'DeclarationRecorded',
      `Availability and income confirmed for ${cYear}${open ? ' (late: back on the ranking)' : ''}`,
      {
        confirmation: news.data,
      },
    );
    if (cYear === year) {
      if (term.status === 'pending') k.markDeadline(term, 'met');
      year += 1;
      term = confirmationTerm(year);
    }
    k.view.facts.status = 'enrolled';
    k.setStep('enrolled');
    await storeScore(k, record);
  }
}
