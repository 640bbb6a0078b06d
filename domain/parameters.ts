import type { IsoDate } from './dates';

/** A named value that the law sets and may change: picked by the date it applies to, never a literal in code. */
export interface Dated<T> {
  validFrom: IsoDate;
  validTo?: IsoDate;
  legalBasis: string;
  value: T;
}

/** No version of a rule or parameter of the law was in force on the day asked: the case cannot be judged by it. */
export class NoRuleInForce extends RangeError {
  constructor(
    readonly on: IsoDate,
    what = 'parameter',
  ) {
    super(`no ${what} version in force on ${on}`);
    this.name = 'NoRuleInForce';
  }
}

export function valueOn<T>(versions: readonly Dated<T>[], on: IsoDate): Dated<T> {
  const found = versions.find((v) => v.validFrom <= on && (v.validTo === undefined || on <= v.validTo));
  if (!found) throw new NoRuleInForce(on);
  return found;
}
