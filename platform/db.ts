/**
 * The MongoDB read model. Everything but reference data (offices, principals) and idempotency keys is derived
 * from workflow events. Only features that FerretDB v1 also has are used (architecture.md): no transactions,
 * no aggregation beyond $sum/$count, unique indexes and upserts for idempotency.
 */
import mongoose, { Schema } from 'mongoose';
import type { mongo } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { CaseView, MemberRow, TaskView } from '../domain/case-model';
import type { AnalyticsFactDoc, StampDoc, SummaryDoc } from './analytics';
import type { BacklogCaseDoc, BacklogTaskDoc } from './backlog';

export interface CaseDoc extends Omit<CaseView, 'caseId'> {
  _id: string;
  /** The case's count of writes, the guard of the next (see ProjectionDelta.write). */
  writeSeq: number;
  /** Sortable id part (ULID): newest first, and the cursor of the list. */
  sortKey: string;
  openedBySub: string;
  assignees: string[];
}

export interface EventDoc {
  /** The event's position in the feed (platform/feed.ts): 16 digits. */
  _id: string;
  /** The last position of the write it came with (platform/feed.ts): internal, never answered. */
  batchEnd?: number;
  eventId: string;
  caseId: string;
  seq: number;
  type: string;
  at: string;
  actor: { sub: string; role: string };
  summary: string;
  data: Record<string, unknown>;
  office: string;
  procedure: string;
  openedBySub: string;
}

export interface TaskDoc extends Omit<TaskView, 'taskId'> {
  _id: string;
  writeSeq: number;
  caseTitle: string;
  caseStatus: string;
  /** Who opened the case: with `office`, the task's scope, checked without reading the case. */
  openedBySub: string;
  /** The inbox's sort keys (platform/projection.ts `taskSortKeys`). */
  dueKey?: string;
  priorityKey?: string;
}

/** A member of a case as a row of its own (`<caseId>:<key>`): a collective dismissal's workers. */
export interface MemberDoc extends MemberRow {
  _id: string;
  caseId: string;
  /** The parent's version when it last wrote the row. */
  writeSeq: number;
  /** The member case's version when it last wrote its stage (`asMember`). */
  memberSeq?: number;
  /** The row's growing lists (a CIGS worker's attendance and sanctions), added to entry by entry. */
  lists?: Record<string, Record<string, unknown>[]>;
}

export interface OfficeDoc {
  _id: string;
  name: string;
  province: string;
  region: string;
  mainSite: string;
  sites: unknown[];
  serviceTargetWorkingDays: number;
  /** Extra closing days (ISO dates) set by an administrator. */
  closingDays?: string[];
}

export interface PrincipalDoc {
  _id: string;
  name?: string;
  role?: string;
  offices?: string[];
  /** A disabled principal's tokens are refused (revocation), with who did it, when and why. */
  disabled?: boolean;
  disabledAt?: string | null;
  disabledBy?: string | null;
  disabledReason?: string | null;
}

export interface IdempotencyDoc {
  _id: string;
  caseId: string;
  requestHash: string;
  createdAt: Date;
}

export interface CommunicationDoc {
  _id: string;
  caseId: string;
  to: string;
  subject?: string | null;
  payload: Record<string, unknown>;
  reference: string;
  createdAt: Date;
}

const loose = { strict: false, versionKey: false, minimize: false } as const;

const caseSchema = new Schema<CaseDoc>(
  {
    _id: String,
    procedure: String,
    office: String,
    status: String,
    sortKey: String,
    version: Number,
    openedBySub: String,
    assignees: [String],
    writeSeq: Number,
    units: [String],
    nextDueAt: String,
  },
  { ...loose, collection: 'cases' },
);
caseSchema.index({ sortKey: -1 });
caseSchema.index({ office: 1, status: 1, sortKey: -1 });
caseSchema.index({ 'keys.productionUnit': 1 });
caseSchema.index({ units: 1 });
caseSchema.index({ openedBySub: 1, sortKey: -1 });

const eventSchema = new Schema<EventDoc>(
  {
    _id: String,
    eventId: String,
    caseId: String,
    seq: Number,
    type: String,
    office: String,
    openedBySub: String,
  },
  { ...loose, collection: 'case_events' },
);
eventSchema.index({ eventId: 1 }, { unique: true });
eventSchema.index({ caseId: 1, seq: 1 });

const taskSchema = new Schema<TaskDoc>(
  {
    _id: String,
    caseId: String,
    office: String,
    status: String,
    assignee: String,
    candidateRole: String,
    targetAt: String,
    writeSeq: Number,
  },
  { ...loose, collection: 'tasks' },
);
taskSchema.index({ office: 1, status: 1, targetAt: 1 });
taskSchema.index({ office: 1, status: 1, dueKey: 1 });
taskSchema.index({ assignee: 1, status: 1 });
taskSchema.index({ caseId: 1 });

const memberSchema = new Schema<MemberDoc>(
  {
    _id: String,
    caseId: String,
    key: String,
    stage: String,
    office: String,
    writeSeq: Number,
    memberSeq: Number,
  },
  { ...loose, collection: 'case_members' },
);
memberSchema.index({ caseId: 1, key: 1 });
memberSchema.index({ caseId: 1, stage: 1, key: 1 });

/**
 * The cases that cover a production unit (`_id` the unit key): the admission rules read a unit's earlier and open
 * cases by key, one row and then each case by id, so the cost does not grow with the number of cases stored (on
 * FerretDB a query on any field but `_id` reads the whole collection). Written when a case is first projected.
 */
export interface UnitCasesDoc {
  _id: string;
  cases: string[];
}
const unitCasesSchema = new Schema<UnitCasesDoc>(
  { _id: String, cases: [String] },
  { versionKey: false, collection: 'unit_cases' },
);

/** Counters: one row each (the feed's last position, platform/feed.ts). */
export interface CounterDoc {
  _id: string;
  last?: number;
}
const counterSchema = new Schema<CounterDoc>({ _id: String }, { ...loose, collection: 'counters' });

/** A webhook subscription (platform/webhooks.ts): whose scope, which events, where, signed with which secrets. */
export interface SubscriptionDoc {
  _id: string;
  /** The principal who made it: the events are those of its scope at every delivery. */
  owner: { sub: string; role: string; offices: string[]; procedures?: string[]; keyId?: string };
  url: string;
  description: string | null;
  filters: { types: string[]; procedures: string[]; offices: string[] };
  /** The signing secrets, sealed (payload-codec.ts `sealSecret`): the newest first, at most two. */
  secrets: { id: string; sealed: string; createdAt: string; expiresAt: string | null }[];
  status: 'active' | 'parked' | 'deleted';
  /** The last feed position handled (delivered, or passed as not selected). */
  cursor: string | null;
  delivered: number;
  parked: { position: string; eventId: string; at: string; reason: string } | null;
  createdAt: string;
  updatedAt: string;
}
const subscriptionSchema = new Schema<SubscriptionDoc>(
  { _id: String, status: String },
  { ...loose, collection: 'subscriptions' },
);

/** One event's delivery to one subscription (`<subscriptionId>:<position>`), with its attempts. */
export interface DeliveryDoc {
  _id: string;
  subscriptionId: string;
  position: string;
  eventId: string;
  caseId: string;
  type: string;
  status: 'retrying' | 'delivered' | 'failed';
  attempts: {
    attempt: number;
    at: string;
    status: number | null;
    error: string | null;
    durationMs: number;
  }[];
  attemptCount: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  firstAttemptAt: string;
  lastAttemptAt: string;
}
const deliverySchema = new Schema<DeliveryDoc>(
  { _id: String, subscriptionId: String, status: String },
  { ...loose, collection: 'webhook_deliveries' },
);

const analyticsFactSchema = new Schema<AnalyticsFactDoc>(
  { _id: String, office: String, day: String, kind: String },
  { ...loose, collection: 'analytics_facts' },
);
const backlogCaseSchema = new Schema<BacklogCaseDoc>(
  { _id: String },
  { ...loose, collection: 'backlog_cases' },
);
const backlogTaskSchema = new Schema<BacklogTaskDoc>(
  { _id: String },
  { ...loose, collection: 'backlog_tasks' },
);
const analyticsSummarySchema = new Schema<SummaryDoc>(
  { _id: String, stamp: String },
  { ...loose, collection: 'analytics_summaries' },
);
const analyticsStampSchema = new Schema<StampDoc>(
  { _id: String, stamp: String },
  { ...loose, collection: 'analytics_stamps' },
);

/** The satisfaction survey of a closed case (`_id` its case id): the link's secret, whom it concerns. */
export interface SurveyDoc {
  _id: string;
  /** The link's secret part (`<caseId>.<secret>`): random, kept only here. */
  secret: string;
  office: string;
  procedure: string;
  closedAt: string;
  to: string;
  createdAt: string;
}
/** The one answer of a survey (`_id` its case id: a second answer is a duplicate key). */
export interface SurveyAnswerDoc {
  _id: string;
  office: string;
  procedure: string;
  score: number;
  comment: string | null;
  answeredAt: string;
}
const surveySchema = new Schema<SurveyDoc>({ _id: String }, { ...loose, collection: 'surveys' });
const surveyAnswerSchema = new Schema<SurveyAnswerDoc>(
  { _id: String },
  { ...loose, collection: 'survey_answers' },
);

const officeSchema = new Schema<OfficeDoc>({ _id: String }, { ...loose, collection: 'offices' });
const principalSchema = new Schema<PrincipalDoc>({ _id: String }, { ...loose, collection: 'principals' });
const idempotencySchema = new Schema<IdempotencyDoc>(
  { _id: String, caseId: String, requestHash: String, createdAt: Date },
  { versionKey: false, collection: 'idempotency_keys' },
);
/** A published version of a scoring rule (`<scope>:v<version>`); versions are never changed, only added. */
export interface ScoringRuleDoc {
  _id: string;
  scope: string;
  version: number;
  validFrom: string;
  /** The rest of the published rule: its shape depends on the scope (art. 16, L. 68). */
  [field: string]: unknown;
}
const scoringRuleSchema = new Schema<ScoringRuleDoc>(
  { _id: String, scope: String, version: Number, validFrom: String },
  { ...loose, collection: 'scoring_rules' },
);
scoringRuleSchema.index({ scope: 1, version: -1 });

const communicationSchema = new Schema<CommunicationDoc>(
  { _id: String, caseId: String, to: String, subject: String, reference: String, createdAt: Date },
  { ...loose, collection: 'communications' },
);

export interface Db {
  connection: Connection;
  cases: Model<CaseDoc>;
  events: Model<EventDoc>;
  tasks: Model<TaskDoc>;
  members: Model<MemberDoc>;
  unitCases: Model<UnitCasesDoc>;
  offices: Model<OfficeDoc>;
  principals: Model<PrincipalDoc>;
  idempotency: Model<IdempotencyDoc>;
  communications: Model<CommunicationDoc>;
  scoringRules: Model<ScoringRuleDoc>;
  counters: Model<CounterDoc>;
  subscriptions: Model<SubscriptionDoc>;
  deliveries: Model<DeliveryDoc>;
  /** The office's figures (platform/analytics.ts): one document per fact, cached summaries and their stamps. */
  analyticsFacts: Model<AnalyticsFactDoc>;
  analyticsSummaries: Model<SummaryDoc>;
  analyticsStamps: Model<StampDoc>;
  /** The open cases and tasks of each office, for the backlog figures (platform/backlog.ts). */
  backlogCases: Model<BacklogCaseDoc>;
  backlogTasks: Model<BacklogTaskDoc>;
  surveys: Model<SurveyDoc>;
  surveyAnswers: Model<SurveyAnswerDoc>;
  close(): Promise<void>;
}

/** Connects and declares the models; indexes are created once (idempotent) before use. */
export async function connectDb(uri: string, opts: { dbName?: string } = {}): Promise<Db> {
  const connection = mongoose.createConnection(uri, {
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false,
  });
  await connection.asPromise();
  const db: Db = {
    connection,
    cases: connection.model<CaseDoc>('Case', caseSchema),
    events: connection.model<EventDoc>('CaseEvent', eventSchema),
    tasks: connection.model<TaskDoc>('Task', taskSchema),
    members: connection.model<MemberDoc>('CaseMember', memberSchema),
    unitCases: connection.model<UnitCasesDoc>('UnitCases', unitCasesSchema),
    offices: connection.model<OfficeDoc>('Office', officeSchema),
    principals: connection.model<PrincipalDoc>('Principal', principalSchema),
    idempotency: connection.model<IdempotencyDoc>('IdempotencyKey', idempotencySchema),
    communications: connection.model<CommunicationDoc>('Communication', communicationSchema),
    scoringRules: connection.model<ScoringRuleDoc>('ScoringRule', scoringRuleSchema),
    counters: connection.model<CounterDoc>('Counter', counterSchema),
    subscriptions: connection.model<SubscriptionDoc>('Subscription', subscriptionSchema),
    deliveries: connection.model<DeliveryDoc>('WebhookDelivery', deliverySchema),
    analyticsFacts: connection.model<AnalyticsFactDoc>('AnalyticsFact', analyticsFactSchema),
    analyticsSummaries: connection.model<SummaryDoc>('AnalyticsSummary', analyticsSummarySchema),
    analyticsStamps: connection.model<StampDoc>('AnalyticsStamp', analyticsStampSchema),
    backlogCases: connection.model<BacklogCaseDoc>('BacklogCase', backlogCaseSchema),
    backlogTasks: connection.model<BacklogTaskDoc>('BacklogTask', backlogTaskSchema),
    surveys: connection.model<SurveyDoc>('Survey', surveySchema),
    surveyAnswers: connection.model<SurveyAnswerDoc>('SurveyAnswer', surveyAnswerSchema),
    close: () => connection.close(),
  };
  for (const m of [db.cases, db.events, db.tasks, db.members, db.scoringRules]) await m.createIndexes();
  return db;
}

export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: number; writeErrors?: { code?: number }[] };
  if (e.code === 11000) return true;
  return (
    Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && e.writeErrors.every((w) => w.code === 11000)
  );
}

/** A document whose `_id` is a string (every collection here but the events). */
type StringIdDoc = mongo.Document & { _id: string };

/**
 * The driver's collection behind a model, for the projection's hot writes: their documents and updates are plain
 * and complete, so mongoose's casting would only cost time.
 */
export function driverCollection(
  model: Model<never> | { collection: unknown },
): mongo.Collection<StringIdDoc> {
  return model.collection as mongo.Collection<StringIdDoc>;
}

/**
 * How many reads that may span several batches run at once in this process. FerretDB v1 on SQLite keeps one of its
 * 100 SQLite connections for every cursor left open after a first batch (more than 101 documents), and a find
 * waits for a free one: 100 such reads at once, with their getMores queued behind new finds in the driver's pool,
 * stop the server for good (found by `npm run bench:analytics` at 1,000 tasks per office and month: the figures
 * read a day's facts for 36 months at once). Two or three processes (API, worker, webhook worker) stay well below
 * that bound; MongoDB has no such limit and only waits a little.
 */
const LONG_READS = Math.max(1, Number(process.env.DB_CONCURRENT_LONG_READS ?? 16));
let longReadsRunning = 0;
const longReadsWaiting: (() => void)[] = [];

/**
 * Runs a read that may answer more than 101 documents (a range with no limit) within the bound above, when its
 * turn comes. `run` makes one read and no other long read inside it (a slot is held while it runs). A page read
 * with `.limit(n)` needs no turn: it asks for `.batchSize(n + 1)`, so that the first batch holds all of it and
 * FerretDB closes its cursor at once.
 */
export async function longRead<T>(run: () => Promise<T>): Promise<T> {
  if (longReadsRunning >= LONG_READS) {
    await new Promise<void>((resolve) => longReadsWaiting.push(resolve));
  } else {
    longReadsRunning += 1;
  }
  try {
    return await run();
  } finally {
    const next = longReadsWaiting.shift();
    // The slot passes to the next reader as it is (the count stays), or is given back.
    if (next) next();
    else longReadsRunning -= 1;
  }
}
