import { z } from 'zod';
import { isIsoDate } from './dates';

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const isoDate = z
  .string()
  .refine(isIsoDate, { message: 'must be a calendar date as YYYY-MM-DD' })
  .meta({ format: 'date', example: '2026-03-02' });

export const shortText = z.string().trim().min(1).max(200);
export const longText = z.string().trim().min(1).max(4000);

/** Italian tax code of a company (11 digits) or a person (16 characters). */
export const taxCode = z
  .string()
  .regex(
    /^(\d{11}|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z])$/,
    'must be an Italian tax code (11 digits or 16 characters)',
  );

export const period = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'must not end before it starts', path: ['to'] });
export type Period = z.infer<typeof period>;
