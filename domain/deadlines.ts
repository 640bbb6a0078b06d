import type { CalendarProfile } from './calendar';
import { NATIONAL_CALENDAR, addWorkingDays, holidayName, isWorkingDay } from './calendar';
import { NoRuleInForce } from './parameters';
import type { IsoDate } from './dates';
import { addDays, addMonths, endOfMonthAfter, endOfRomeDay, romeDate, weekday } from './dates';

/**
 * A legal term as data (procedures.md §7.3 and §8 `DeadlineRule`): what starts it, how long it is, how it is
 * counted and why. Rules carry validity dates so that a change in the law is a new rule, not an edit.
 */
export interface DeadlineRule {
  id: string;
  title: string;
  legalBasis: string;
  /** The event that starts the term (documentation; the workflow supplies the date). */
  trigger: string;
  offset: number;
  /**
   * DAY and WEEK count days (a week is 7 days); MONTH follows the calendar (art. 2963 c.c.);
   * END_OF_MONTH ends on the last day of the month `offset` months after the trigger.
   */
  unit: 'DAY' | 'WEEK' | 'MONTH' | 'END_OF_MONTH';
  dayType: 'CALENDAR' | 'WORKING';
  /** The start day is not counted (dies a quo non computatur, art. 155 c.p.c.). */
  excludeStartDay: boolean;
  /** A term whose last day is a holiday moves to the next working day (art. 155 c.4 c.p.c.). */
  rollForwardIfHoliday: boolean;
  /**
   * Saturday counts as a holiday for the roll (art. 155 c.5 c.p.c.; a per-rule flag for administrative terms, true
   * for acts filed with or by an office closed on Saturday: procedures.md §7.3.4).
   */
  saturdayRollsForward: boolean;
  /**
   * A suspension of the case stops this term: the office's own terms stop (L. 241/1990 art. 2 c.7); terms that
   * run between other parties, or at another body, do not.
   */
  pausedBySuspension: boolean;
  /** Why Saturday does or does not move the term, and whether a suspension stops it: one sentence, shown to officers. */
  countingWhy: string;
  /** "At least N days before": counted backwards, and a holiday moves the term earlier (§7.3 point 8). */
  backward: boolean;
  calendarScope: 'NATIONAL' | 'OFFICE';
  /** The term is halved when this condition holds (e.g. fewer than 10 redundancies). */
  halving?: { condition: string; rounding: 'up' | 'down' };
  validFrom: IsoDate;
  validTo?: IsoDate;
  /** How sure the rule is, as marked in procedures.md. */
  confidence: 'VERIFIED' | 'LIKELY' | 'UNVERIFIED';
}

/**
 * The usual shape of a term: calendar days, start day excluded, rolled past holidays, on the office's calendar.
 * Saturday and suspensions are each rule's own (`saturdayRollsForward`, `pausedBySuspension`, `countingWhy`).
 */
export const CALENDAR_DAYS = {
  unit: 'DAY',
  dayType: 'CALENDAR',
  excludeStartDay: true,
  rollForwardIfHoliday: true,
  backward: false,
  calendarScope: 'OFFICE',
} as const;

/** The same counted in calendar months (art. 2963 c.c.): e.g. 31 January from 31 December. */
export const CALENDAR_MONTHS = { ...CALENDAR_DAYS, unit: 'MONTH' } as const;

export interface DeadlineContext {
  calendar: CalendarProfile;
  /** Names of the halving conditions that hold for the case. */
  conditions?: readonly string[];
}

export interface ComputedDeadline {
  ruleId: string;
  title: string;
  legalBasis: string;
  trigger: IsoDate;
  /** The last day before any holiday shift. */
  theoretical: IsoDate;
  /** The last day after the shift: the term ends at the end of this day. */
  due: IsoDate;
  shiftedBecause?: string;
  halved: boolean;
}

export class RuleNotInForceError extends Error {
  constructor(rule: DeadlineRule, on: IsoDate) {
    super(`rule ${rule.id} is not in force on ${on}`);
    this.name = 'RuleNotInForceError';
  }
}

export function isRuleInForce(rule: DeadlineRule, on: IsoDate): boolean {
  return rule.validFrom <= on && (rule.validTo === undefined || on <= rule.validTo);
}

/** Picks the version of a rule in force on a date among several versions with the same id. */
export function ruleInForce(versions: readonly DeadlineRule[], on: IsoDate): DeadlineRule {
  const found = versions.find((r) => isRuleInForce(r, on));
  if (!found) throw new NoRuleInForce(on, 'rule');
  return found;
}

/** How a term is counted once set: kept on the case's deadline, so that a resume moves and rolls it as set. */
export type DeadlineCounting = Pick<
  DeadlineRule,
  | 'rollForwardIfHoliday'
  | 'saturdayRollsForward'
  | 'backward'
  | 'calendarScope'
  | 'pausedBySuspension'
  | 'countingWhy'
>;

export function countingOf(rule: DeadlineRule): DeadlineCounting {
  return {
    rollForwardIfHoliday: rule.rollForwardIfHoliday,
    saturdayRollsForward: rule.saturdayRollsForward,
    backward: rule.backward,
    calendarScope: rule.calendarScope,
    pausedBySuspension: rule.pausedBySuspension,
    countingWhy: rule.countingWhy,
  };
}

/** The calendar a term runs on: the national one for the parties' terms, the office's (its site's) otherwise. */
export function calendarFor(
  counting: Pick<DeadlineRule, 'calendarScope'>,
  office: CalendarProfile,
): CalendarProfile {
  return counting.calendarScope === 'NATIONAL' ? NATIONAL_CALENDAR : office;
}

function isNonWorkingForRoll(
  date: IsoDate,
  counting: Pick<DeadlineRule, 'saturdayRollsForward'>,
  calendar: CalendarProfile,
): boolean {
  if (holidayName(date, calendar) !== undefined) return true;
  return counting.saturdayRollsForward && weekday(date) === 6;
}

/**
 * A last day that is a holiday (or a Saturday, where the rule says so) moves to the next day that is not (art. 155
 * c.4-5 c.p.c.); a term counted backwards moves earlier (procedures.md §7.3.8). Says why it moved.
 */
export function rollDay(
  day: IsoDate,
  counting: Pick<DeadlineRule, 'saturdayRollsForward' | 'backward'>,
  calendar: CalendarProfile,
): { due: IsoDate; shiftedBecause?: string } {
  let due = day;
  let shiftedBecause: string | undefined;
  while (isNonWorkingForRoll(due, counting, calendar)) {
    shiftedBecause ??= holidayName(due, calendar) ?? 'sabato';
    due = addDays(due, counting.backward ? -1 : 1);
  }
  return shiftedBecause === undefined ? { due } : { due, shiftedBecause };
}

/** Computes the due day of a term started on `trigger` (the day of the triggering event). */
export function computeDeadline(
  rule: DeadlineRule,
  trigger: IsoDate,
  ctx: DeadlineContext,
): ComputedDeadline {
  if (!isRuleInForce(rule, trigger)) throw new RuleNotInForceError(rule, trigger);
  // A term of the parties (the employer's list, a person's NASpI application) runs on the national calendar: an
  // office's patron day or closing days do not move it (procedures.md §7.2, the deadline's owner).
  const calendar = calendarFor(rule, ctx.calendar);
  const halved = rule.halving !== undefined && (ctx.conditions ?? []).includes(rule.halving.condition);
  let offset = rule.offset;
  if (halved && rule.halving) {
    offset = rule.halving.rounding === 'up' ? Math.ceil(offset / 2) : Math.floor(offset / 2);
  }
  const sign = rule.backward ? -1 : 1;
  // When the start day is counted, the term ends one day sooner than when it is excluded.
  const startShift = rule.excludeStartDay ? 0 : -sign;
  let theoretical: IsoDate;
  switch (rule.unit) {
    case 'DAY':
    case 'WEEK': {
      const days = rule.unit === 'WEEK' ? offset * 7 : offset;
      theoretical =
        rule.dayType === 'WORKING'
          ? addWorkingDays(trigger, sign * days, calendar)
          : addDays(trigger, sign * days + startShift);
      break;
    }
    case 'MONTH':
      theoretical = addMonths(trigger, sign * offset);
      break;
    case 'END_OF_MONTH':
      theoretical = endOfMonthAfter(trigger, sign * offset);
      break;
  }
  const rolled =
    rule.rollForwardIfHoliday && rule.dayType === 'CALENDAR' ? rollDay(theoretical, rule, calendar) : null;
  const due = rolled?.due ?? theoretical;
  const shiftedBecause = rolled?.shiftedBecause;
  return {
    ruleId: rule.id,
    title: rule.title,
    legalBasis: rule.legalBasis,
    trigger,
    theoretical,
    due,
    ...(shiftedBecause !== undefined ? { shiftedBecause } : {}),
    halved,
  };
}

/**
 * A pending term when its case is resumed after a suspension (`ms` long, over `days` calendar days): a term the
 * suspension stops keeps the days it had left, from its theoretical end, and its new last day is rolled again
 * past holidays (and Saturday, where the rule says so) on its calendar; a term it does not stop (the parties', another body's) is unchanged:
 * null. A deadline set before terms kept their counting moves as before, without a new roll.
 */
export function resumedDeadline(
  d: { theoretical: IsoDate; dueAt: string; counting?: DeadlineCounting },
  pause: { ms: number; days: number },
  officeCalendar: CalendarProfile,
): { theoretical: IsoDate; due: IsoDate; dueAt: string; shiftedBecause: string | null } | null {
  const c = d.counting;
  if (c === undefined) {
    const dueAt = new Date(Date.parse(d.dueAt) + pause.ms).toISOString();
    return { theoretical: d.theoretical, due: romeDate(Date.parse(dueAt) - 1), dueAt, shiftedBecause: null };
  }
  if (!c.pausedBySuspension) return null;
  // Terms are counted in days: the theoretical end moves by the calendar days from the day of the suspension to
  // the day of the resumption (suspended and resumed on the same day: none).
  const theoretical = addDays(d.theoretical, pause.days);
  const rolled = c.rollForwardIfHoliday
    ? rollDay(theoretical, c, calendarFor(c, officeCalendar))
    : { due: theoretical };
  return {
    theoretical,
    due: rolled.due,
    dueAt: new Date(endOfRomeDay(rolled.due)).toISOString(),
    shiftedBecause: rolled.shiftedBecause ?? null,
  };
}

/**
 * A task's service target after `pausedMs` of suspension: moved by the time paused, and to the end of the next
 * working day when it would end on a day the office is closed.
 */
export function targetAfterPause(targetAt: string, pausedMs: number, calendar: CalendarProfile): string {
  const day = romeDate(Date.parse(targetAt) + pausedMs - 1);
  if (isWorkingDay(day, calendar)) return new Date(Date.parse(targetAt) + pausedMs).toISOString();
  return new Date(endOfRomeDay(addWorkingDays(day, 1, calendar))).toISOString();
}

/** The service target of an officer task: the end of the N-th working day after the task opened. */
export function serviceTargetDay(opened: IsoDate, workingDays: number, calendar: CalendarProfile): IsoDate {
  return addWorkingDays(opened, workingDays, calendar);
}
