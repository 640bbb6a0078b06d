import type { IsoDate } from './dates';
import { addDays, makeDate, parseIsoDate, weekday } from './dates';

/** A recurring holiday on a fixed day of the year, in force between optional years. */
export interface FixedHoliday {
  month: number;
  day: number;
  name: string;
  legalBasis: string;
  fromYear?: number;
  toYear?: number;
}

/**
 * National holidays (procedures.md §7.1). Italy does not move a holiday that falls on a weekend.
 * Easter Sunday is always a Sunday; Easter Monday is added by `easterMonday`.
 */
export const NATIONAL_HOLIDAYS: readonly FixedHoliday[] = [
  { month: 1, day: 1, name: 'Capodanno', legalBasis: 'L. 260/1949 art. 2' },
  { month: 1, day: 6, name: 'Epifania', legalBasis: 'L. 260/1949 art. 2; DPR 792/1985' },
  { month: 4, day: 25, name: 'Festa della Liberazione', legalBasis: 'L. 260/1949 art. 2' },
  { month: 5, day: 1, name: 'Festa del Lavoro', legalBasis: 'L. 260/1949 art. 2' },
  { month: 6, day: 2, name: 'Festa della Repubblica', legalBasis: 'L. 260/1949 art. 1; L. 336/2000' },
  { month: 8, day: 15, name: 'Assunzione (Ferragosto)', legalBasis: 'L. 260/1949 art. 2' },
  // Restored as a national holiday by a law of October 2025, in force from 2026 (procedures.md §7.1).
  { month: 10, day: 4, name: "San Francesco d'Assisi", legalBasis: 'law of October 2025', fromYear: 2026 },
  { month: 11, day: 1, name: 'Ognissanti', legalBasis: 'L. 260/1949 art. 2' },
  { month: 12, day: 8, name: 'Immacolata Concezione', legalBasis: 'L. 260/1949 art. 2' },
  { month: 12, day: 25, name: 'Natale', legalBasis: 'L. 260/1949 art. 2' },
  { month: 12, day: 26, name: 'Santo Stefano', legalBasis: 'L. 260/1949 art. 2' },
];

/** Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm, "Meeus/Jones/Butcher"). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return makeDate(year, month, day);
}

export function easterMonday(year: number): IsoDate {
  return addDays(easterSunday(year), 1);
}

/**
 * The calendar of one place where terms are counted: the national holidays, the municipality's patron day and
 * any extra closing days, and whether Saturday is a working day there.
 */
export interface CalendarProfile {
  id: string;
  municipality: string;
  patronDays: readonly FixedHoliday[];
  /** Extra closing days of the office (e.g. a decided closure), as dates. */
  closingDays: readonly IsoDate[];
  /** Public offices, ARTI/CPI included, normally work Monday to Friday (procedures.md §7.1). */
  saturdayWorking: boolean;
}

export const NATIONAL_CALENDAR: CalendarProfile = {
  id: 'national',
  municipality: 'Italia',
  patronDays: [],
  closingDays: [],
  saturdayWorking: false,
};

function holidayFallsOn(h: FixedHoliday, date: IsoDate): boolean {
  const d = parseIsoDate(date);
  const year = d.getUTCFullYear();
  if (h.fromYear !== undefined && year < h.fromYear) return false;
  if (h.toYear !== undefined && year > h.toYear) return false;
  return d.getUTCMonth() + 1 === h.month && d.getUTCDate() === h.day;
}

/** The name of the holiday on a date in a calendar, or undefined. Sundays count as holidays (§7.1). */
export function holidayName(date: IsoDate, profile: CalendarProfile = NATIONAL_CALENDAR): string | undefined {
  const year = parseIsoDate(date).getUTCFullYear();
  if (date === easterSunday(year)) return 'Pasqua';
  if (date === easterMonday(year)) return "Lunedì dell'Angelo";
  const national = NATIONAL_HOLIDAYS.find((h) => holidayFallsOn(h, date));
  if (national) return national.name;
  const patron = profile.patronDays.find((h) => holidayFallsOn(h, date));
  if (patron) return patron.name;
  if (profile.closingDays.includes(date)) return 'chiusura ufficio';
  if (weekday(date) === 0) return 'domenica';
  return undefined;
}

export function isHoliday(date: IsoDate, profile: CalendarProfile = NATIONAL_CALENDAR): boolean {
  return holidayName(date, profile) !== undefined;
}

/** A working day is neither a holiday nor (unless the profile says so) a Saturday. */
export function isWorkingDay(date: IsoDate, profile: CalendarProfile = NATIONAL_CALENDAR): boolean {
  if (isHoliday(date, profile)) return false;
  return profile.saturdayWorking || weekday(date) !== 6;
}

/** Adds working days, excluding the start day; negative counts go backwards. */
export function addWorkingDays(date: IsoDate, count: number, profile: CalendarProfile): IsoDate {
  const step = count >= 0 ? 1 : -1;
  let remaining = Math.abs(count);
  let current = date;
  while (remaining > 0) {
    current = addDays(current, step);
    if (isWorkingDay(current, profile)) remaining -= 1;
  }
  return current;
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(from: IsoDate, to: IsoDate, profile: CalendarProfile): number {
  let count = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
    if (isWorkingDay(d, profile)) count += 1;
  }
  return count;
}
