/** The request contracts of API v1: validated here, and rendered into the OpenAPI document. */
import { z } from 'zod';
import { OFFICE_CODES } from '../domain/offices';
import { SECTOR_CODES, SOLIDARITY_FUNDS } from '../domain/procedures/wage-guarantee';
import { NOT_BLANK, isoDate, taxCode, text } from '../domain/schemas';

const id = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
const limit = z.coerce.number().int().min(1).max(100).default(20);
/** The `nextCursor` of a previous page, passed back as it came. */
const cursor = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9._:-]+$/, 'the nextCursor of a previous page');
/** A position in the event feed (platform/feed.ts): an event's `position`, or the `nextCursor` of a page. */
export const feedPosition = z
  .string()
  .regex(/^[0-9]{16}$/, 'an event position or the nextCursor of a previous page');
/** A position in a trail ordered by ObjectId (the audit trail): the `nextCursor` of a page. */
const objectIdCursor = z.string().regex(/^[0-9a-f]{24}$/, 'the nextCursor of a previous page');
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const startCaseBody = z
  .object({
    procedure: z
      .string()
      .min(1)
      .max(32)
      .meta({ description: 'Procedure code, see GET /v1/procedures', example: 'CIGO' }),
    office: z.enum(OFFICE_CODES as [string, ...string[]]).meta({ description: 'Office code' }),
    input: z
      .record(z.string(), z.unknown())
      .meta({ description: "The procedure's start input (JSON Schema in the catalogue)" }),
  })
  .strict();

export const listCasesQuery = z
  .object({
    procedure: z.string().min(1).max(32).optional(),
    status: z.enum(['open', 'suspended', 'closed', 'withdrawn', 'failed']).optional(),
    office: z.string().min(1).max(64).optional(),
    assignee: z.string().min(1).max(200).optional(),
    overdue: bool.optional(),
    taxCode: taxCode
      .optional()
      .meta({ description: 'A party of the case: the employer (11 digits) or the person (16 characters)' }),
    unit: z
      .string()
      .max(80)
      .regex(/^[0-9]{11}\/[A-Za-z0-9._-]{1,64}$/, '<employer tax code>/<unit id>')
      .optional()
      .meta({ description: 'A production unit the case covers: <employer tax code>/<unit id>' }),
    openedFrom: isoDate.optional().meta({ description: 'Opened on or after this day' }),
    openedTo: isoDate.optional().meta({ description: 'Opened on or before this day' }),
    q: z
      .string()
      .max(100)
      .regex(NOT_BLANK, 'must not be blank')
      .optional()
      .meta({ description: 'Text in the title, any case' }),
    limit,
    cursor: cursor.optional(),
  })
  .strict();

/** A page of a case's workers (a collective dismissal's rows), optionally of one stage. */
export const listWorkersQuery = z
  .object({
    stage: z.string().min(1).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: cursor.optional(),
  })
  .strict();

export const eventsFeedQuery = z
  .object({
    // `cursor`, as on every list; `after` is its older name.
    cursor: feedPosition.optional(),
    after: feedPosition.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const TASK_SORTS = ['target', 'due', 'priority', 'id'] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

export const listTasksQuery = z
  .object({
    view: z.enum(['mine', 'available', 'overdue', 'escalated', 'all']).default('mine'),
    office: z.string().min(1).max(64).optional(),
    sort: z.enum(TASK_SORTS).default('target').meta({
      description:
        'target: the service target first, then the legal due day; due: the legal due day first (tasks without one last), then the target; priority: high first, then the target; id: by task id',
    }),
    limit,
    cursor: z
      .string()
      .min(1)
      .max(400)
      .regex(/^[A-Za-z0-9_-]+$/, 'the nextCursor of a previous page')
      .optional(),
  })
  .strict();

export const completeTaskBody = z
  .object({
    outcome: z.string().min(1).max(64),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const reassignTaskBody = z
  .object({ assignee: z.string().min(1).max(200).nullable(), reason: text(1000) })
  .strict();

export const newsBody = z
  .object({ type: z.string().min(1).max(64), data: z.record(z.string(), z.unknown()) })
  .strict();

export const reasonBody = z.object({ reason: text(1000) }).strict();

export const idParam = id;
export const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** What an administrator may change about an office: its service target and its extra closing days. */
export const officePatchBody = z
  .object({
    serviceTargetWorkingDays: z.int().min(1).max(20).optional(),
    closingDays: z.array(isoDate).max(366).optional(),
  })
  .strict()
  .refine((v) => v.serviceTargetWorkingDays !== undefined || v.closingDays !== undefined, {
    message: 'send serviceTargetWorkingDays, closingDays or both',
  })
  // The same rule in the document: at least one of the two.
  .meta({ minProperties: 1 });

/** An administrator disables (revokes) a principal's tokens, or enables them again, saying why. */
export const principalPatchBody = z.object({ disabled: z.boolean(), reason: text(1000) }).strict();

/** A page of the administrators' audit trail, newest first. */
export const adminAuditQuery = z.object({ limit, cursor: objectIdCursor.optional() }).strict();

/** Which wage-guarantee schemes cover an employer (D.Lgs. 148/2015). */
export const schemesQuery = z
  .object({
    sector: z.enum(SECTOR_CODES),
    averageEmployees: z.coerce.number().int().min(1).max(1_000_000),
    solidarityFund: z.enum(SOLIDARITY_FUNDS).default('none'),
    on: isoDate.optional().meta({ description: 'The day the rules are read for (default: today)' }),
  })
  .strict();

export const workerParam = taxCode;

/** How far the demo clock moves (CPI_DEV_CLOCK=skip npm run dev). */
export const clockBody = z
  .object({ days: z.int().min(0).max(400).default(0), hours: z.int().min(0).max(23).default(0) })
  .strict()
  .refine((v) => v.days + v.hours > 0, { message: 'move the clock by at least one hour' })
  .meta({ minProperties: 1 });
