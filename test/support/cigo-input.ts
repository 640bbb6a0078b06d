import type { CigoStartInput } from '../../domain/procedures/cigo';
import type { IsoDate } from '../../domain/dates';
import { addDays } from '../../domain/dates';

/** A valid CIGO start input around a given day: notice that day, suspension from two days later. */
export function cigoInput(today: IsoDate, over: Partial<CigoStartInput> = {}): CigoStartInput {
  return {
    employer: {
      taxCode: '01234567890',
      name: 'Cartiera del Serchio S.p.A.',
      sector: 'industry',
      averageEmployees: 120,
      solidarityFund: 'none',
    },
    productionUnit: {
      id: 'stab-01',
      address: 'Via del Brennero 12',
      municipality: 'Lucca',
      province: 'LU',
      region: 'Toscana',
    },
    cause: 'temporary_market',
    causeDescription: 'Temporary fall in orders for tissue paper',
    suspension: { from: addDays(today, 2), to: addDays(today, 2 + 27) },
    workersConcerned: 40,
    reductionHoursPerWeek: 20,
    unionNoticeDate: today,
    ...over,
  };
}
