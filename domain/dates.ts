/**
 * Calendar dates as ISO strings (`YYYY-MM-DD`), computed in UTC so that no time zone or clock is involved.
 * Everything here is pure and deterministic: it runs in workflows too.
 */

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export function parseIsoDate(value: IsoDate): Date {
  if (!isIsoDate(value)) throw new RangeError(`not a calendar date: ${value}`);
  return new Date(`${value}T00:00:00.000Z`);
}

export function formatIsoDate(d: Date): IsoDate {
  return d.toISOString().slice(0, 10);
}

export function makeDate(year: number, month: number, day: number): IsoDate {
  return formatIsoDate(new Date(Date.UTC(year, month - 1, day)));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return formatIsoDate(new Date(parseIsoDate(date).getTime() + days * DAY_MS));
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((parseIsoDate(b).getTime() - parseIsoDate(a).getTime()) / DAY_MS);
}

export function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Adds calendar months: the term ends on the same-numbered day of the target month, or on that month's
 * last day when the day does not exist (art. 2963 c.c.).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const d = parseIsoDate(date);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return makeDate(year, month, Math.min(d.getUTCDate(), lastDayOfMonth(year, month)));
}

export function addYears(date: IsoDate, years: number): IsoDate {
  return addMonths(date, years * 12);
}

/** The last day of the month `months` after the month of `date` (0 = same month). */
export function endOfMonthAfter(date: IsoDate, months: number): IsoDate {
  const d = parseIsoDate(date);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return makeDate(year, month, lastDayOfMonth(year, month));
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return parseIsoDate(date).getUTCDay();
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** Last Sunday of a month, used for the European summer-time switch. */
function lastSunday(year: number, month: number): number {
  const last = lastDayOfMonth(year, month);
  const dow = new Date(Date.UTC(year, month - 1, last)).getUTCDay();
  return last - dow;
}

/**
 * The UTC offset of Italian civil time (Europe/Rome) at an instant, in hours: CEST (+2) from the last Sunday of
 * March 01:00 UTC to the last Sunday of October 01:00 UTC, CET (+1) otherwise. Computed, not looked up, so that
 * workflow code stays deterministic.
 */
export function romeOffsetHours(instantMs: number): number {
  const year = new Date(instantMs).getUTCFullYear();
  const start = Date.UTC(year, 2, lastSunday(year, 3), 1);
  const end = Date.UTC(year, 9, lastSunday(year, 10), 1);
  return instantMs >= start && instantMs < end ? 2 : 1;
}

/** The calendar date in Italy at an instant. */
export function romeDate(instantMs: number): IsoDate {
  return formatIsoDate(new Date(instantMs + romeOffsetHours(instantMs) * 3_600_000));
}

/** The instant at which a day ends in Italy (a legal term runs to the end of its last day). */
export function endOfRomeDay(date: IsoDate): number {
  const nextMidnightUtc = parseIsoDate(addDays(date, 1)).getTime();
  // Offsets never change around midnight in Italy (the switch happens at 02:00/03:00 local), so the offset of
  // the UTC instant one offset earlier is the one in force at local midnight.
  const guess = nextMidnightUtc - 2 * 3_600_000;
  return nextMidnightUtc - romeOffsetHours(guess) * 3_600_000;
}
