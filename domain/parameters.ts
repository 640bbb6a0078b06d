import type { IsoDate } from './dates';

/** A named value that the law sets and may change: picked by the date it applies to, never a literal in code. */
export interface Dated<T> {
  validFrom: IsoDate;
  validTo?: IsoDate;
  legalBasis: string;
  value: T;
}

export function valueOn<T>(versions: readonly Dated<T>[], on: IsoDate): Dated<T> {
  const found = versions.find((v) => v.validFrom <= on && (v.validTo === undefined || on <= v.validTo));
  if (!found) throw new RangeError(`no parameter version in force on ${on}`);
  return found;
}
