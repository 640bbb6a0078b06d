import { z } from 'zod';
import { isIsoDate } from './dates';

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const isoDate = z
  .string()
  // The pattern says it in the document (years 1900–2199); the check also refuses days a month lacks.
  .regex(
    /^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/,
    'must be a calendar date as YYYY-MM-DD',
  )
  // A day the month lacks (30 February) is a malformed date, as `format: date` says: not a rule across fields.
  .check((ctx) => {
    if (!isIsoDate(ctx.value))
      ctx.issues.push({
        code: 'invalid_format',
        format: 'date',
        input: ctx.value,
        message: 'must be a calendar date as YYYY-MM-DD',
      });
  })
  .meta({ format: 'date', example: '2026-03-02' });

/**
 * Some character that is not white space, as JavaScript's `trim` counts it (listed, so that the document's pattern
 * means the same to every regular-expression dialect).
 */
export const NOT_BLANK = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** Text with something in it, trimmed. */
export function text(max: number): z.ZodString {
  return z.string().max(max).regex(NOT_BLANK, 'must not be blank').trim();
}

export const shortText = text(200);
export const longText = text(4000);

/** Italian tax code of a company (11 digits) or a person (16 characters). */
export const taxCode = z
  .string()
  .regex(
    /^([0-9]{11}|[A-Z]{6}[0-9]{2}[A-Z][0-9]{2}[A-Z][0-9]{3}[A-Z])$/,
    'must be an Italian tax code (11 digits or 16 characters)',
  );

export const period = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'must not end before it starts', path: ['to'] });
export type Period = z.infer<typeof period>;
