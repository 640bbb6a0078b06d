/**
 * The steps of a CIGS case that several workflow suites share: its workers, a fresh production unit, the joint
 * examination ending in agreement, the application, the decree and a session's attendance.
 */
import type { CaseView } from '../../domain/case-model';
import type { Handle } from './workflow-env';
import { completeTask, openTask } from './workflow-env';

export const WORKERS = [
  { taxCode: 'RSSMRA80A01E715X', name: 'Mario Rossi' },
  { taxCode: 'BNCLCU85M41E715Y', name: 'Lucia Bianchi' },
  { taxCode: 'VRDGPP75C12E715Z', name: 'Giuseppe Verdi' },
];

let unitSeq = 0;
export const freshUnit = (region = 'Toscana') => ({
  id: `u-${++unitSeq}-${Date.now()}`,
  address: 'Via Nuova 3',
  municipality: 'Lucca',
  province: 'LU',
  region,
});

export const minutes = (date: string) => ({
  minutesDate: date,
  selectionCriteria: 'Workers of lines 2 and 3, by seniority',
  rotation: true,
  solidarityNotFeasible: true,
});

export async function examineWithAgreement(handle: Handle, v: CaseView, day: string): Promise<CaseView> {
  v = await completeTask(handle, openTask(v, 'cigs-exam-request').taskId, 'requested', {
    requestDate: day,
    requestedBy: 'unions',
  });
  return completeTask(handle, openTask(v, 'cigs-examination').taskId, 'agreement', minutes(day));
}

export function fileWithMinistry(handle: Handle, v: CaseView, filedOn: string): Promise<CaseView> {
  return completeTask(handle, openTask(v, 'cigs-application').taskId, 'filed', {
    filedOn,
    protocol: `MIN-${filedOn}`,
    programmeAttached: true,
    workers: WORKERS,
  });
}

export const decree = (
  decision: 'authorised' | 'partial' | 'rejected',
  decidedOn: string,
  period?: object,
) => ({
  decision,
  decidedOn,
  protocol: `DM-${decidedOn}`,
  ...(period ? { authorised: period } : {}),
  ...(decision === 'authorised' ? {} : { reasons: 'Programme does not cover line 3' }),
});

export const attendance = (
  workerTaxCode: string,
  sessionDate: string,
  attended: boolean,
  justified?: boolean,
) => ({
  workerTaxCode,
  courseCode: 'RIQ-01',
  sessionDate,
  attended,
  ...(justified === undefined ? {} : { justified }),
});

export const cigsSteps = {
  WORKERS,
  freshUnit,
  minutes,
  examineWithAgreement,
  fileWithMinistry,
  decree,
  attendance,
};
