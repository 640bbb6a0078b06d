/**
 * The route table of API v1: every route the server mounts, declared once with its inputs and answers. `app.ts`
 * mounts each handler through `RouteTable.add` with the declaration named here, and `/openapi.json` is rendered
 * from the same table (api/openapi.ts), so a route cannot be served without being documented.
 */
import { z } from 'zod';
import { PROCEDURES } from '../domain/catalogue';
import { OFFICE_CODES } from '../domain/offices';
import { applicationNews, objectionNews, scoringRuleSchema } from '../domain/procedures/public-hiring';
import { l68ScoringRuleSchema } from '../domain/procedures/l68-ranking';
import { apiKeyCreateBody, apiKeyIdParam, apiKeyListQuery, apiKeyRevokeQuery } from './api-keys';
import { codecBody } from './codec-routes';
import {
  adminAuditQuery,
  clockBody,
  completeTaskBody,
  eventsFeedQuery,
  idParam,
  idempotencyKey,
  listCasesQuery,
  listTasksQuery,
  listWorkersQuery,
  newsBody,
  officePatchBody,
  principalPatchBody,
  reasonBody,
  reassignTaskBody,
  schemesQuery,
  startCaseBody,
  workerParam,
} from './contracts';
import { campaignBody, complianceQuery, rankingQuery, scopeQuery } from './l68-routes';
import {
  deliveriesPage,
  deliveriesQuery,
  redeliverBody,
  rotateSecretBody,
  subscriptionCreateBody,
  subscriptionIdParam,
  subscriptionView,
  subscriptionWithSecret,
} from './subscriptions';
import type { AnswerSpec, HeaderSpec, RouteSpec } from './route-table';
import {
  adminAuditEntry,
  apiKeyCreated,
  apiKeyView,
  campaignView,
  caseEvent,
  caseSummary,
  caseView,
  clockView,
  complianceView,
  feedEvent,
  healthView,
  inboxTask,
  l68RankingView,
  listView,
  noticeView,
  officeView,
  openApiView,
  pageView,
  payloadsView,
  principalRecordView,
  principalView,
  procedureView,
  publishedRankingView,
  rankingRowView,
  readyView,
  schemesView,
  scoringRuleView,
  scoringRulesView,
  submissionView,
  workerOfCase,
  workersPage,
  workloadView,
} from './views';
import { RouteTable, jsonSchemaOf } from './route-table';
import {
  ANALYTICS_ROLES,
  analyticsQuery,
  attainmentView,
  backlogView,
  exportQuery,
  leadTimesView,
  satisfactionView,
} from './analytics';
import { surveyAnswerBody, surveyView } from './surveys';
import { devPrincipalsView } from './console';
import { SURVEY_TOKEN } from '../platform/surveys';

const STAFF = ['officer', 'supervisor', 'admin'] as const;
const SUPERVISORS = ['supervisor', 'admin'] as const;
const ADMINS = ['admin'] as const;
const SUBSCRIBERS = ['integrator', 'admin'] as const;

const idParams = z.object({ id: idParam }).strict();
const subscriptionParams = z.object({ id: subscriptionIdParam }).strict();
const taskParams = z
  .object({
    id: z
      .string()
      .max(120)
      .regex(/^[A-Za-z0-9._:-]+\.T[0-9]+$/, 'a task id: <caseId>.T<n>'),
  })
  .strict();

const CASE: AnswerSpec['schema'] = { $ref: '#/components/schemas/Case' };
/** From a case to what can be done with it and with its first task. */
const caseLinks: AnswerSpec['links'] = {
  ...Object.fromEntries(
    [
      'getCase',
      'listCaseEvents',
      'listCaseWorkers',
      'postCaseNews',
      'suspendCase',
      'resumeCase',
      'withdrawCase',
    ].map((op) => [op, { operationId: op, parameters: { id: '$response.body#/caseId' } }]),
  ),
  ...Object.fromEntries(
    ['getTask', 'claimTask', 'releaseTask', 'completeTask', 'reassignTask'].map((op) => [
      op,
      { operationId: op, parameters: { id: '$response.body#/tasks/0/taskId' } },
    ]),
  ),
};
const caseAnswer = (description: string): AnswerSpec => ({
  description,
  schema: CASE,
  body: caseView,
  links: caseLinks,
  headers: ETAG,
});
/** An action on a case: made once per Idempotency-Key, and only on the version the caller read (If-Match). */
const actionHeaders = (): Record<string, HeaderSpec> => ({
  ...idempotencyHeader,
  'If-Match': {
    schema: z.string().max(200),
    description:
      'The case\'s ETag as last read ("v12"): refused with 412 if the case has changed since, or if the tag is not one of the case\'s',
  },
});
const ETAG = {
  ETag: { description: 'The case\'s version as an entity tag ("v<version>")', schema: { type: 'string' } },
};

const idempotencyHeader: Record<string, HeaderSpec> = {
  'Idempotency-Key': {
    schema: idempotencyKey,
    description:
      'Makes a retry of the same request act once and answer the first outcome (kept 7 days; a key reused for another body is refused with 422)',
  },
};

/** The start input of each procedure, as the body of `POST /v1/cases` names it by `procedure`. */
const startCaseDoc = {
  oneOf: PROCEDURES.map((p) => ({
    type: 'object',
    title: `${p.code}: ${p.title}`,
    additionalProperties: false,
    required: ['procedure', 'office', 'input'],
    properties: {
      procedure: { const: p.code },
      office: { enum: OFFICE_CODES },
      input: { $ref: `#/components/schemas/${p.code}StartInput` },
    },
  })),
};

const lifecycle = (action: 'suspend' | 'resume' | 'withdraw', summary: string): RouteSpec => ({
  method: 'post',
  path: `/cases/:id/${action}`,
  operationId: `${action}Case`,
  summary,
  tags: ['cases'],
  roles: action === 'withdraw' ? [...STAFF, 'integrator'] : STAFF,
  params: idParams,
  headers: actionHeaders(),
  body: reasonBody,
  answers: { 200: caseAnswer('The case after the action') },
  problems: [409, 412, 422],
});

const noticeSubmission = (kind: 'applications' | 'objections'): RouteSpec => ({
  method: 'post',
  path: `/notices/:id/${kind}`,
  operationId: kind === 'applications' ? 'applyToNotice' : 'objectToRanking',
  summary:
    kind === 'applications'
      ? 'Apply to an art. 16 notice (any authenticated caller: candidates’ portals); one application per person'
      : 'Object to a provisional art. 16 ranking within its window',
  tags: ['art. 16 notices'],
  params: idParams,
  headers: idempotencyHeader,
  body: kind === 'applications' ? applicationNews : objectionNews,
  answers: {
    202: {
      description: 'Taken: the case, its step and, for an application, its number and admission',
      body: submissionView,
    },
  },
  problems: [409, 422],
});

const analyticsRoute = (
  path: string,
  operationId: string,
  summary: string,
  body: z.ZodType,
  query: z.ZodObject = analyticsQuery,
): RouteSpec => ({
  method: 'get',
  path: `/analytics/${path}`,
  operationId,
  summary,
  tags: ['analytics'],
  roles: ANALYTICS_ROLES,
  query,
  answers: {
    200: { description: 'the figures, per office and for all the offices asked together ("all")', body },
  },
  problems: [422],
});

const surveyParams = z
  .object({ token: z.string().max(200).regex(SURVEY_TOKEN, 'the token of a survey link: <caseId>.<secret>') })
  .strict();

/** Every route of the API. */
export const ROUTES = {
  healthz: {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness',
    tags: ['operations'],
    public: true,
    answers: { 200: { description: 'ok', body: healthView } },
  },
  readyz: {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Readiness: Temporal and the database reachable',
    tags: ['operations'],
    public: true,
    answers: { 200: { description: 'ready, with each check', body: readyView } },
    problems: [503],
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This document',
    tags: ['operations'],
    public: true,
    answers: { 200: { description: 'the OpenAPI 3.1 document', body: openApiView } },
  },
  docs: {
    method: 'get',
    path: '/docs',
    operationId: 'referencePage',
    summary: 'A readable reference of this document (Swagger UI), served by the API itself',
    tags: ['operations'],
    public: true,
    answers: {
      200: { description: 'the reference page', contentType: 'text/html', schema: { type: 'string' } },
    },
  },
  devPrincipals: {
    method: 'get',
    path: '/dev/principals',
    operationId: 'listDevPrincipals',
    summary: "The demo principals and their tokens, for the console's sign-in (only in npm run dev)",
    tags: ['development'],
    public: true,
    answers: { 200: { description: 'the demo principals', body: devPrincipalsView } },
  },
  survey: {
    method: 'get',
    path: '/surveys/:token',
    operationId: 'getSurvey',
    summary:
      'The satisfaction survey a link opens (the link is its only credential): what it is about, and whether answered',
    tags: ['surveys'],
    public: true,
    params: surveyParams,
    answers: { 200: { description: 'the survey', body: surveyView } },
  },
  answerSurvey: {
    method: 'post',
    path: '/surveys/:token',
    operationId: 'answerSurvey',
    summary: 'Answer the satisfaction survey of a closed case, once',
    tags: ['surveys'],
    public: true,
    params: surveyParams,
    body: surveyAnswerBody,
    answers: { 201: { description: 'the answer was recorded', body: surveyView } },
    problems: [409],
  },
  me: {
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'Who the credentials say you are: sub, role, offices, relays (and the API key, if one was used)',
    tags: ['principals'],
    answers: { 200: { description: 'the principal', body: principalView } },
  },
  procedures: {
    method: 'get',
    path: '/procedures',
    operationId: 'listProcedures',
    summary:
      'The catalogue: each procedure with its legal basis, the JSON Schema of its start input, its task forms, its news and deadline rules',
    tags: ['catalogue'],
    answers: { 200: { description: 'procedures', body: listView(procedureView) } },
  },
  schemes: {
    method: 'get',
    path: '/schemes',
    operationId: 'listSchemes',
    summary:
      'Which wage-guarantee schemes (CIGO, CIGS, FIS, a solidarity fund) cover an employer, each with its rule and reason',
    tags: ['catalogue'],
    query: schemesQuery,
    answers: { 200: { description: 'the schemes', body: schemesView } },
    problems: [422],
  },
  offices: {
    method: 'get',
    path: '/offices',
    operationId: 'listOffices',
    summary: 'Offices with their sites, calendars, service targets and closing days',
    tags: ['offices'],
    answers: { 200: { description: 'offices', body: listView(officeView) } },
  },
  patchOffice: {
    method: 'patch',
    path: '/offices/:code',
    operationId: 'updateOffice',
    summary:
      "Change an office's service target (working days) and extra closing days (admins); used by cases opened afterwards",
    tags: ['offices'],
    roles: ADMINS,
    params: z.object({ code: z.enum(OFFICE_CODES as [string, ...string[]]) }).strict(),
    body: officePatchBody,
    answers: { 200: { description: 'the office', body: officeView } },
    problems: [422],
  },
  adminAudit: {
    method: 'get',
    path: '/admin/audit',
    operationId: 'listAdminAudit',
    summary:
      "The administrators' audit trail, newest first: changes of offices, principals, scoring rules and API keys, and payload decodes, with who, when and the request id",
    tags: ['administration'],
    roles: ADMINS,
    query: adminAuditQuery,
    answers: { 200: { description: 'entries, newest first', body: pageView(adminAuditEntry) } },
  },
  createApiKey: {
    method: 'post',
    path: '/api-keys',
    operationId: 'createApiKey',
    summary:
      'Issue an API key for a machine (admins): shown once in this answer, stored hashed; at most two active per client',
    tags: ['administration'],
    roles: ADMINS,
    body: apiKeyCreateBody,
    answers: { 201: { description: 'the key, with `key` (the only time it is shown)', body: apiKeyCreated } },
    problems: [409],
  },
  listApiKeys: {
    method: 'get',
    path: '/api-keys',
    operationId: 'listApiKeys',
    summary: 'API keys, newest first, without their secrets (admins)',
    tags: ['administration'],
    roles: ADMINS,
    query: apiKeyListQuery,
    answers: { 200: { description: 'keys', body: listView(apiKeyView) } },
  },
  revokeApiKey: {
    method: 'delete',
    path: '/api-keys/:keyId',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (admins): refused at once',
    tags: ['administration'],
    roles: ADMINS,
    params: z.object({ keyId: apiKeyIdParam }).strict(),
    query: apiKeyRevokeQuery,
    answers: { 200: { description: 'the key, revoked', body: apiKeyView } },
  },
  getPrincipal: {
    method: 'get',
    path: '/principals/:sub',
    operationId: 'getPrincipal',
    summary: 'A principal and whether its credentials are disabled (admins)',
    tags: ['administration'],
    roles: ADMINS,
    params: z.object({ sub: idParam }).strict(),
    answers: { 200: { description: 'the principal', body: principalRecordView } },
  },
  patchPrincipal: {
    method: 'patch',
    path: '/principals/:sub',
    operationId: 'updatePrincipal',
    summary:
      "Disable (revoke) or enable a principal's tokens and API keys, with the reason (admins); refused at once, whatever their expiry",
    tags: ['administration'],
    roles: ADMINS,
    params: z.object({ sub: idParam }).strict(),
    body: principalPatchBody,
    answers: { 200: { description: 'the principal', body: principalRecordView } },
    problems: [422],
  },
  codecDecode: {
    method: 'post',
    path: '/codec/decode',
    operationId: 'decodePayloads',
    summary:
      "Temporal's remote codec: decrypt payloads of the engine's history for the Temporal UI or CLI (admins; each call is audited)",
    tags: ['operations'],
    roles: ADMINS,
    headers: { 'X-Namespace': { schema: z.string().max(200), description: 'The Temporal namespace' } },
    body: codecBody,
    answers: { 200: { description: 'the payloads in clear, in the same shape', body: payloadsView } },
    problems: [422],
  },
  codecEncode: {
    method: 'post',
    path: '/codec/encode',
    operationId: 'encodePayloads',
    summary: "Temporal's remote codec: encrypt payloads with the active key (admins)",
    tags: ['operations'],
    roles: ADMINS,
    headers: { 'X-Namespace': { schema: z.string().max(200), description: 'The Temporal namespace' } },
    body: codecBody,
    answers: { 200: { description: 'the payloads encrypted, in the same shape', body: payloadsView } },
    problems: [422],
  },
  startCase: {
    method: 'post',
    path: '/cases',
    operationId: 'startCase',
    summary: 'Open a case of a procedure in an office, with its start input (JSON Schema per procedure)',
    tags: ['cases'],
    headers: idempotencyHeader,
    body: startCaseBody,
    bodyDoc: startCaseDoc,
    answers: {
      201: {
        ...caseAnswer('The new case'),
        headers: { Location: { description: 'The case', schema: { type: 'string' } } },
      },
      200: caseAnswer('The case already opened with this Idempotency-Key'),
    },
    problems: [409, 422],
  },
  listCases: {
    method: 'get',
    path: '/cases',
    operationId: 'listCases',
    summary: 'Cases in your scope, newest first',
    tags: ['cases'],
    query: listCasesQuery,
    answers: {
      200: {
        description: 'a page of cases, newest first, with the count of all the filter selects',
        body: pageView(caseSummary).extend({ total: z.int().min(0) }),
      },
    },
  },
  getCase: {
    method: 'get',
    path: '/cases/:id',
    operationId: 'getCase',
    summary: 'One case; with If-None-Match naming its ETag, 304 while it has not changed',
    tags: ['cases'],
    params: idParams,
    headers: {
      'If-None-Match': {
        schema: z.string().max(500),
        description: 'ETags already held: 304 Not Modified when the case still has one of them',
      },
    },
    answers: {
      200: caseAnswer('The case'),
      304: { description: 'Not modified since the ETag given', headers: ETAG },
    },
  },
  caseEvents: {
    method: 'get',
    path: '/cases/:id/events',
    operationId: 'listCaseEvents',
    summary: 'The audit trail of a case, oldest first',
    tags: ['cases'],
    params: idParams,
    answers: { 200: { description: 'events, oldest first', body: listView(caseEvent) } },
  },
  caseWorkers: {
    method: 'get',
    path: '/cases/:id/workers',
    operationId: 'listCaseWorkers',
    summary:
      'The workers of a collective dismissal or a CIGS case, rows of their own paged by tax code, with their total and the counts by stage',
    tags: ['cases'],
    params: idParams,
    query: listWorkersQuery,
    answers: { 200: { description: 'workers with total, byStage and nextCursor', body: workersPage } },
  },
  caseWorker: {
    method: 'get',
    path: '/cases/:id/workers/:taxCode',
    operationId: 'getCaseWorker',
    summary:
      "One worker's row: a CIGS worker's training obligations, attendance, sanctions and GOL referral; a dismissed worker's case and stage",
    tags: ['cases'],
    params: z.object({ id: idParam, taxCode: workerParam }).strict(),
    answers: { 200: { description: 'the worker', body: workerOfCase } },
  },
  caseNews: {
    method: 'post',
    path: '/cases/:id/news',
    operationId: 'postCaseNews',
    summary:
      'News from outside (the INPS decision, a decree, attendance…); each type names who may relay it (403 news-sender-not-allowed)',
    tags: ['cases'],
    params: idParams,
    headers: actionHeaders(),
    body: newsBody,
    answers: { 200: caseAnswer('The case after the news') },
    problems: [409, 412, 422],
  },
  suspendCase: lifecycle('suspend', 'Suspend a case: its terms stop running'),
  resumeCase: lifecycle('resume', 'Resume a case: its terms run again with the time they had left'),
  withdrawCase: lifecycle('withdraw', 'Withdraw a case'),
  caseRankingRow: {
    method: 'get',
    path: '/cases/:id/ranking/:applicationNo',
    operationId: 'getRankingRow',
    summary: "One application's score in an art. 16 ranking, component by component (staff in scope)",
    tags: ['art. 16 notices'],
    roles: STAFF,
    params: z.object({ id: idParam, applicationNo: idParam }).strict(),
    answers: {
      200: {
        description: 'the row, with the rule version, reference day and tie-breaks',
        body: rankingRowView,
      },
    },
  },
  notices: {
    method: 'get',
    path: '/notices',
    operationId: 'listNotices',
    summary: 'Art. 16 notices open for applications (any authenticated caller)',
    tags: ['art. 16 notices'],
    answers: { 200: { description: 'notices', body: listView(noticeView) } },
  },
  applyToNotice: noticeSubmission('applications'),
  objectToRanking: noticeSubmission('objections'),
  noticeRanking: {
    method: 'get',
    path: '/notices/:id/ranking',
    operationId: 'getNoticeRanking',
    summary:
      'The ranking of a notice as published: positions, application numbers and scores, no personal data',
    tags: ['art. 16 notices'],
    params: idParams,
    answers: { 200: { description: 'the ranking as published', body: publishedRankingView } },
  },
  clockGet: {
    method: 'get',
    path: '/dev/clock',
    operationId: 'getDemoClock',
    summary: 'The demo clock (only with CPI_DEV_CLOCK=skip npm run dev)',
    tags: ['operations'],
    answers: { 200: { description: 'now and today', body: clockView } },
  },
  clockMove: {
    method: 'post',
    path: '/dev/clock',
    operationId: 'moveDemoClock',
    summary: 'Move the demo clock forward (admins; only with CPI_DEV_CLOCK=skip npm run dev)',
    tags: ['operations'],
    roles: ADMINS,
    body: clockBody,
    answers: { 200: { description: 'now and today', body: clockView } },
  },
  scoringRules: {
    method: 'get',
    path: '/scoring-rules',
    operationId: 'listScoringRules',
    summary: 'The published versions of the art. 16 or the L. 68 scoring rule',
    tags: ['rankings'],
    query: scopeQuery,
    answers: { 200: { description: 'versions', body: scoringRulesView } },
  },
  publishScoringRule: {
    method: 'post',
    path: '/scoring-rules',
    operationId: 'publishScoringRule',
    summary: 'Publish the next version of a scoring rule, from its validFrom (admins)',
    description: `The body is an art. 16 rule (scope=art16) or an L. 68 rule (scope=l68).`,
    tags: ['rankings'],
    roles: ADMINS,
    query: scopeQuery,
    bodyDoc: {
      oneOf: [
        { title: 'art16', ...jsonSchemaOf(scoringRuleSchema) },
        { title: 'l68', ...jsonSchemaOf(l68ScoringRuleSchema) },
      ],
    },
    answers: { 201: { description: 'the published version', body: scoringRuleView } },
    problems: [409, 422],
  },
  l68Ranking: {
    method: 'get',
    path: '/l68/ranking',
    operationId: 'getL68Ranking',
    summary:
      "An L. 68 list's ranking on a day, every score component by component; reproducible for a day and rule version",
    tags: ['rankings'],
    roles: STAFF,
    query: rankingQuery,
    answers: { 200: { description: 'the ranking', body: l68RankingView } },
    problems: [404],
  },
  l68Compliance: {
    method: 'get',
    path: '/l68/compliance',
    operationId: 'getL68Compliance',
    summary: "The employers' L. 68 positions for a year: quota, coverage, 60-day term, sanctions",
    tags: ['rankings'],
    roles: STAFF,
    query: complianceQuery,
    answers: { 200: { description: 'positions', body: complianceView } },
  },
  l68Campaign: {
    method: 'post',
    path: '/l68/campaigns',
    operationId: 'openL68Campaign',
    summary:
      "Open the year's annual-return campaign now (supervisors, admins); only employers without a case get one",
    tags: ['cases'],
    roles: SUPERVISORS,
    body: campaignBody,
    answers: { 201: { description: 'the cases opened', body: campaignView } },
  },
  events: {
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary: 'The event feed of your scope, after a position',
    tags: ['events'],
    query: eventsFeedQuery,
    answers: {
      200: { description: 'events after the position, with the next one', body: pageView(feedEvent) },
    },
  },
  createSubscription: {
    method: 'post',
    path: '/subscriptions',
    operationId: 'createSubscription',
    summary:
      'Subscribe a callback URL to the events of your scope (integrators, admins): signed deliveries in feed order; the secret is shown once',
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    body: subscriptionCreateBody,
    answers: {
      201: {
        description: 'the subscription, with its signing secret (this answer only)',
        body: subscriptionWithSecret,
      },
    },
    problems: [409, 422],
  },
  listSubscriptions: {
    method: 'get',
    path: '/subscriptions',
    operationId: 'listSubscriptions',
    summary: 'Your subscriptions (an administrator sees all), newest first, without secrets',
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    answers: { 200: { description: 'the subscriptions', body: listView(subscriptionView) } },
  },
  getSubscription: {
    method: 'get',
    path: '/subscriptions/:id',
    operationId: 'getSubscription',
    summary:
      'A subscription: filters, where delivery stands (cursor, delivered, parked), its secrets without values',
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    params: subscriptionParams,
    answers: { 200: { description: 'the subscription', body: subscriptionView } },
  },
  deleteSubscription: {
    method: 'delete',
    path: '/subscriptions/:id',
    operationId: 'deleteSubscription',
    summary: 'Delete a subscription: its dispatcher stops; nothing more is sent',
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    params: subscriptionParams,
    answers: { 204: { description: 'deleted' } },
  },
  rotateSubscriptionSecret: {
    method: 'post',
    path: '/subscriptions/:id/secrets',
    operationId: 'rotateSubscriptionSecret',
    summary:
      'A new signing secret (shown once); the previous one keeps signing alongside for `overlapHours` (default 24), older ones end',
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    params: subscriptionParams,
    body: rotateSecretBody,
    answers: {
      201: {
        description: 'the subscription, with the new secret (this answer only)',
        body: subscriptionWithSecret,
      },
    },
  },
  listDeliveries: {
    method: 'get',
    path: '/subscriptions/:id/deliveries',
    operationId: 'listDeliveries',
    summary: "A subscription's deliveries in feed order, each with its attempts (status, error, duration)",
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    params: subscriptionParams,
    query: deliveriesQuery,
    answers: { 200: { description: 'deliveries after the cursor', body: deliveriesPage } },
  },
  redeliver: {
    method: 'post',
    path: '/subscriptions/:id/redeliver',
    operationId: 'redeliver',
    summary:
      'Deliver again from a feed position (inclusive), in order, with the same webhook-id per event; un-parks a parked subscription',
    tags: ['subscriptions'],
    roles: SUBSCRIBERS,
    params: subscriptionParams,
    body: redeliverBody,
    answers: {
      202: { description: 'accepted: the dispatcher starts again from there', body: subscriptionView },
    },
  },
  tasks: {
    method: 'get',
    path: '/tasks',
    operationId: 'listTasks',
    summary: 'Your inbox: mine, available, overdue, escalated, all',
    tags: ['tasks'],
    roles: STAFF,
    query: listTasksQuery,
    problems: [422],
    answers: {
      200: {
        description: 'a page of tasks, with the count of the whole view',
        body: pageView(inboxTask).extend({ total: z.int().min(0) }),
      },
    },
  },
  task: {
    method: 'get',
    path: '/tasks/:id',
    operationId: 'getTask',
    summary: 'One task',
    tags: ['tasks'],
    roles: STAFF,
    params: taskParams,
    answers: { 200: { description: 'the task', body: inboxTask } },
  },
  claimTask: {
    method: 'post',
    path: '/tasks/:id/claim',
    operationId: 'claimTask',
    summary: 'Claim a task',
    tags: ['tasks'],
    roles: STAFF,
    params: taskParams,
    headers: actionHeaders(),
    answers: { 200: caseAnswer('The case after the claim') },
    problems: [409, 412],
  },
  completeTask: {
    method: 'post',
    path: '/tasks/:id/complete',
    operationId: 'completeTask',
    summary: "Complete a task with an outcome and its form data (JSON Schema in the procedure's catalogue)",
    tags: ['tasks'],
    roles: STAFF,
    params: taskParams,
    headers: actionHeaders(),
    body: completeTaskBody,
    answers: { 200: caseAnswer('The case after the completion') },
    problems: [409, 412, 422],
  },
  releaseTask: {
    method: 'post',
    path: '/tasks/:id/release',
    operationId: 'releaseTask',
    summary:
      "Release a claimed task back to the office's pool (its assignee, e.g. claimed by mistake; or a supervisor)",
    tags: ['tasks'],
    roles: STAFF,
    params: taskParams,
    headers: actionHeaders(),
    body: reasonBody,
    answers: { 200: caseAnswer('The case after the release') },
    problems: [409, 412],
  },
  reassignTask: {
    method: 'post',
    path: '/tasks/:id/reassign',
    operationId: 'reassignTask',
    summary: 'Reassign a task to an officer or back to the pool (supervisors)',
    tags: ['tasks'],
    roles: SUPERVISORS,
    params: taskParams,
    headers: actionHeaders(),
    body: reassignTaskBody,
    answers: { 200: caseAnswer('The case after the reassignment') },
    problems: [409, 412],
  },
  analyticsAttainment: analyticsRoute(
    'attainment',
    'getAttainment',
    'Share of tasks completed within the service target and of legal terms met: last 30 days (overall and by procedure) and by month',
    attainmentView,
  ),
  analyticsLeadTimes: analyticsRoute(
    'lead-times',
    'getLeadTimes',
    'Lead time of the cases closed in the months asked, per procedure: p50 and p90 in working days, net of suspensions',
    leadTimesView,
  ),
  analyticsBacklog: analyticsRoute(
    'backlog',
    'getBacklog',
    'The backlog as it stands: open cases by procedure and step and by age, open, overdue and escalated tasks, workload per officer',
    backlogView,
    analyticsQuery.pick({ office: true }),
  ),
  analyticsSatisfaction: analyticsRoute(
    'satisfaction',
    'getSatisfaction',
    'Answers to the satisfaction survey of closed cases (1–5), per procedure',
    satisfactionView,
  ),
  analyticsExport: {
    method: 'get',
    path: '/analytics/export',
    operationId: 'exportAnalytics',
    summary: 'One table of the dashboard as CSV (UTF-8, comma-separated, a header row)',
    tags: ['analytics'],
    roles: ANALYTICS_ROLES,
    query: exportQuery,
    problems: [422],
    answers: {
      200: {
        description: 'the table as CSV, as an attachment',
        contentType: 'text/csv',
        schema: { type: 'string' },
      },
    },
  },
  workload: {
    method: 'get',
    path: '/workload',
    operationId: 'getWorkload',
    summary: 'Open, suspended and overdue cases; open, overdue and escalated tasks by assignee, per office',
    tags: ['supervision'],
    roles: SUPERVISORS,
    answers: { 200: { description: 'per office', body: workloadView } },
  },
} satisfies Record<string, RouteSpec>;

/**
 * Every route of the table declared, optional ones included (the demo clock, the codec): the document the client
 * is generated from (scripts/client.ts). A server with every part mounted serves the same paths.
 */
export function declaredRoutes(): RouteTable {
  const table = new RouteTable();
  for (const spec of Object.values(ROUTES) as RouteSpec[]) table.declare(spec.public ? '' : '/v1', spec);
  return table;
}
