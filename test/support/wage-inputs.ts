import type { IsoDate } from '../../domain/dates';
import { addDays } from '../../domain/dates';
import type { CigsStartInput } from '../../domain/procedures/cigs';
import type { DismissedWorker, MobStartInput } from '../../domain/procedures/collective-dismissal';
import type { FisStartInput } from '../../domain/procedures/fis';
import type { Art16StartInput, Candidate } from '../../domain/procedures/public-hiring';

const employer = {
  taxCode: '01234567890',
  name: 'Cartiera del Serchio S.p.A.',
  sector: 'industry',
  averageEmployees: 120,
  solidarityFund: 'none',
} as const;

/** A valid CIGS start: notice on `today`, a six-month reorganisation from 60 days later, one unit in Tuscany. */
export function cigsInput(over: Partial<CigsStartInput> = {}, today: IsoDate = '2025-12-01'): CigsStartInput {
  return {
    employer: { ...employer },
    productionUnits: [
      {
        id: 'stab-01',
        address: 'Via del Brennero 12',
        municipality: 'Lucca',
        province: 'LU',
        region: 'Toscana',
      },
    ],
    cause: 'reorganisation',
    causeDescription: 'Conversion of the paper machines to recycled fibre',
    programme: 'Replacement of lines 2 and 3, retraining of the operators, back to full hours in month 7',
    period: { from: addDays(today, 60), to: addDays(today, 60 + 180) },
    workersConcerned: 3,
    unionNoticeDate: today,
    ...over,
  };
}

/** A valid FIS start: a shop of 12 with no fund, notice on `today`, four weeks from two days later. */
export function fisInput(over: Partial<FisStartInput> = {}, today: IsoDate = '2026-03-02'): FisStartInput {
  return {
    employer: {
      ...employer,
      name: 'Ottica Garfagnana S.r.l.',
      taxCode: '09876543210',
      sector: 'commerce',
      averageEmployees: 12,
    },
    productionUnit: {
      id: 'negozio-1',
      address: 'Via Vittorio Emanuele 5',
      municipality: 'Castelnuovo di Garfagnana',
      province: 'LU',
      region: 'Toscana',
    },
    cause: 'temporary_market',
    causeDescription: 'Temporary fall in sales after the closure of the main road',
    suspension: { from: addDays(today, 2), to: addDays(today, 2 + 27) },
    workersConcerned: 6,
    reductionHoursPerWeek: 20,
    unionNoticeDate: today,
    ...over,
  };
}

/** A valid collective-dismissal start: 8 redundancies (terms halved) at one unit in Lucca, notice on `today`. */
export function mobInput(
  over: Partial<MobStartInput> = {},
  today: IsoDate = '2026-03-02',
  redundant = 8,
): MobStartInput {
  return {
    employer: { ...employer, averageEmployees: 120 },
    productionUnits: [
      {
        id: 'stab-01',
        address: 'Via del Brennero 12',
        municipality: 'Lucca',
        province: 'LU',
        region: 'Toscana',
      },
    ],
    openingNotice: {
      sentOn: today,
      reasons: 'Line 3 closes: the tissue market for that format has gone',
      whyUnavoidable: 'No other line can take the operators; CIGS would not restore the volumes',
      redundant: [{ unitId: 'stab-01', profile: 'Machine operator', department: 'Line 3', count: redundant }],
      normallyEmployed: [{ unitId: 'stab-01', profile: 'Machine operator', count: 60 }],
      timetable: 'Dismissals after the procedure, by the end of the quarter',
      socialMeasures: 'Outplacement with the regional agency; priority in rehiring for 12 months',
      extraPayments: 'Six months of pay for those who accept leaving',
      recipients: [
        { kind: 'rsa-rsu', name: 'RSU Cartiera del Serchio', receivedOn: today },
        { kind: 'union', name: 'SLC-CGIL Lucca', receivedOn: today },
        { kind: 'region', name: 'Regione Toscana – Settore lavoro', receivedOn: today },
      ],
    },
    workforce: { total: 120, women: 30, disabledEmployed: 7, disabledQuota: 6 },
    ...over,
  };
}

/** A line of the list of dismissed workers, complete. */
export function dismissed(i: number, over: Partial<DismissedWorker> = {}): DismissedWorker {
  const n = String(i).padStart(2, '0');
  return {
    taxCode: `RSSMRA80A${n}E715X`,
    name: `Worker ${n}`,
    gender: i % 4 === 0 ? 'F' : 'M',
    residence: 'Lucca',
    qualification: 'Machine operator',
    level: '4',
    age: 40 + (i % 15),
    dependants: i % 3,
    selectionExplanation: 'Line 3 operator; seniority and dependants as agreed',
    disabledInQuota: false,
    ...over,
  };
}

/** A valid art. 16 request: `posts` fixed-term posts for a municipality, requested on `today`. */
export function art16Input(
  over: Partial<Art16StartInput> = {},
  today: IsoDate = '2026-03-02',
): Art16StartInput {
  return {
    body: { name: 'Comune di Capannori', taxCode: '00170780464', kind: 'municipality' },
    posts: 2,
    reservedPosts: { l68: 0, armedForces: 0 },
    profile: 'Operaio generico (road maintenance)',
    contract: 'fixed-term',
    durationMonths: 6,
    hoursPerWeek: 36,
    place: 'Capannori',
    testContent: 'Practical test: clearing a ditch with hand tools',
    requestedOn: today,
    region: 'Toscana',
    ...over,
  };
}

/** An eligible candidate; `i` varies the tax code, age, ISEE and dependants. */
export function candidate(i: number, over: Partial<Candidate> = {}): Candidate {
  const n = String(i % 100).padStart(2, '0');
  const letters = 'ABCDEHLMPRST';
  return {
    taxCode: `CNDDTE${n}${letters[Math.floor(i / 100) % letters.length] ?? 'A'}01E715X`,
    name: `Candidate ${i}`,
    birthDate: `${1965 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
    citizenship: 'IT',
    registeredOn: '2020-01-01',
    registeredRegion: 'Toscana',
    compulsorySchooling: true,
    generalRequirements: true,
    unemployedSince: `202${i % 5}-0${1 + (i % 9)}-01`,
    isee: (i * 1373) % 30_000,
    dependants: i % 4,
    disabledDependants: 0,
    l68Enrolled: false,
    ...over,
  };
}

/** A valid L. 68 enrolment (art. 1 list) requested on `day`, with its documents and service pact. */
export function enrolmentInput(taxCode: string, name: string, percentage: number, day: IsoDate) {
  return {
    person: { taxCode, name, birthDate: '1985-05-05' },
    list: 'art1',
    disability: { category: 'civil-invalid', percentage },
    documents: {
      invalidityReport: { date: addDays(day, -60) },
      functionalReport: { date: addDays(day, -30) },
    },
    unemployedSince: '2025-09-01',
    servicePactSignedOn: day,
    isee: 8000,
    dependants: 0,
    requestedOn: day,
  };
}
