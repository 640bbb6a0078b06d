import type { CalendarProfile } from './calendar';
import { NATIONAL_CALENDAR, addWorkingDays, holidayName } from './calendar';
import { NoRuleInForce } from './parameters';
import type { IsoDate } from './dates';
import { addDays, addMonths, endOfMonthAfter, weekday } from './dates';

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
  /** Saturday counts as a holiday for the roll (art. 155 c.5 c.p.c.; a per-rule flag for administrative terms). */
  saturdayRollsForward: boolean;
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

/** The usual shape of a term: calendar days, start day excluded, rolled past holidays, on the office's calendar. */
export const CALENDAR_DAYS = {
  unit: 'DAY',
  dayType: 'CALENDAR',
  excludeStartDay: true,
  rollForwardIfHoliday: true,
  saturdayRollsForward: false,
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

function isNonWorkingForRoll(date: IsoDate, rule: DeadlineRule, calendar: CalendarProfile): boolean {
  if (holidayName(date, calendar) !== undefined) return true;
  return rule.saturdayRollsForward && weekday(date) === 6;
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
  const calendar = rule.calendarScope === 'NATIONAL' ? NATIONAL_CALENDAR : ctx.calendar;
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
  let due = theoretical;
  let shiftedBecause: string | undefined;
  if (rule.rollForwardIfHoliday && rule.dayType === 'CALENDAR') {
    while (isNonWorkingForRoll(due, rule, calendar)) {
      shiftedBecause ??= holidayName(due, calendar) ?? 'sabato';
      due = addDays(due, rule.backward ? -1 : 1);
    }
  }
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

/** The service target of an officer task: the end of the N-th working day after the task opened. */
export function serviceTargetDay(opened: IsoDate, workingDays: number, calendar: CalendarProfile): IsoDate {
  return addWorkingDays(opened, workingDays, calendar);
}
