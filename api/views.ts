/**
 * What the API answers, as zod schemas (issue 13 §1): the document renders them as the answers' schemas, and the
 * API's own tests check every JSON answer of a route against its schema (`RouteTable`, `checkAnswers`), so the
 * document cannot promise a shape the server does not give. Objects accept more fields than listed (a procedure's
 * facts grow), never fewer.
 */
import { z } from 'zod';
import { CASE_EVENT_TYPES, ROLES } from '../domain/case-model';

const instant = z.string().meta({ format: 'date-time' });
const day = z.string().meta({ format: 'date' });
const record = z.record(z.string(), z.unknown());

export const actorView = z.object({ sub: z.string(), role: z.enum([...ROLES, 'system']) });

export const taskView = z.object({
  taskId: z.string(),
  caseId: z.string(),
  procedure: z.string(),
  key: z.string(),
  title: z.string(),
  candidateRole: z.enum(ROLES),
  office: z.string(),
  assignee: z.string().nullable(),
  status: z.enum(['open', 'completed', 'cancelled']),
  priority: z.enum(['normal', 'high']),
  openedAt: instant,
  targetAt: instant,
  deadlineId: z.string().nullable(),
  legalDueAt: instant.nullable(),
  escalated: z.boolean(),
  outcomes: z.array(z.string()),
  completedAt: instant.nullable(),
  completedBy: z.string().nullable(),
  outcome: z.string().nullable(),
  data: record.nullable(),
});

export const inboxTask = taskView.extend({ caseTitle: z.string(), caseStatus: z.string() });

export const deadlineView = z.object({
  id: z.string(),
  ruleId: z.string(),
  title: z.string(),
  legalBasis: z.string(),
  trigger: z.string(),
  theoretical: day,
  due: day,
  dueAt: instant,
  shiftedBecause: z.string().nullable(),
  halved: z.boolean(),
  status: z.enum(['pending', 'met', 'missed', 'cancelled']),
  consequence: z.string(),
  counting: z
    .object({
      rollForwardIfHoliday: z.boolean(),
      saturdayRollsForward: z.boolean(),
      backward: z.boolean(),
      calendarScope: z.enum(['NATIONAL', 'OFFICE']),
      pausedBySuspension: z
        .boolean()
        .describe('a suspension of the case stops this term (the office’s own terms)'),
      countingWhy: z.string(),
    })
    .optional()
    .describe('how the term is counted, from its rule; absent in cases opened before terms kept it'),
});

export const caseView = z.object({
  caseId: z.string(),
  procedure: z.string(),
  procedureVersion: z.int(),
  title: z.string(),
  office: z.string(),
  status: z.enum(['open', 'suspended', 'closed', 'withdrawn', 'failed']),
  step: z.string(),
  parties: z.array(z.object({ role: z.string(), name: z.string(), identifier: z.string().nullable() })),
  keys: z.record(z.string(), z.string()),
  units: z.array(z.string()),
  input: record,
  openedAt: instant,
  openedBy: actorView,
  closedAt: instant.nullable(),
  outcome: z.string().nullable(),
  outcomeReason: z.string().nullable(),
  suspension: z.object({ since: instant, reason: z.string(), by: z.string() }).nullable(),
  deadlines: z.array(deadlineView),
  tasks: z.array(taskView),
  documents: z.array(
    z.object({
      documentId: z.string(),
      kind: z.string(),
      title: z.string(),
      date: day.nullable(),
      reference: z.string().nullable(),
      recordedAt: instant,
      recordedBy: z.string(),
    }),
  ),
  decisions: z.array(
    z.object({
      kind: z.string(),
      outcome: z.string(),
      date: day.nullable(),
      body: z.string(),
      details: record,
      recordedAt: instant,
    }),
  ),
  checks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      legalBasis: z.string(),
      result: z.enum(['ok', 'warning', 'defect', 'refused']),
      explanation: z.string(),
      figures: record,
    }),
  ),
  facts: record,
  nextDueAt: instant.nullable(),
  version: z.int().min(0),
  /** Where to follow the case: itself, its audit trail, its workflow in the Temporal UI (when configured). */
  links: z.object({ self: z.string(), events: z.string(), temporal: z.url().optional() }).optional(),
  /** The step's stable code (domain/codes.ts) and the parts of the step that vary, for labels in any language. */
  stepCode: z.string().optional(),
  stepParams: z.array(z.string()).optional(),
});

export const caseSummary = z.object({
  caseId: z.string(),
  procedure: z.string(),
  title: z.string(),
  office: z.string(),
  status: caseView.shape.status,
  step: z.string(),
  stepCode: z.string(),
  stepParams: z.array(z.string()),
  openedAt: instant,
  nextDueAt: instant.nullable(),
  outcome: z.string().nullable(),
  openTasks: z.int().min(0),
});

export const caseEvent = z.object({
  eventId: z.string(),
  caseId: z.string(),
  seq: z.int().min(1),
  type: z.enum(CASE_EVENT_TYPES),
  at: instant,
  actor: actorView,
  summary: z.string(),
  data: record,
});

export const feedEvent = caseEvent.extend({ procedure: z.string(), position: z.string() });

export const principalView = z.object({
  sub: z.string(),
  role: z.enum(ROLES),
  offices: z.array(z.string()),
  relays: z.array(z.string()).optional(),
  procedures: z.array(z.string()).optional(),
  keyId: z.string().optional(),
});

export const workloadView = z.object({
  asOf: instant,
  items: z.array(
    z.object({
      office: z.string(),
      openCases: z.int(),
      suspendedCases: z.int(),
      overdueCases: z.int(),
      openTasks: z.int(),
      overdueTasks: z.int(),
      escalatedTasks: z.int(),
      byAssignee: z.record(z.string(), z.int()),
    }),
  ),
});

/** A page of `item`, with the cursor of the next page (null at the end). */
export function pageView<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable(), hasMore: z.boolean() });
}

/** A list that is never paged. */
export function listView<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

// ---- reference data, administration, art. 16 and L. 68 answers ----
// Loose where the answer carries more than is listed (a published rule's own fields, a ranking row's components):
// the document then allows more properties, as the answer has them.

export const healthView = z.object({ status: z.literal('ok') });
export const readyView = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) });
export const openApiView = z.looseObject({ openapi: z.string(), info: record, paths: record });

const jsonSchema = record.meta({ description: 'A JSON Schema (draft 2020-12)' });
export const procedureView = z.looseObject({
  code: z.string(),
  version: z.int(),
  title: z.string(),
  legalBasis: z.string(),
  description: z.string(),
  startInput: jsonSchema,
  tasks: z.array(
    z.looseObject({
      key: z.string(),
      title: z.string(),
      candidateRole: z.enum(ROLES),
      outcomes: z.array(z.looseObject({ outcome: z.string(), title: z.string(), data: jsonSchema })),
    }),
  ),
  news: z.array(z.looseObject({ type: z.string(), title: z.string(), from: z.string(), data: jsonSchema })),
  deadlineRules: z.array(record),
});

export const schemesView = z.looseObject({
  on: day,
  employer: z.object({ sector: z.string(), averageEmployees: z.number(), solidarityFund: z.string() }),
  items: z.array(record),
});

export const officeView = z.looseObject({
  code: z.string(),
  name: z.string(),
  province: z.string(),
  region: z.string(),
  mainSite: z.string(),
  sites: z.array(record),
  serviceTargetWorkingDays: z.number(),
  closingDays: z.array(day),
});

export const adminAuditEntry = z.object({
  at: instant,
  actor: z.object({ sub: z.string(), role: z.string() }),
  action: z.string(),
  target: z.string(),
  details: record,
  requestId: z.string(),
});

export const apiKeyView = z.object({
  keyId: z.string(),
  client: z.string(),
  name: z.string(),
  procedures: z.array(z.string()).nullable(),
  offices: z.array(z.string()).nullable(),
  relays: z.array(z.string()).nullable(),
  createdAt: instant,
  createdBy: z.string(),
  expiresAt: instant,
  revokedAt: instant.nullable(),
  revokedBy: z.string().nullable(),
  revokedReason: z.string().nullable(),
  lastUsedAt: instant.nullable(),
  active: z.boolean(),
});
export const apiKeyCreated = apiKeyView.extend({
  key: z.string().meta({ description: 'The key (cpik_<id>_<secret>): shown in this answer only' }),
});

export const principalRecordView = z.object({
  sub: z.string(),
  name: z.string().nullable(),
  role: z.string().nullable(),
  disabled: z.boolean(),
  disabledAt: instant.nullable(),
  disabledBy: z.string().nullable(),
  disabledReason: z.string().nullable(),
});

export const payloadsView = z.object({
  payloads: z.array(
    z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }),
  ),
});

export const workerView = z.looseObject({
  taxCode: z.string(),
  name: z.string(),
  caseId: z.string().optional(),
  office: z.string().optional(),
  stage: z.string().optional(),
  ended: z.boolean().optional(),
  status: z.string().optional(),
  golProgramme: z.boolean().optional(),
});
export const workersPage = pageView(workerView).extend({
  caseId: z.string(),
  total: z.int(),
  byStage: z.record(z.string(), z.int()),
});
export const workerOfCase = workerView.extend({ caseId: z.string() });

export const rankingRowView = z.looseObject({
  caseId: z.string(),
  ruleVersion: z.int(),
  ruleTitle: z.string(),
  tieBreaks: z.array(z.string()),
  referenceDate: day,
});

export const noticeView = z.looseObject({
  caseId: z.string(),
  title: z.string(),
  office: z.string(),
  body: z.string().nullable(),
  profile: z.unknown(),
  posts: z.unknown(),
  contract: z.unknown(),
  place: z.unknown(),
  publishedOn: day.nullable(),
  applicationsClose: day.nullable(),
});

export const submissionView = z.looseObject({
  caseId: z.string(),
  step: z.string(),
  applicationNo: z.string().optional(),
  admitted: z.boolean().optional(),
  reasons: z.array(z.string()).optional(),
});

export const publishedRankingView = z.looseObject({
  caseId: z.string(),
  status: z.string().nullable(),
  publishedOn: day.nullable(),
  ruleVersion: z.int(),
  ruleTitle: z.string(),
  referenceDate: day,
  rows: z.array(record),
  excluded: z.array(z.string()),
});

export const clockView = z.object({ now: instant, today: day });

export const scoringRuleView = z.looseObject({ scope: z.string(), version: z.int(), validFrom: day });
export const scoringRulesView = z.object({ scope: z.string(), items: z.array(scoringRuleView) });

export const l68RankingView = z.looseObject({
  list: z.string(),
  referenceDate: day,
  ruleVersion: z.int(),
  ruleTitle: z.string(),
  tieBreaks: z.array(z.string()),
  offices: z.union([z.array(z.string()), z.literal('all')]),
  rows: z.array(record),
});

export const complianceView = z.looseObject({
  year: z.int(),
  asOf: day,
  items: z.array(record),
});

export const campaignView = z.looseObject({
  year: z.int(),
  opened: z.array(z.object({ caseId: z.string(), employer: z.string(), office: z.string() })),
});
