import type { CalendarProfile } from './calendar';

/** An office site: each has its own municipality and so its own patron day (procedures.md §7.2). */
export interface OfficeSite {
  code: string;
  name: string;
  calendar: CalendarProfile;
}

export interface Office {
  code: string;
  name: string;
  province: string;
  region: string;
  /** The site whose calendar counts the office's terms and service targets. */
  mainSite: string;
  sites: readonly OfficeSite[];
  /** Service target for officer tasks, in working days (the "one working day" promise). */
  serviceTargetWorkingDays: number;
}

function site(
  code: string,
  name: string,
  municipality: string,
  patron: { month: number; day: number; name: string },
): OfficeSite {
  return {
    code,
    name,
    calendar: {
      id: code,
      municipality,
      patronDays: [{ ...patron, legalBasis: `patron day of ${municipality} (procedures.md §7.2)` }],
      closingDays: [],
      saturdayWorking: false,
    },
  };
}

/** The offices of the Province of Lucca (procedures.md §0 and §7.2). */
export const OFFICES: readonly Office[] = [
  {
    code: 'lucca',
    name: "Centro per l'Impiego di Lucca",
    province: 'LU',
    region: 'Toscana',
    mainSite: 'lucca',
    sites: [site('lucca', 'Lucca', 'Lucca', { month: 7, day: 12, name: 'San Paolino' })],
    serviceTargetWorkingDays: 1,
  },
  {
    code: 'castelnuovo-barga',
    name: "Centro per l'Impiego Valle del Serchio (Castelnuovo di Garfagnana – Fornaci di Barga)",
    province: 'LU',
    region: 'Toscana',
    mainSite: 'castelnuovo-garfagnana',
    sites: [
      site('castelnuovo-garfagnana', 'Castelnuovo di Garfagnana', 'Castelnuovo di Garfagnana', {
        month: 6,
        day: 29,
        name: 'Santi Pietro e Paolo',
      }),
      // Fornaci di Barga is a hamlet of Barga: Barga's patron day applies (procedures.md §7.2).
      site('fornaci-di-barga', 'Fornaci di Barga', 'Barga', { month: 7, day: 25, name: 'San Cristoforo' }),
    ],
    serviceTargetWorkingDays: 1,
  },
  {
    code: 'viareggio',
    name: "Centro per l'Impiego di Viareggio",
    province: 'LU',
    region: 'Toscana',
    mainSite: 'viareggio',
    sites: [
      site('viareggio', 'Viareggio', 'Viareggio', { month: 3, day: 25, name: 'Maria Santissima Annunziata' }),
    ],
    serviceTargetWorkingDays: 1,
  },
];

export const OFFICE_CODES = OFFICES.map((o) => o.code);

export function findOffice(code: string): Office | undefined {
  return OFFICES.find((o) => o.code === code);
}

/** The calendar of an office's main site (or of a named site). */
export function officeCalendar(office: Office, siteCode?: string): CalendarProfile {
  const s = office.sites.find((x) => x.code === (siteCode ?? office.mainSite)) ?? office.sites[0];
  if (!s) throw new RangeError(`office ${office.code} has no site`);
  return s.calendar;
}
