/**
 * The Express app factory (style.md §4): auth → zod validation → use case → problem+json errors.
 * `api/server.ts` only parses the config, connects, listens and shuts down.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import mongoose from 'mongoose';
import type { ZodType } from 'zod';
import { z } from 'zod';
import type { CaseView } from '../domain/case-model';
import { PROCEDURES } from '../domain/catalogue';
import { addDays, endOfRomeDay, romeDate } from '../domain/dates';
import { OFFICES } from '../domain/offices';
import { stepCode } from '../domain/codes';
import type { CigsWorker } from '../domain/procedures/cigs';
import type { Ranking } from '../domain/procedures/public-hiring';
import {
  ART16_CODE,
  applicationNews,
  objectionNews,
  publicRanking,
  scoringRuleSchema,
} from '../domain/procedures/public-hiring';
import { schemesFor } from '../domain/procedures/wage-guarantee';
import { l68ScoringRuleSchema } from '../domain/procedures/l68-ranking';
import type { Db, MemberDoc, OfficeDoc, PrincipalDoc } from '../platform/db';
import { longRead } from '../platform/db';
import { publishScoringRule, scoringRules } from '../platform/queries';
import { feedEnd, positionKey } from '../platform/feed';
import type { AppLogger } from '../platform/logger';
import {
  claimTaskUpdate,
  completeTaskUpdate,
  newsUpdate,
  reassignTaskUpdate,
  releaseTaskUpdate,
  resumeUpdate,
  suspendUpdate,
  withdrawUpdate,
} from '../workflows/messages';
import type { TokenPolicy } from './auth';
import { PrincipalStatus, authenticate, principalOf, relaysOf, requireRole, scopeFilter } from './auth';
import {
  clockBody,
  completeTaskBody,
  eventsFeedQuery,
  idParam,
  idempotencyKey,
  listCasesQuery,
  listTasksQuery,
  type TaskSort,
  listWorkersQuery,
  newsBody,
  officePatchBody,
  principalPatchBody,
  adminAuditQuery,
  reasonBody,
  reassignTaskBody,
  schemesQuery,
  startCaseBody,
  workerParam,
} from './contracts';
import type { ApiKeyDoc } from './api-keys';
import {
  ApiKeys,
  apiKeyCreateBody,
  apiKeyIdParam,
  apiKeyListQuery,
  apiKeyRevokeQuery,
  apiKeyView,
} from './api-keys';
import type { CodecRoutes } from './codec-routes';
import { mountCodecCors, mountCodecRoutes } from './codec-routes';
import { mountL68Routes, scopeQuery } from './l68-routes';
import { mountSubscriptionRoutes } from './subscriptions';
import { mountAnalyticsRoutes } from './analytics';
import { mountSurveyRoutes } from './surveys';
import type { DevPrincipal } from './console';
import { mountConsole } from './console';
import type { UrlPolicy } from '../platform/webhooks';
import type { PayloadKeys } from '../platform/payload-codec';
import { buildOpenApi } from './openapi';
import type { RouteSpec } from './route-table';
import { RouteTable } from './route-table';
import { ROUTES } from './routes';
import { HttpProblem, parse, problemFromDomain, problemFromInfrastructure, problems } from './problem';
import { RateLimiter } from '../platform/rate-limit';
import { CaseService, actorOf, caseFromDoc, taskFromDoc } from './service';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** What a bearer token must satisfy. */
  tokens: TokenPolicy;
  logger: AppLogger;
  bodyLimit?: string;
  updateTimeoutMs?: number;
  /** Express's `trust proxy`: which proxies may name the client address (the limits count per address). */
  trustProxy?: string;
  /** Abuse limits, per minute (defaults: 30 failed authentications per address, 60 applications per principal). */
  limits?: { authFailuresPerMinute?: number; applicationsPerMinute?: number };
  /** The Temporal UI, for each case's link to its workflow (`TEMPORAL_UI_URL`). */
  temporalUi?: { baseUrl: string; namespace: string };
  /** The API's own tests: every JSON answer is checked against its route's declared body (a mismatch is a 500). */
  checkAnswers?: boolean;
  /** The payload codec, when Temporal payloads are encrypted: served to administrators at /v1/codec. */
  codec?: CodecRoutes;
  /** Only in the demo-clock mode of `npm run dev`: a Temporal whose time an administrator moves forward. */
  devClock?: DevClock;
  /** Cases start with their search attributes (registered on the server). */
  searchAttributes?: boolean;
  /** Webhook subscriptions: which callback URLs are accepted, and the keys that seal their secrets. */
  webhooks?: { urls: UrlPolicy; payloadKeys?: PayloadKeys };
  /** Only in `npm run dev`: the demo principals the console's sign-in page offers, with their tokens. */
  devPrincipals?: DevPrincipal[];
}

/** A clock that can be moved forward (a time-skipping Temporal server); never wired in production. */
export interface DevClock {
  now(): Promise<number>;
  advance(ms: number): Promise<void>;
}

function param(req: Request, name: string): string {
  return parse(idParam, req.params[name], [name]);
}

/**
 * The case a task belongs to, from the task's id (`<caseId>.T<n>`): task actions go straight to the case, whose
 * workflow checks the caller's scope and the task. An id of another shape names no task.
 */
function caseIdOfTask(taskId: string): string {
  const m = /^(.+)\.T\d+$/.exec(taskId);
  if (!m?.[1]) throw problems.notFound(`Task ${taskId}`);
  return m[1];
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>CPI casework API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="api"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api', deepLinking: true });
    </script>
  </body>
</html>
`;

/** A case's entity tag: its version, which every change of the case raises (the public view has its own). */
function caseEtag(view: { version: number }, publicView: boolean): string {
  return `"v${view.version}${publicView ? '-public' : ''}"`;
}

/** Whether an `If-None-Match` header names the tag (or `*`). */
function etagMatches(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const x = t.trim();
    return x === '*' || x === tag || x === `W/${tag}`;
  });
}

/**
 * One page of a list read as `limit + 1` rows (the extra row tells whether more follow): the first `limit` rows and
 * the cursor after the last of them (its key, whose shape each list's query schema checks), or null at the end.
 */
function pageOf<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => string,
): { page: T[]; nextCursor: string | null; hasMore: boolean } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const hasMore = rows.length > limit;
  return { page, nextCursor: hasMore && last ? keyOf(last) : null, hasMore };
}

const STAFF = ['officer', 'supervisor', 'admin'] as const;

/** The inbox's orders: sort keys, the last always the task id, so that every row has one place. */
const TASK_SORT_KEYS: Record<TaskSort, string[]> = {
  target: ['targetAt', 'dueKey', '_id'],
  due: ['dueKey', 'targetAt', '_id'],
  priority: ['priorityKey', 'targetAt', '_id'],
  id: ['_id'],
};

/** A row's value of a sort key (every key is a string; a row written before the keys existed has none). */
function sortValue(row: object, key: string): string {
  const v = (row as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : '';
}

/** A page boundary on several keys: the row's values, opaque to the caller (base64url of a JSON list). */
function encodeKeyCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

function decodeKeyCursor(cursor: string, n: number): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === n && values.every((v) => typeof v === 'string'))
      return values;
  } catch {
    // not one of ours: refused below
  }
  // Well formed, but not a boundary of this list: refused by the rule that a cursor comes from the same list.
  throw problems.refused('cursor-not-of-this-list', 'The cursor is not one this list gave for this sort.', {
    errors: [{ path: 'cursor', message: 'the nextCursor of a previous page of the same sort' }],
  });
}

/** The rows after a boundary in the order of `keys`: (a > a0) or (a = a0 and b > b0) or … */
function afterKeys(keys: string[], values: string[]): Record<string, unknown>[] {
  return keys.map((key, i) => ({
    ...Object.fromEntries(keys.slice(0, i).map((k, j) => [k, values[j]])),
    [key]: { $gt: values[i] },
  }));
}

/** A step with its stable code (domain/codes.ts), for labels in any language. */
function codedStep(step: string): { stepCode: string; stepParams: string[] } {
  const { code, params } = stepCode(step);
  return { stepCode: code, stepParams: params };
}

function clockNow(clock: DevClock | undefined): Promise<number> {
  return clock ? clock.now() : Promise.resolve(Date.now());
}

export function createApp(deps: AppDeps): express.Express {
  const service = new CaseService({
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    ...(deps.searchAttributes ? { searchAttributes: true } : {}),
    ...(deps.updateTimeoutMs !== undefined ? { updateTimeoutMs: deps.updateTimeoutMs } : {}),
  });
  /** The caller's Idempotency-Key header, validated, if sent. */
  const idempotencyKeyOf = (req: Request): string | undefined => {
    const raw = req.header('idempotency-key');
    return raw === undefined ? undefined : parse(idempotencyKey, raw, ['Idempotency-Key']);
  };
  /** The key that names an action's Update, so that a retried action is applied once. */
  const requestKey = (req: Request): string | undefined => {
    const key = idempotencyKeyOf(req);
    return key === undefined ? undefined : `${principalOf(req).sub} ${req.method} ${req.path} ${key}`;
  };
  /** The case version an action must find (`If-Match: "v<version>"`), if the caller sent one. */
  const ifMatchOf = (req: Request): number | undefined => {
    const raw = req.header('if-match');
    if (raw === undefined || raw.trim() === '*') return undefined;
    const m = /^\s*(?:W\/)?"v([0-9]{1,9})(?:-public)?"\s*$/.exec(raw);
    // A tag that is not one of ours matches no version (RFC 9110 §13.1.1): refused with 412.
    return m?.[1] ? Number(m[1]) : -1;
  };
  /** An action's answer: the case after it, with its new ETag. */
  /** A case as answered: with its links (itself, its audit trail, and its workflow in the Temporal UI if configured). */
  const linked = (
    view: CaseView,
  ): CaseView & { links: Record<string, string>; stepCode: string; stepParams: string[] } => ({
    ...view,
    ...codedStep(view.step),
    links: {
      self: `/v1/cases/${view.caseId}`,
      events: `/v1/cases/${view.caseId}/events`,
      ...(deps.temporalUi
        ? {
            temporal: `${deps.temporalUi.baseUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.temporalUi.namespace)}/workflows/${encodeURIComponent(view.caseId)}`,
          }
        : {}),
    },
  });
  const sendCase = (res: Response, view: CaseView): void => {
    res.setHeader('ETag', caseEtag(view, false));
    res.json(linked(view));
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (deps.trustProxy !== undefined) {
    const hops = Number(deps.trustProxy);
    app.set('trust proxy', Number.isInteger(hops) ? hops : deps.trustProxy);
  }

  // Request id and access log.
  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    req.id = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    req.log = deps.logger.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info('request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
      });
    });
    next();
  });
  const JSON_TYPES = ['application/json', 'application/*+json'];
  app.use((req, _res, next) => {
    // A body that is not JSON is refused as such, rather than read as an empty object.
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(JSON_TYPES)) {
      throw new HttpProblem(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        'Send the body as application/json.',
      );
    }
    next();
  });
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb', type: JSON_TYPES }));

  const table = new RouteTable({ checkAnswers: deps.checkAnswers === true });
  // ---- public ----
  table.add(app, '', ROUTES.healthz, (_req, res) => {
    res.json({ status: 'ok' });
  });
  table.add(app, '', ROUTES.readyz, async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await deps.temporal.workflowService.getSystemInfo({});
      checks.temporal = 'ok';
    } catch {
      checks.temporal = 'unreachable';
    }
    try {
      await deps.db.connection.db?.admin().ping();
      checks.database = deps.db.connection.db ? 'ok' : 'unreachable';
    } catch {
      checks.database = 'unreachable';
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    if (!ready) throw problems.unavailable(`Not ready: ${JSON.stringify(checks)}`);
    res.json({ status: 'ready', checks });
  });
  // Rendered from the route table once every route is in it (at the first request).
  let openapi: Record<string, unknown> | undefined;
  // The reference page: Swagger UI's own files, and a page that points it at the document.
  app.use(
    '/docs/assets',
    express.static(path.dirname(require.resolve('swagger-ui-dist/package.json')), { index: false }),
  );
  table.add(app, '', ROUTES.docs, (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  table.add(app, '', ROUTES.openapi, (_req, res) => {
    openapi ??= buildOpenApi(table);
    res.json(openapi);
  });

  if (deps.codec) mountCodecCors(app, deps.codec);

  // The satisfaction survey of closed cases: its link is its only credential.
  mountSurveyRoutes(
    table,
    app,
    { get: ROUTES.survey, answer: ROUTES.answerSurvey },
    { db: deps.db, now: () => clockNow(deps.devClock) },
  );
  // The officers' and supervisors' console: static files, same origin; every figure it shows comes from /v1.
  mountConsole(app, table, ROUTES.devPrincipals, {
    devPrincipals: deps.devPrincipals,
    temporalUi: deps.temporalUi,
    devClock: deps.devClock !== undefined,
  });

  // ---- everything below needs a token ----
  const v1 = express.Router();
  const on = (spec: RouteSpec, handler: RequestHandler, before?: RequestHandler): void =>
    table.add(v1, '/v1', spec, handler, before);
  // Disabled principals are refused at once here, within seconds in other API processes.
  const principalStatus = new PrincipalStatus(async (sub) => {
    const doc = await deps.db.principals.findById(sub, { disabled: 1 }).lean();
    return doc?.disabled === true;
  });
  // Failed authentications are limited per client address (429 with Retry-After): guessing tokens gets slow.
  const authFailures = new RateLimiter(deps.db, 'auth-failures', deps.limits?.authFailuresPerMinute ?? 30);
  const apiKeys = new ApiKeys(deps.db.connection.collection<ApiKeyDoc>('api_keys'));
  const checkToken = authenticate(deps.tokens, principalStatus, apiKeys);
  v1.use(async (req, res, next) => {
    const ip = req.ip ?? 'unknown';
    const wait = await authFailures.blocked(ip);
    if (wait > 0) throw tooMany('authentication failures from this address', wait);
    try {
      await checkToken(req, res, next);
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 401) await authFailures.hit(ip);
      throw err;
    }
  });

  on(ROUTES.me, (req, res) => {
    res.json(principalOf(req));
  });

  on(ROUTES.procedures, (_req, res) => {
    res.json({
      items: PROCEDURES.map((p) => ({
        code: p.code,
        version: p.version,
        title: p.title,
        legalBasis: p.legalBasis,
        description: p.description,
        startInput: z.toJSONSchema(p.startSchema, { unrepresentable: 'any', io: 'input' }),
        tasks: Object.values(p.tasks).map((t) => ({
          key: t.key,
          title: t.title,
          candidateRole: t.candidateRole,
          outcomes: Object.entries(t.outcomes).map(([name, o]) => ({
            outcome: name,
            title: o.title,
            data: z.toJSONSchema(o.schema, { unrepresentable: 'any', io: 'input' }),
          })),
        })),
        news: Object.values(p.news).map((n) => ({
          type: n.type,
          title: n.title,
          from: n.from,
          data: z.toJSONSchema(n.schema, { unrepresentable: 'any', io: 'input' }),
        })),
        deadlineRules: p.deadlineRules,
      })),
    });
  });

  const officeView = (doc: OfficeDoc): Record<string, unknown> => {
    const { _id, ...rest } = doc;
    return { code: _id, closingDays: [], ...rest };
  };

  // Which wage-guarantee schemes cover an employer: the same rules refuse a start under the wrong one.
  on(ROUTES.schemes, (req, res) => {
    const q = parse(schemesQuery, req.query);
    const on = q.on ?? romeDate(Date.now());
    res.json({
      on,
      employer: { sector: q.sector, averageEmployees: q.averageEmployees, solidarityFund: q.solidarityFund },
      items: schemesFor(
        {
          taxCode: '00000000000',
          name: '-',
          sector: q.sector,
          averageEmployees: q.averageEmployees,
          solidarityFund: q.solidarityFund,
        },
        on,
      ),
    });
  });

  on(ROUTES.offices, async (_req, res) => {
    const docs = await deps.db.offices.find().sort({ _id: 1 }).lean();
    res.json({ items: docs.map(officeView) });
  });

  // Administrators tune an office: its service target and extra closing days. Cases opened afterwards use them.
  on(ROUTES.patchOffice, async (req, res) => {
    requireRole(req, ['admin'], 'change an office');
    const code = param(req, 'code');
    if (!OFFICES.some((o) => o.code === code)) throw problems.notFound(`Office ${code}`);
    const body = parse(officePatchBody, req.body);
    const set: Record<string, unknown> = {};
    if (body.serviceTargetWorkingDays !== undefined)
      set.serviceTargetWorkingDays = body.serviceTargetWorkingDays;
    if (body.closingDays !== undefined) set.closingDays = [...new Set(body.closingDays)].sort();
    await deps.db.offices.updateOne({ _id: code }, { $set: set });
    await audit(req, 'office-changed', code, set);
    const doc = await deps.db.offices.findById(code).lean();
    if (!doc) throw problems.notFound(`Office ${code}`);
    req.log.info('office changed', { office: code, changed: Object.keys(set) });
    res.json(officeView(doc));
  });

  // ---- the administrators' audit trail: every change of offices, principals and scoring rules ----
  const adminAudit = deps.db.connection.collection<AdminAuditRow>('admin_audit');
  const audit = async (req: Request, action: string, target: string, details: Record<string, unknown>) => {
    const p = principalOf(req);
    await adminAudit.insertOne({
      at: new Date().toISOString(),
      actor: { sub: p.sub, role: p.role },
      action,
      target,
      details,
      requestId: String(req.id),
    });
  };
  if (deps.codec)
    mountCodecRoutes(
      on,
      { decode: ROUTES.codecDecode, encode: ROUTES.codecEncode },
      { ...deps.codec, audit },
    );
  on(ROUTES.adminAudit, async (req, res) => {
    requireRole(req, ['admin'], 'read the administrators’ audit trail');
    const q = parse(adminAuditQuery, req.query);
    const after = q.cursor;
    const rows = await adminAudit
      .find(after ? { _id: { $lt: new mongoose.Types.ObjectId(after) } } : {})
      .sort({ _id: -1 })
      .limit(q.limit + 1)
      .batchSize(q.limit + 2)
      .toArray();
    const { page, nextCursor, hasMore } = pageOf(rows, q.limit, (r) => String(r._id));
    res.json({ items: page.map(({ _id, ...r }) => r), nextCursor, hasMore });
  });

  // ---- API keys: machines' credentials, issued and revoked by administrators ----
  on(ROUTES.createApiKey, async (req, res) => {
    const admin = requireRole(req, ['admin'], 'issue API keys');
    const body = parse(apiKeyCreateBody, req.body);
    const { doc, key } = await apiKeys.create(body, admin.sub);
    await audit(req, 'api-key-created', doc._id, {
      client: doc.client,
      name: doc.name,
      procedures: doc.procedures,
      offices: doc.offices,
      relays: doc.relays,
      expiresAt: doc.expiresAt,
    });
    req.log.info('api key created', { keyId: doc._id, client: doc.client });
    // The key itself is in this answer only: it is stored as a hash.
    res
      .status(201)
      .setHeader('Cache-Control', 'no-store')
      .json({ ...apiKeyView(doc), key });
  });
  on(ROUTES.listApiKeys, async (req, res) => {
    requireRole(req, ['admin'], 'list API keys');
    const q = parse(apiKeyListQuery, req.query);
    res.json({ items: (await apiKeys.list(q)).map((d) => apiKeyView(d)) });
  });
  on(ROUTES.revokeApiKey, async (req, res) => {
    const admin = requireRole(req, ['admin'], 'revoke API keys');
    const keyId = parse(apiKeyIdParam, req.params.keyId, ['keyId']);
    const { reason = null } = parse(apiKeyRevokeQuery, req.query);
    const doc = await apiKeys.revoke(keyId, admin.sub, reason);
    await audit(req, 'api-key-revoked', keyId, { client: doc.client, reason });
    req.log.info('api key revoked', { keyId, client: doc.client });
    res.json(apiKeyView(doc));
  });

  // ---- principals: an administrator revokes a principal's tokens (refused at once, whatever their expiry) ----
  const principalView = (sub: string, doc: PrincipalDoc | null) => ({
    sub,
    name: doc?.name ?? null,
    role: doc?.role ?? null,
    disabled: doc?.disabled === true,
    disabledAt: doc?.disabledAt ?? null,
    disabledBy: doc?.disabledBy ?? null,
    disabledReason: doc?.disabledReason ?? null,
  });
  on(ROUTES.getPrincipal, async (req, res) => {
    requireRole(req, ['admin'], 'read a principal');
    const sub = parse(idParam, req.params.sub, ['sub']);
    res.json(principalView(sub, await deps.db.principals.findById(sub).lean()));
  });
  on(ROUTES.patchPrincipal, async (req, res) => {
    const admin = requireRole(req, ['admin'], 'disable or enable a principal');
    const sub = parse(idParam, req.params.sub, ['sub']);
    const body = parse(principalPatchBody, req.body);
    if (sub === admin.sub && body.disabled)
      throw problems.refused('self-revocation', 'You may not disable yourself.');
    // Any subject can be disabled, also one minted elsewhere that has no row yet.
    await deps.db.principals.updateOne(
      { _id: sub },
      {
        $set: {
          disabled: body.disabled,
          disabledAt: body.disabled ? new Date().toISOString() : null,
          disabledBy: body.disabled ? admin.sub : null,
          disabledReason: body.reason,
        },
      },
      { upsert: true },
    );
    principalStatus.forget(sub);
    await audit(req, body.disabled ? 'principal-disabled' : 'principal-enabled', sub, {
      reason: body.reason,
    });
    req.log.info(body.disabled ? 'principal disabled' : 'principal enabled', { principal: sub });
    res.json(principalView(sub, await deps.db.principals.findById(sub).lean()));
  });

  // ---- cases ----
  on(ROUTES.startCase, async (req, res) => {
    const p = principalOf(req);
    const body = parse(startCaseBody, req.body);
    const result = await service.startCase(p, body, idempotencyKeyOf(req));
    req.log.info(result.created ? 'case opened' : 'case start replayed', { caseId: result.view.caseId });
    res
      .status(result.created ? 201 : 200)
      .location(`/v1/cases/${result.view.caseId}`)
      .setHeader('Idempotent-Replayed', String(!result.created))
      .setHeader('ETag', caseEtag(result.view, false))
      .json(linked(result.view));
  });

  on(ROUTES.listCases, async (req, res) => {
    const p = principalOf(req);
    const q = parse(listCasesQuery, req.query);
    const filter: Record<string, unknown> = { ...scopeFilter(p) };
    if (q.procedure)
      filter.procedure = !p.procedures || p.procedures.includes(q.procedure) ? q.procedure : { $in: [] };
    if (q.status) filter.status = q.status;
    if (q.office) {
      if (p.role === 'officer' || p.role === 'supervisor') {
        filter.office = p.offices.includes(q.office) ? q.office : { $in: [] };
      } else filter.office = q.office;
    }
    if (q.assignee) filter.assignees = q.assignee;
    if (q.overdue === true) filter.nextDueAt = { $lt: new Date().toISOString() };
    if (q.taxCode) filter['parties.identifier'] = q.taxCode;
    if (q.unit) filter.units = q.unit;
    if (q.openedFrom || q.openedTo)
      filter.openedAt = {
        ...(q.openedFrom ? { $gte: new Date(endOfRomeDay(addDays(q.openedFrom, -1))).toISOString() } : {}),
        // Days as the offices count them (Italian time); openedAt is an instant.
        ...(q.openedTo ? { $lt: new Date(endOfRomeDay(q.openedTo)).toISOString() } : {}),
      };
    if (q.q) filter.title = { $regex: q.q.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
    if (q.overdue === false)
      filter.$or = [{ nextDueAt: null }, { nextDueAt: { $gte: new Date().toISOString() } }];
    // The count of every case the filter selects, before the page's own bound.
    const total = await deps.db.cases.countDocuments(filter);
    const after = q.cursor;
    if (after) filter.sortKey = { $lt: after };
    const docs = await deps.db.cases
      .find(filter, { input: 0, documents: 0, decisions: 0, checks: 0, deadlines: 0 })
      .sort({ sortKey: -1 })
      .limit(q.limit + 1)
      .batchSize(q.limit + 2)
      .lean();
    const { page, nextCursor, hasMore } = pageOf(docs, q.limit, (d) => d.sortKey);
    res.json({
      items: page.map((d) => ({
        caseId: d._id,
        procedure: d.procedure,
        title: d.title,
        office: d.office,
        status: d.status,
        step: d.step,
        ...codedStep(d.step),
        openedAt: d.openedAt,
        nextDueAt: d.nextDueAt,
        outcome: d.outcome,
        openTasks: (d.tasks ?? []).filter((t) => t.status === 'open').length,
      })),
      nextCursor,
      hasMore,
      total,
    });
  });

  on(ROUTES.getCase, async (req, res) => {
    const p = principalOf(req);
    const doc = await service.getCaseDoc(p, param(req, 'id'));
    const view = caseFromDoc(doc);
    // A public body following its art. 16 case sees the ranking as published, not the candidates' declarations.
    if (p.role === 'integrator' && doc.procedure === ART16_CODE) {
      const { applications: _a, ranking, ...facts } = view.facts;
      view.facts = { ...facts, ranking: ranking ? publicRankingOf(ranking) : null };
    }
    // The version names the representation: a client that has it gets 304 (the public view has a tag of its own).
    const tag = caseEtag(view, p.role === 'integrator' && doc.procedure === ART16_CODE);
    res.setHeader('ETag', tag);
    if (etagMatches(req.header('if-none-match'), tag)) {
      res.status(304).end();
      return;
    }
    res.json(linked(view));
  });

  // ---- art. 16 notices: open to every authenticated caller (candidates' portals, offices) ----
  const noticeDoc = async (id: string) => {
    const doc = await deps.db.cases.findById(id).lean();
    if (!doc || doc.procedure !== ART16_CODE) throw problems.notFound(`Notice ${id}`);
    return doc;
  };

  on(ROUTES.notices, async (_req, res) => {
    const docs = await deps.db.cases
      .find(
        { procedure: ART16_CODE, status: 'open', step: 'applications open' },
        { input: 1, facts: 1, office: 1, title: 1 },
      )
      .sort({ sortKey: -1 })
      .limit(100)
      .lean();
    res.json({
      items: docs.map((d) => ({
        caseId: d._id,
        title: d.title,
        office: d.office,
        body: (d.input as { body?: { name?: string } }).body?.name ?? null,
        profile: d.input.profile,
        posts: d.input.posts,
        contract: d.input.contract,
        place: d.input.place,
        publishedOn: d.facts.publishedOn ?? null,
        applicationsClose: d.facts.applicationsClose ?? null,
      })),
    });
  });

  const noticeNews: [string, string, ZodType<Record<string, unknown>>][] = [
    ['applications', 'application', applicationNews],
    ['objections', 'objection', objectionNews],
  ];
  // The public endpoints are limited per principal (a candidates' portal): 429 with Retry-After past the limit.
  const noticeSubmissions = new RateLimiter(
    deps.db,
    'notice-submissions',
    deps.limits?.applicationsPerMinute ?? 60,
  );
  for (const [path, type, schema] of noticeNews) {
    on(
      path === 'applications' ? ROUTES.applyToNotice : ROUTES.objectToRanking,
      async (req, res) => {
        const p = principalOf(req);
        const doc = await noticeDoc(param(req, 'id'));
        const data = parse(schema, req.body);
        // Open to every authenticated caller (candidates' portals): no case scope applies.
        const view = await service.act(
          p,
          doc._id,
          newsUpdate,
          { type, data, actor: actorOf(p) },
          requestKey(req),
          { unscoped: true },
        );
        const apps = (view.facts.applications ?? []) as {
          applicationNo: string;
          candidate: { taxCode: string };
          excluded: string[] | null;
        }[];
        const mine =
          type === 'application'
            ? apps.find(
                (a) => a.candidate.taxCode === (data as { candidate: { taxCode: string } }).candidate.taxCode,
              )
            : undefined;
        res.status(202).json({
          caseId: doc._id,
          step: view.step,
          ...(mine
            ? {
                applicationNo: mine.applicationNo,
                admitted: mine.excluded === null,
                reasons: mine.excluded ?? [],
              }
            : {}),
        });
      },
      // The public endpoints are limited per principal before anything is read: 429 with Retry-After.
      async (req, _res, next) => {
        const p = principalOf(req);
        const wait = await noticeSubmissions.hit(p.sub);
        if (wait > 0) throw tooMany(`submissions to notices by ${p.sub}`, wait);
        next();
      },
    );
  }

  on(ROUTES.noticeRanking, async (req, res) => {
    const doc = await noticeDoc(param(req, 'id'));
    const ranking = doc.facts.ranking as
      (Ranking & { status: string; publishedOn: string }) | null | undefined;
    if (!ranking) throw problems.notFound(`A published ranking for ${doc._id}`);
    res.json({ caseId: doc._id, ...publicRankingOf(ranking) });
  });

  // The full row of one application, score component by component (staff in scope).
  on(ROUTES.caseRankingRow, async (req, res) => {
    const p = principalOf(req);
    requireRole(req, STAFF, 'read the scores of the candidates');
    const doc = await service.getCaseDoc(p, param(req, 'id'));
    const ranking = doc.facts.ranking as Ranking | null | undefined;
    const no = param(req, 'applicationNo');
    const row = ranking?.rows.find((r) => r.applicationNo === no);
    const excluded = ranking?.excluded.find((r) => r.applicationNo === no);
    if (!ranking || (!row && !excluded))
      throw problems.notFound(`Application ${no} in the ranking of ${doc._id}`);
    res.json({
      caseId: doc._id,
      ruleVersion: ranking.ruleVersion,
      ruleTitle: ranking.ruleTitle,
      tieBreaks: ranking.tieBreaks,
      referenceDate: ranking.referenceDate,
      ...(row ?? { excluded }),
    });
  });

  // ---- the demo clock (npm run dev with CPI_DEV_CLOCK=skip only) ----
  const clock = deps.devClock;
  if (clock) {
    const clockView = async () => {
      const now = await clock.now();
      return { now: new Date(now).toISOString(), today: romeDate(now) };
    };
    on(ROUTES.clockGet, async (_req, res) => {
      res.json(await clockView());
    });
    on(ROUTES.clockMove, async (req, res) => {
      requireRole(req, ['admin'], 'move the demo clock');
      const b = parse(clockBody, req.body);
      await clock.advance((b.days * 24 + b.hours) * 3_600_000);
      req.log.info('demo clock moved', { days: b.days, hours: b.hours });
      res.json(await clockView());
    });
  }

  // ---- scoring rules: published versions; administrators publish the next ----
  // `?scope=art16` (the default) or `?scope=l68`.
  on(ROUTES.scoringRules, async (req, res) => {
    const { scope } = parse(scopeQuery, req.query);
    res.json({ scope, items: await scoringRules(deps.db, scope) });
  });

  on(ROUTES.publishScoringRule, async (req, res) => {
    const p = requireRole(req, ['admin'], 'publish a scoring rule');
    const { scope } = parse(scopeQuery, req.query);
    // The document offers both kinds of rule; one sent under the other's scope is refused as such (422).
    const other = scope === 'l68' ? scoringRuleSchema : l68ScoringRuleSchema;
    const wrongScope = (schema: ZodType): void => {
      if (!schema.safeParse(req.body).success && other.safeParse(req.body).success)
        throw problems.refused(
          'wrong-scope',
          `This is not a scoring rule of scope ${scope}: send it with the other scope.`,
        );
    };
    wrongScope(scope === 'l68' ? l68ScoringRuleSchema : scoringRuleSchema);
    const published =
      scope === 'l68'
        ? await publishScoringRule(deps.db, 'l68', parse(l68ScoringRuleSchema, req.body), p.sub)
        : await publishScoringRule(deps.db, 'art16', parse(scoringRuleSchema, req.body), p.sub);
    await audit(req, 'scoring-rule-published', `${scope}:v${published.version}`, {
      validFrom: published.validFrom,
    });
    req.log.info('scoring rule published', {
      scope,
      version: published.version,
      validFrom: published.validFrom,
    });
    res.status(201).json(published);
  });

  mountSubscriptionRoutes(
    on,
    {
      create: ROUTES.createSubscription,
      list: ROUTES.listSubscriptions,
      get: ROUTES.getSubscription,
      remove: ROUTES.deleteSubscription,
      rotate: ROUTES.rotateSubscriptionSecret,
      deliveries: ROUTES.listDeliveries,
      redeliver: ROUTES.redeliver,
    },
    {
      db: deps.db,
      temporal: deps.temporal,
      taskQueue: deps.taskQueue,
      urls: deps.webhooks?.urls ?? { requireHttps: true, allowPrivate: false },
      ...(deps.webhooks?.payloadKeys ? { payloadKeys: deps.webhooks.payloadKeys } : {}),
      audit,
    },
  );

  mountL68Routes(
    on,
    { ranking: ROUTES.l68Ranking, compliance: ROUTES.l68Compliance, campaign: ROUTES.l68Campaign },
    {
      db: deps.db,
      temporal: deps.temporal,
      taskQueue: deps.taskQueue,
      ...(deps.devClock ? { now: () => clockNow(deps.devClock) } : {}),
    },
  );

  on(ROUTES.caseEvents, async (req, res) => {
    const doc = await service.getCaseDoc(principalOf(req), param(req, 'id'));
    const events = await longRead(() =>
      deps.db.events
        .find({ caseId: doc._id }, { _id: 0, office: 0, openedBySub: 0, procedure: 0, batchEnd: 0 })
        .sort({ seq: 1 })
        .lean(),
    );
    res.json({ items: events });
  });

  /** A worker as their row shows them: a dismissed worker with their own case, or a CIGS worker. */
  const workerItem = (r: MemberDoc, full: boolean): Record<string, unknown> => {
    if (r.memberCaseId !== null) {
      return {
        taxCode: r.key,
        name: r.name,
        office: r.office,
        caseId: r.memberCaseId,
        stage: r.stage,
        ended: r.details?.ended === true,
      };
    }
    const d = r.details ?? {};
    // The entries of the row's lists arrive in the order they were added: shown by session day and ladder step.
    const sanctions = [...((r.lists?.sanctions ?? []) as CigsWorker['sanctions'])].sort(
      (a, b) => a.step - b.step,
    );
    const obligations = (d.obligations ?? []) as CigsWorker['obligations'];
    return {
      taxCode: r.key,
      name: r.name,
      status: r.stage,
      golProgramme: d.golProgramme === true,
      ...(full
        ? {
            obligations,
            attendance: [...((r.lists?.attendance ?? []) as CigsWorker['attendance'])].sort((a, b) =>
              a.sessionDate.localeCompare(b.sessionDate),
            ),
            sanctions,
          }
        : { obligations: obligations.length, sanctions: sanctions.map((x) => x.sanction) }),
      unjustifiedAbsences: Number(d.unjustifiedAbsences ?? 0),
    };
  };

  on(ROUTES.caseWorkers, async (req, res) => {
    const doc = await service.getCaseDoc(principalOf(req), param(req, 'id'));
    // The workers of a collective dismissal or a CIGS case are rows of their own: paged, with the counts by stage
    // (a dismissed worker's stage in their own case; a CIGS worker's status).
    const q = parse(listWorkersQuery, req.query);
    const filter: Record<string, unknown> = { caseId: doc._id };
    if (q.stage) filter.stage = q.stage;
    const after = q.cursor;
    const rows = await deps.db.members
      .find(after ? { ...filter, key: { $gt: after } } : filter)
      .sort({ key: 1 })
      .limit(q.limit + 1)
      .batchSize(q.limit + 2)
      .lean();
    const { page, nextCursor, hasMore } = pageOf(rows, q.limit, (r) => r.key);
    // The counts are the rows', as they stand now.
    const stages = await deps.db.members.aggregate<{ _id: string; n: number }>([
      { $match: { caseId: doc._id } },
      { $group: { _id: '$stage', n: { $sum: 1 } } },
    ]);
    const byStage = Object.fromEntries(
      stages.sort((a, b) => a._id.localeCompare(b._id)).map((x) => [x._id, x.n]),
    );
    res.json({
      caseId: doc._id,
      total: q.stage ? (byStage[q.stage] ?? 0) : Object.values(byStage).reduce((a, b) => a + b, 0),
      byStage,
      items: page.map((r) => workerItem(r, false)),
      nextCursor,
      hasMore,
    });
  });

  on(ROUTES.caseWorker, async (req, res) => {
    const doc = await service.getCaseDoc(principalOf(req), param(req, 'id'));
    const taxCode = parse(workerParam, req.params.taxCode, ['taxCode']);
    const row = await deps.db.members.findById(`${doc._id}:${taxCode}`).lean();
    if (!row) throw problems.notFound(`Worker ${taxCode} on case ${doc._id}`);
    res.json({ caseId: doc._id, ...workerItem(row, true) });
  });

  // Case actions read nothing first: the workflow checks the caller's scope and the transition.
  on(ROUTES.caseNews, async (req, res) => {
    const p = principalOf(req);
    const caseId = param(req, 'id');
    const body = parse(newsBody, req.body);
    sendCase(
      res,
      await service.act(
        p,
        caseId,
        newsUpdate,
        { type: body.type, data: body.data, actor: actorOf(p), relays: relaysOf(p) },
        requestKey(req),
        { ifVersion: ifMatchOf(req) },
      ),
    );
  });

  const lifecycle = [
    ['suspend', suspendUpdate, STAFF],
    ['resume', resumeUpdate, STAFF],
    ['withdraw', withdrawUpdate, [...STAFF, 'integrator']],
  ] as const;
  for (const [action, def, roles] of lifecycle) {
    on(ROUTES[`${action}Case`], async (req, res) => {
      const p = principalOf(req);
      const caseId = param(req, 'id');
      requireRole(req, roles, `${action} a case`);
      const body = parse(reasonBody, req.body);
      sendCase(
        res,
        await service.act(p, caseId, def, { reason: body.reason, actor: actorOf(p) }, requestKey(req), {
          ifVersion: ifMatchOf(req),
        }),
      );
    });
  }

  // ---- events feed ----
  on(ROUTES.events, async (req, res) => {
    const p = principalOf(req);
    const q = parse(eventsFeedQuery, req.query);
    // The positions written form a prefix (platform/feed.ts): a page after a position misses nothing written
    // later. The end is read first, so that a short page has seen every position below it.
    const upTo = await feedEnd(deps.db);
    const after = q.cursor ?? q.after;
    const range: Record<string, string> = { $lt: positionKey(upTo) };
    if (after) range.$gt = after;
    const filter: Record<string, unknown> = { ...scopeFilter(p), _id: range };
    const docs = await deps.db.events
      .find(filter)
      .sort({ _id: 1 })
      .limit(q.limit)
      .batchSize(q.limit + 1)
      .lean();
    const items = docs.map(({ _id, office: _o, openedBySub: _s, batchEnd: _b, ...e }) => ({
      ...e,
      position: _id,
    }));
    const hasMore = items.length === q.limit;
    const last = items[items.length - 1];
    // A short page read every position up to the end read first: the next one starts there, not at the last match.
    const lastFinal = upTo > 0 ? positionKey(upTo - 1) : null;
    let nextCursor = after ?? null;
    if (hasMore) nextCursor = last?.position ?? nextCursor;
    else if (lastFinal && (!nextCursor || lastFinal > nextCursor)) nextCursor = lastFinal;
    res.json({ items, nextCursor, hasMore });
  });

  // ---- tasks ----
  on(ROUTES.tasks, async (req, res) => {
    const p = requireRole(req, STAFF, 'work tasks');
    const q = parse(listTasksQuery, req.query);
    const filter: Record<string, unknown> = { status: 'open' };
    const offices = p.role === 'admin' ? undefined : p.offices;
    if (q.office) {
      if (offices && !offices.includes(q.office)) filter.office = { $in: [] };
      else filter.office = q.office;
    } else if (offices) filter.office = { $in: offices };
    switch (q.view) {
      case 'mine':
        filter.assignee = p.sub;
        break;
      case 'available':
        filter.assignee = null;
        break;
      case 'overdue':
        // Past its service target on the case engine's clock (the demo clock moves it).
        filter.targetAt = { $lt: new Date(await clockNow(deps.devClock)).toISOString() };
        break;
      case 'escalated':
        filter.escalated = true;
        break;
      case 'all':
        break;
    }
    const keys = TASK_SORT_KEYS[q.sort];
    // The count of the whole view, before the page's own bound.
    const total = await deps.db.tasks.countDocuments(filter);
    if (q.cursor) filter.$or = afterKeys(keys, decodeKeyCursor(q.cursor, keys.length));
    const docs = await deps.db.tasks
      .find(filter)
      .sort(Object.fromEntries(keys.map((k) => [k, 1])))
      .limit(q.limit + 1)
      .batchSize(q.limit + 2)
      .lean();
    const { page, nextCursor, hasMore } = pageOf(docs, q.limit, (d) =>
      encodeKeyCursor(keys.map((k) => sortValue(d, k))),
    );
    res.json({ items: page.map(taskFromDoc), nextCursor, hasMore, total });
  });

  on(ROUTES.task, async (req, res) => {
    const p = requireRole(req, STAFF, 'work tasks');
    res.json(taskFromDoc(await service.getTaskDoc(p, param(req, 'id'))));
  });

  on(ROUTES.claimTask, async (req, res) => {
    const p = requireRole(req, STAFF, 'claim tasks');
    const taskId = param(req, 'id');
    sendCase(
      res,
      await service.act(
        p,
        caseIdOfTask(taskId),
        claimTaskUpdate,
        { taskId, actor: actorOf(p) },
        requestKey(req),
        { ifVersion: ifMatchOf(req) },
      ),
    );
  });

  on(ROUTES.completeTask, async (req, res) => {
    const p = requireRole(req, STAFF, 'complete tasks');
    const taskId = param(req, 'id');
    const body = parse(completeTaskBody, req.body);
    sendCase(
      res,
      await service.act(
        p,
        caseIdOfTask(taskId),
        completeTaskUpdate,
        {
          taskId,
          outcome: body.outcome,
          data: body.data,
          actor: actorOf(p),
        },
        requestKey(req),
        { ifVersion: ifMatchOf(req) },
      ),
    );
  });

  on(ROUTES.releaseTask, async (req, res) => {
    const p = requireRole(req, STAFF, 'release tasks');
    const taskId = param(req, 'id');
    const body = parse(reasonBody, req.body);
    sendCase(
      res,
      await service.act(
        p,
        caseIdOfTask(taskId),
        releaseTaskUpdate,
        { taskId, reason: body.reason, actor: actorOf(p) },
        requestKey(req),
        { ifVersion: ifMatchOf(req) },
      ),
    );
  });

  on(ROUTES.reassignTask, async (req, res) => {
    const p = requireRole(req, ['supervisor', 'admin'], 'reassign tasks');
    const taskId = param(req, 'id');
    const body = parse(reassignTaskBody, req.body);
    sendCase(
      res,
      await service.act(
        p,
        caseIdOfTask(taskId),
        reassignTaskUpdate,
        {
          taskId,
          assignee: body.assignee,
          reason: body.reason,
          actor: actorOf(p),
        },
        requestKey(req),
        { ifVersion: ifMatchOf(req) },
      ),
    );
  });

  mountAnalyticsRoutes(
    on,
    {
      attainment: ROUTES.analyticsAttainment,
      leadTimes: ROUTES.analyticsLeadTimes,
      backlog: ROUTES.analyticsBacklog,
      satisfaction: ROUTES.analyticsSatisfaction,
      export: ROUTES.analyticsExport,
    },
    { db: deps.db, now: () => clockNow(deps.devClock) },
  );

  // ---- supervisors: workload of their offices ----
  on(ROUTES.workload, async (req, res) => {
    const p = requireRole(req, ['supervisor', 'admin'], 'see the workload');
    const offices = p.role === 'admin' ? OFFICES.map((o) => o.code) : p.offices;
    const now = new Date().toISOString();
    const items = [];
    for (const office of offices) {
      const openTasks = await longRead(() =>
        deps.db.tasks.find({ office, status: 'open' }, { assignee: 1, targetAt: 1, escalated: 1 }).lean(),
      );
      const byAssignee: Record<string, number> = {};
      for (const t of openTasks) {
        const who = t.assignee ?? '(unassigned)';
        byAssignee[who] = (byAssignee[who] ?? 0) + 1;
      }
      items.push({
        office,
        openCases: await deps.db.cases.countDocuments({ office, status: 'open' }),
        suspendedCases: await deps.db.cases.countDocuments({ office, status: 'suspended' }),
        overdueCases: await deps.db.cases.countDocuments({ office, status: 'open', nextDueAt: { $lt: now } }),
        openTasks: openTasks.length,
        overdueTasks: openTasks.filter((t) => t.targetAt < now).length,
        escalatedTasks: openTasks.filter((t) => t.escalated).length,
        byAssignee,
      });
    }
    res.json({ asOf: now, items });
  });

  table.methodNotAllowed(v1, '/v1');
  app.use('/v1', v1);

  table.methodNotAllowed(app, '');

  app.use((req) => {
    throw problems.notFound(`${req.method} ${req.path}`);
  });

  // One error middleware: everything becomes problem+json; internals go to the log, never to the client.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const log = req.log ?? deps.logger;
    const infrastructure = problemFromInfrastructure(err);
    const domain = problemFromDomain(err);
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (domain) problem = domain;
    else if (isBodyParserError(err)) problem = bodyProblem(err);
    else if (infrastructure) {
      // The database or Temporal restarting: the client retries (Retry-After) with its Idempotency-Key.
      log.warn('infrastructure unavailable', { error: describeError(err) });
      problem = infrastructure;
    } else {
      log.error('unhandled error', { error: describeError(err) });
      problem = new HttpProblem(
        500,
        'internal',
        'Internal error',
        `Something went wrong; quote request id ${req.id}.`,
      );
    }
    const retryAfter = problem.extensions.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    res.status(problem.status).type('application/problem+json').json(problem.body(req.originalUrl));
  });

  return app;
}

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' &&
    err !== null &&
    'type' in err &&
    'status' in err &&
    typeof (err as BodyParserError).type === 'string'
  );
}

function bodyProblem(err: BodyParserError): HttpProblem {
  switch (err.type) {
    case 'entity.too.large':
      return new HttpProblem(
        413,
        'payload-too-large',
        'Request body too large',
        'The body exceeds the size limit.',
      );
    case 'entity.parse.failed':
      return problems.validation(
        [{ path: '(body)', message: 'malformed JSON' }],
        'The body is not valid JSON.',
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'Send UTF-8 JSON.');
    default:
      return new HttpProblem(
        err.status >= 400 && err.status < 500 ? err.status : 400,
        'bad-request',
        'Bad request',
        'The request could not be read.',
      );
  }
}

/** The ranking as it may be published: positions, application numbers, scores; no personal data. */
function publicRankingOf(r: unknown): Record<string, unknown> {
  const ranking = r as Ranking & { status?: string; publishedOn?: string };
  return {
    status: ranking.status ?? null,
    publishedOn: ranking.publishedOn ?? null,
    ruleVersion: ranking.ruleVersion,
    ruleTitle: ranking.ruleTitle,
    referenceDate: ranking.referenceDate,
    rows: publicRanking(ranking),
    excluded: ranking.excluded.map((e) => e.applicationNo),
  };
}

/** An error for the log: name, message, stack, and its causes (a Temporal failure says why in its cause). */
function describeError(err: unknown, depth = 0): Record<string, unknown> | string {
  if (!(err instanceof Error)) return String(err);
  const type = (err as { type?: unknown }).type;
  return {
    name: err.name,
    message: err.message,
    ...(typeof type === 'string' ? { type } : {}),
    ...(depth === 0 ? { stack: err.stack } : {}),
    ...(err.cause !== undefined && depth < 4 ? { cause: describeError(err.cause, depth + 1) } : {}),
  };
}

/** 429: too many requests of a kind in the current window, with when to try again. */
function tooMany(what: string, retryAfterSeconds: number): HttpProblem {
  return new HttpProblem(
    429,
    'too-many-requests',
    'Too many requests',
    `Too many ${what}: try again later.`,
    {
      retryAfterSeconds,
    },
  );
}

/** One change made by an administrator, as `GET /v1/admin/audit` answers it (newest first). */
interface AdminAuditRow {
  at: string;
  actor: { sub: string; role: string };
  action: string;
  target: string;
  details: Record<string, unknown>;
  requestId: string;
}
