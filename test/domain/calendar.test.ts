import {
  addWorkingDays,
  easterMonday,
  easterSunday,
  holidayName,
  isHoliday,
  isWorkingDay,
  workingDaysBetween,
} from '../../domain/calendar';
import { addMonths, endOfRomeDay, romeDate } from '../../domain/dates';
import { OFFICES, findOffice, officeCalendar } from '../../domain/offices';

const cal = (code: string, site?: string) => {
  const office = findOffice(code);
  if (!office) throw new Error(code);
  return officeCalendar(office, site);
};

describe('Easter', () => {
  it.each([
    [2024, '2024-03-31', '2024-04-01'],
    [2025, '2025-04-20', '2025-04-21'],
    [2026, '2026-04-05', '2026-04-06'],
    [2027, '2027-03-28', '2027-03-29'],
    [2028, '2028-04-16', '2028-04-17'],
    [2029, '2029-04-01', '2029-04-02'],
    [2030, '2030-04-21', '2030-04-22'],
  ])('when the year is %i, then Easter is %s and Easter Monday %s', (year, sunday, monday) => {
    expect(easterSunday(year)).toBe(sunday);
    expect(easterMonday(year)).toBe(monday);
    expect(isHoliday(monday)).toBe(true);
  });
});

describe('national holidays', () => {
  it('when a fixed holiday falls on a weekday, then it is not a working day', () => {
    for (const d of [
      '2026-01-01',
      '2026-01-06',
      '2026-04-25',
      '2026-05-01',
      '2026-06-02',
      '2026-08-15',
      '2026-11-01',
      '2026-12-08',
      '2026-12-25',
      '2026-12-26',
    ]) {
      expect(isHoliday(d)).toBe(true);
    }
    expect(isWorkingDay('2026-06-02')).toBe(false);
  });

  it('when it is 4 October, then it is a holiday from 2026 only', () => {
    expect(holidayName('2025-10-04')).toBeUndefined(); // a Saturday, before the law took effect
    expect(isWorkingDay('2024-10-04')).toBe(true); // Friday
    expect(holidayName('2027-10-04')).toBe("San Francesco d'Assisi"); // Monday
    expect(isWorkingDay('2027-10-04')).toBe(false);
  });

  it('when it is Sunday, then it is a holiday; Saturday is not a holiday but not a working day for offices', () => {
    expect(isHoliday('2026-03-01')).toBe(true);
    expect(isHoliday('2026-02-28')).toBe(false);
    expect(isWorkingDay('2026-02-28')).toBe(false);
    expect(isWorkingDay('2026-02-28', { ...cal('lucca'), saturdayWorking: true })).toBe(true);
  });
});

describe('patron days by office site', () => {
  it('when it is 12 July, then Lucca is closed and Viareggio is open', () => {
    expect(isWorkingDay('2027-07-12', cal('lucca'))).toBe(false);
    expect(isWorkingDay('2027-07-12', cal('viareggio'))).toBe(true);
  });
  it('when it is 25 March, then Viareggio is closed', () => {
    expect(holidayName('2026-03-25', cal('viareggio'))).toBe('Maria Santissima Annunziata');
    expect(isWorkingDay('2026-03-25', cal('lucca'))).toBe(true);
  });
  it('when it is 29 June or 25 July, then the two Valle del Serchio sites differ', () => {
    expect(isWorkingDay('2026-06-29', cal('castelnuovo-barga', 'castelnuovo-garfagnana'))).toBe(false);
    expect(isWorkingDay('2026-06-29', cal('castelnuovo-barga', 'fornaci-di-barga'))).toBe(true);
    expect(isWorkingDay('2025-07-25', cal('castelnuovo-barga', 'fornaci-di-barga'))).toBe(false);
    expect(isWorkingDay('2025-07-25', cal('castelnuovo-barga', 'castelnuovo-garfagnana'))).toBe(true);
  });
  it('when the three offices are listed, then each has a main site with a calendar', () => {
    expect(OFFICES.map((o) => o.code)).toEqual(['lucca', 'castelnuovo-barga', 'viareggio']);
    for (const o of OFFICES) expect(officeCalendar(o).patronDays.length).toBe(1);
  });
});

describe('working days', () => {
  it('when one working day is added on Christmas Eve, then it lands after St Stephen and the weekend', () => {
    expect(addWorkingDays('2026-12-24', 1, cal('lucca'))).toBe('2026-12-28');
  });
  it("when a Friday's next working day is Lucca's patron day, then it moves to Tuesday", () => {
    expect(addWorkingDays('2027-07-09', 1, cal('lucca'))).toBe('2027-07-13');
    expect(addWorkingDays('2027-07-09', 1, cal('viareggio'))).toBe('2027-07-12');
  });
  it('when counting working days over Easter week, then the holidays and weekend are skipped', () => {
    expect(workingDaysBetween('2026-04-02', '2026-04-09', cal('lucca'))).toBe(4); // Fri 3, Tue 7, Wed 8, Thu 9
  });
});

describe('months and Italian time', () => {
  it('when a month has no such day, then the term ends on its last day (art. 2963 c.c.)', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-08-31', -2)).toBe('2026-06-30');
  });
  it('when a day ends in Italy, then the instant follows summer time', () => {
    expect(new Date(endOfRomeDay('2026-01-15')).toISOString()).toBe('2026-01-15T23:00:00.000Z');
    expect(new Date(endOfRomeDay('2026-07-01')).toISOString()).toBe('2026-07-01T22:00:00.000Z');
    expect(new Date(endOfRomeDay('2026-03-29')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(endOfRomeDay('2026-10-25')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(romeDate(Date.parse('2026-07-01T22:30:00Z'))).toBe('2026-07-02');
    expect(romeDate(Date.parse('2026-01-01T22:30:00Z'))).toBe('2026-01-01');
  });
});
