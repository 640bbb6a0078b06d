/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (style.md §5). OpenAPI 3.1
 * uses JSON Schema 2020-12, which zod 4 emits natively, so no converter library is needed.
 */
import type { ZodType } from 'zod';
import { z } from 'zod';
import { PROCEDURES } from '../domain/catalogue';
import { applicationNews, objectionNews, scoringRuleSchema } from '../domain/procedures/public-hiring';
import { l68ScoringRuleSchema } from '../domain/procedures/l68-ranking';
import { apiKeyCreateBody, apiKeyListQuery, apiKeyRevokeQuery } from './api-keys';
import { codecBody } from './codec-routes';
import { campaignBody, complianceQuery, rankingQuery, scopeQuery } from './l68-routes';
import {
  completeTaskBody,
  eventsFeedQuery,
  listCasesQuery,
  listTasksQuery,
  newsBody,
  officePatchBody,
  principalPatchBody,
  adminAuditQuery,
  reasonBody,
  reassignTaskBody,
  schemesQuery,
  startCaseBody,
} from './contracts';

type Json = Record<string, unknown>;

const schema = (s: ZodType, io: 'input' | 'output' = 'input'): Json =>
  z.toJSONSchema(s, { unrepresentable: 'any', io, target: 'draft-2020-12' });

const problem = { $ref: '#/components/responses/Problem' };
const errors = {
  '400': problem,
  '401': problem,
  '403': problem,
  '404': problem,
  '409': problem,
  '422': problem,
};

function queryParams(s: z.ZodObject): Json[] {
  const js = schema(s) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, prop]) => ({
    name,
    in: 'query',
    required: (js.required ?? []).includes(name) && !('default' in prop),
    schema: prop,
  }));
}

const idPath = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const body = (s: ZodType): Json => ({
  required: true,
  content: { 'application/json': { schema: schema(s) } },
});
const ok = (description: string, ref = '#/components/schemas/Case'): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: ref } } },
});
const caseAction = (summary: string, b: ZodType): Json => ({
  post: {
    summary,
    parameters: [idPath('id')],
    requestBody: body(b),
    responses: { '200': ok('The case after the action'), ...errors },
  },
});

export function buildOpenApi(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: "CPI casework API (Centri per l'Impiego)",
      version: '1.0.0',
      description:
        'Cases of Italian public employment offices run as durable workflows. Every endpoint but /healthz, /readyz ' +
        'and /openapi.json needs `Authorization: Bearer <JWT>` (HS256; claims sub, role, offices). Errors are RFC 9457 ' +
        'problem details with the failing field paths in `errors`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'HS256 JWT with sub, role, offices, iat, exp, iss and aud (JWT_ISSUER, JWT_AUDIENCE), and for an integrator the relays whose news it may send; at most JWT_MAX_LIFETIME_HOURS from iat to exp',
        },
      },
      responses: {
        Problem: {
          description: 'A problem (RFC 9457)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
        Case: {
          type: 'object',
          description:
            'A case: status, step, parties, tasks, deadlines with their legal basis, documents, decisions, checks, outcome.',
          required: ['caseId', 'procedure', 'office', 'status', 'step', 'tasks', 'deadlines', 'version'],
          properties: {
            caseId: { type: 'string' },
            procedure: { type: 'string' },
            office: { type: 'string' },
            status: { enum: ['open', 'suspended', 'closed', 'withdrawn'] },
            step: { type: 'string' },
            outcome: { type: ['string', 'null'] },
            tasks: { type: 'array', items: { type: 'object' } },
            deadlines: { type: 'array', items: { type: 'object' } },
            version: { type: 'integer' },
          },
        },
        ...Object.fromEntries(PROCEDURES.map((p) => [`${p.code}StartInput`, schema(p.startSchema)])),
      },
    },
    paths: {
      '/healthz': {
        get: { summary: 'The process is up', security: [], responses: { '200': { description: 'up' } } },
      },
      '/readyz': {
        get: {
          summary: 'Temporal and the database are reachable',
          security: [],
          responses: { '200': { description: 'ready' }, '503': problem },
        },
      },
      '/v1/procedures': {
        get: {
          summary: 'Catalogue: procedures with the JSON Schemas of their inputs, task forms and news',
          responses: { '200': { description: 'catalogue' }, ...errors },
        },
      },
      '/v1/schemes': {
        get: {
          summary:
            'Which wage-guarantee schemes (CIGO, CIGS, FIS, a solidarity fund) cover an employer, each with its rule',
          parameters: queryParams(schemesQuery),
          responses: { '200': { description: 'one verdict per scheme' }, ...errors },
        },
      },
      '/v1/scoring-rules': {
        get: {
          summary: 'Published versions of a scoring rule (scope art16 or l68), oldest first',
          parameters: queryParams(scopeQuery),
          responses: { '200': { description: 'versions' }, ...errors },
        },
        post: {
          summary:
            'Publish the next version of a scoring rule (admins): the art. 16 rule, or with ?scope=l68 the L. 68 rule; ' +
            'rankings use the version in force on their day',
          parameters: queryParams(scopeQuery),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [schema(scoringRuleSchema), schema(l68ScoringRuleSchema)] },
              },
            },
          },
          responses: { '201': { description: 'the published version' }, ...errors },
        },
      },
      '/v1/l68/ranking': {
        get: {
          summary:
            'The ranking of an L. 68 list on a day, every score explained component by component (staff); the same day ' +
            'and rule version always give the same rows',
          parameters: queryParams(rankingQuery),
          responses: { '200': { description: 'the ranking' }, ...errors },
        },
      },
      '/v1/l68/compliance': {
        get: {
          summary:
            "Employers' L. 68 positions for a year: quota, coverage, 60-day term, sanctions reported and accruing (staff)",
          parameters: queryParams(complianceQuery),
          responses: { '200': { description: 'one row per employer' }, ...errors },
        },
      },
      '/v1/l68/campaigns': {
        post: {
          summary:
            "Open the year's annual-return campaign now (supervisors, admins); a schedule does it every January",
          requestBody: body(campaignBody),
          responses: { '201': { description: 'the cases opened' }, ...errors },
        },
      },
      '/v1/notices': {
        get: {
          summary: 'Art. 16 notices open for applications',
          responses: { '200': { description: 'open notices' }, ...errors },
        },
      },
      '/v1/notices/{id}/applications': {
        post: {
          summary: 'Apply to an art. 16 notice (candidate portal or office); one application per person',
          parameters: [idPath('id')],
          requestBody: body(applicationNews),
          responses: {
            '202': { description: 'the application number and whether it was admitted' },
            ...errors,
          },
        },
      },
      '/v1/notices/{id}/objections': {
        post: {
          summary: 'Object to the provisional ranking within its window',
          parameters: [idPath('id')],
          requestBody: body(objectionNews),
          responses: { '202': { description: 'received' }, ...errors },
        },
      },
      '/v1/notices/{id}/ranking': {
        get: {
          summary: 'The ranking as published: positions, application numbers and scores, no personal data',
          parameters: [idPath('id')],
          responses: { '200': { description: 'the ranking' }, ...errors },
        },
      },
      '/v1/cases/{id}/ranking/{applicationNo}': {
        get: {
          summary:
            "One application's score, component by component, with the rule version and tie-breaks (staff)",
          parameters: [idPath('id'), idPath('applicationNo')],
          responses: { '200': { description: 'the row' }, ...errors },
        },
      },
      '/v1/offices': {
        get: {
          summary: 'Offices with their sites, calendars, service targets and extra closing days',
          responses: { '200': { description: 'offices' }, ...errors },
        },
      },
      '/v1/offices/{code}': {
        patch: {
          summary: "Change an office's service target or extra closing days (admins)",
          parameters: [idPath('code')],
          requestBody: body(officePatchBody),
          responses: { '200': { description: 'the office' }, ...errors },
        },
      },
      '/v1/admin/audit': {
        get: {
          summary:
            "The administrators' audit trail, newest first: every change of offices, principals and scoring rules, with who, when and the request id",
          parameters: queryParams(adminAuditQuery),
          responses: { '200': { description: 'changes with nextCursor' }, ...errors },
        },
      },
      '/v1/api-keys': {
        post: {
          summary:
            'Issue an API key for a machine (admins): shown once in this answer, stored hashed; at most two active per client',
          requestBody: body(apiKeyCreateBody),
          responses: { '201': { description: 'the key, with `key` (the only time it is shown)' }, ...errors },
        },
        get: {
          summary: 'API keys, newest first, without their secrets (admins)',
          parameters: queryParams(apiKeyListQuery),
          responses: { '200': { description: 'keys' }, ...errors },
        },
      },
      '/v1/api-keys/{keyId}': {
        delete: {
          summary: 'Revoke an API key (admins): refused at once',
          parameters: [idPath('keyId'), ...queryParams(apiKeyRevokeQuery)],
          responses: { '200': { description: 'the key, revoked' }, ...errors },
        },
      },
      '/v1/codec/decode': {
        post: {
          summary:
            "Temporal's remote codec: decrypt payloads of the engine's history for the Temporal UI or CLI (admins; each call is audited)",
          parameters: [{ name: 'X-Namespace', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: body(codecBody),
          responses: { '200': { description: 'the payloads in clear, in the same shape' }, ...errors },
        },
      },
      '/v1/codec/encode': {
        post: {
          summary: "Temporal's remote codec: encrypt payloads with the active key (admins)",
          requestBody: body(codecBody),
          responses: { '200': { description: 'the payloads encrypted, in the same shape' }, ...errors },
        },
      },
      '/v1/principals/{sub}': {
        get: {
          summary: 'A principal and whether its tokens are disabled (admins)',
          parameters: [idPath('sub')],
          responses: { '200': { description: 'the principal' }, ...errors },
        },
        patch: {
          summary:
            "Disable (revoke) or enable a principal's tokens, with the reason (admins); refused at once, whatever their expiry",
          parameters: [idPath('sub')],
          requestBody: body(principalPatchBody),
          responses: { '200': { description: 'the principal' }, ...errors },
        },
      },
      '/v1/cases': {
        post: {
          summary: 'Open a case',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', maxLength: 200 },
            },
          ],
          requestBody: body(startCaseBody),
          responses: {
            '201': ok('The new case (Location header)'),
            '200': ok('The case already opened with this Idempotency-Key'),
            ...errors,
          },
        },
        get: {
          summary: 'List cases in your scope',
          parameters: queryParams(listCasesQuery),
          responses: { '200': { description: 'a page of cases with nextCursor' }, ...errors },
        },
      },
      '/v1/cases/{id}': {
        get: {
          summary: 'One case',
          parameters: [idPath('id')],
          responses: { '200': ok('The case'), ...errors },
        },
      },
      '/v1/cases/{id}/events': {
        get: {
          summary: 'The audit trail of a case, oldest first',
          parameters: [idPath('id')],
          responses: { '200': { description: 'events' }, ...errors },
        },
      },
      '/v1/cases/{id}/workers': {
        get: {
          summary:
            'The workers of a collective dismissal or a CIGS case, rows of their own paged by tax code (stage, limit, cursor), ' +
            "with their total and the counts by stage: a dismissed worker's stage in their own case, a CIGS worker's status " +
            'with obligations, absences and sanctions in short',
          parameters: [
            idPath('id'),
            { name: 'stage', in: 'query', required: false, schema: { type: 'string', maxLength: 64 } },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 500 },
            },
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'workers' }, ...errors },
        },
      },
      '/v1/cases/{id}/workers/{taxCode}': {
        get: {
          summary:
            "One worker's row: for a CIGS worker the training obligations, attendance, sanctions and GOL referral; for a dismissed worker their case and stage",
          parameters: [idPath('id'), idPath('taxCode')],
          responses: { '200': { description: 'the worker' }, ...errors },
        },
      },
      '/v1/cases/{id}/news': caseAction('News from an outside body (e.g. the INPS decision)', newsBody),
      '/v1/cases/{id}/suspend': caseAction('Suspend a case: its terms stop running', reasonBody),
      '/v1/cases/{id}/resume': caseAction(
        'Resume a case: its terms run again with the time they had left',
        reasonBody,
      ),
      '/v1/cases/{id}/withdraw': caseAction('Withdraw a case', reasonBody),
      '/v1/events': {
        get: {
          summary: 'The event feed of your scope, after a cursor',
          parameters: queryParams(eventsFeedQuery),
          responses: { '200': { description: 'events with nextCursor' }, ...errors },
        },
      },
      '/v1/tasks': {
        get: {
          summary: 'Your inbox: mine, available, overdue, escalated',
          parameters: queryParams(listTasksQuery),
          responses: { '200': { description: 'tasks' }, ...errors },
        },
      },
      '/v1/tasks/{id}/claim': {
        post: {
          summary: 'Claim a task',
          parameters: [idPath('id')],
          responses: { '200': ok('The case'), ...errors },
        },
      },
      '/v1/tasks/{id}/complete': caseAction(
        'Complete a task with an outcome and its form data',
        completeTaskBody,
      ),
      '/v1/tasks/{id}/reassign': caseAction('Reassign a task (supervisors)', reassignTaskBody),
      '/v1/workload': {
        get: {
          summary: 'Workload of your offices (supervisors)',
          responses: { '200': { description: 'workload' }, ...errors },
        },
      },
    },
  };
}
