/**
 * One route table drives both the server and the document (issue 12 §3): each route declares its method, path,
 * inputs (path parameters, query, body, headers, as zod schemas), answers, roles, operationId, tags and summary.
 * Mounting a route validates its inputs with those schemas before the handler runs (a 400 problem naming the
 * fields), and `/openapi.json` is rendered from the same declarations, so the document says what the validators
 * enforce. A method a path does not take answers 405 with `Allow`.
 */
import type { IRouter, NextFunction, Request, RequestHandler, Response } from 'express';
import type { ZodType } from 'zod';
import { z } from 'zod';
import type { Role } from '../domain/case-model';
import { HttpProblem, parse } from './problem';

type Json = Record<string, unknown>;
export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface HeaderSpec {
  schema: ZodType;
  description: string;
  required?: boolean;
}

export interface AnswerSpec {
  description: string;
  /** What the body is, as zod: rendered in the document and, when answers are checked, enforced on the way out. */
  body?: ZodType;
  /** A JSON Schema (or a `$ref`) for the body, where the zod `body` is not to be rendered inline. */
  schema?: Json;
  /** The media type of the body (default application/json). */
  contentType?: string;
  headers?: Record<string, { description: string; schema: Json }>;
  /** OpenAPI links: operations whose parameters come from this answer (followed by stateful testing). */
  links?: Record<string, { operationId: string; parameters: Record<string, string> }>;
}

export interface RouteSpec {
  method: Method;
  /** Express path relative to where the router is mounted (`/cases/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Who may call it (documented; the handler enforces it): none means any authenticated principal. */
  roles?: readonly Role[];
  /** Reached without a token (health, the document). */
  public?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: ZodType;
  /**
   * What the body is documented as, when the handler validates it further than `body` (the start input of each
   * procedure) or alone (a scoring rule, whose schema depends on the query's scope).
   */
  bodyDoc?: Json;
  headers?: Record<string, HeaderSpec>;
  answers: Record<number, AnswerSpec>;
  /** Problem statuses beyond those every route of its kind may answer (e.g. 409, 422). */
  problems?: number[];
}

interface Mounted extends RouteSpec {
  /** Where its router is mounted (`/v1`, or `` for the app itself). */
  prefix: string;
  /** The full Express path (`/v1/cases/:id`). */
  fullPath: string;
}

/** The JSON Schema of what a zod schema accepts, to put inside the document (no `$schema` of its own). */
export function jsonSchemaOf(s: ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(s, {
    unrepresentable: 'any',
    io,
    target: 'draft-2020-12',
  }) as Json;
  return rest;
}

/** `/v1/cases/:id` → `/v1/cases/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const PROBLEM_TITLES: Record<number, string> = {
  400: 'The request is not valid: `errors` names each field',
  401: 'No valid credentials',
  403: 'Your role or scope may not do this',
  404: 'Not found, or outside your scope',
  405: 'This path does not take the method (`Allow` names those it takes)',
  409: 'Conflicts with the state of the case or resource',
  412: 'If-Match named a version the case has moved past: read it again',
  413: 'The body is larger than BODY_LIMIT',
  415: 'The body is not application/json',
  422: 'Refused by a rule of the procedure or of the law (`reason` names it)',
  429: 'Too many requests (`Retry-After`)',
  503: 'The case engine or the database did not answer in time (`Retry-After`; retry with the same Idempotency-Key)',
};

export class RouteTable {
  readonly routes: Mounted[] = [];

  /** With `checkAnswers` (the API's own tests), a JSON answer that does not fit its declared body is a 500. */
  constructor(private readonly opts: { checkAnswers?: boolean } = {}) {}

  /** Mounts `handler` for `spec` on `router` (itself mounted at `prefix`), behind the validation of its inputs. */
  add(
    router: IRouter,
    prefix: string,
    spec: RouteSpec,
    handler: RequestHandler,
    /** Runs before the inputs are validated (an abuse limit: refused before anything is read). */
    before?: RequestHandler,
  ): void {
    this.routes.push({ ...spec, prefix, fullPath: `${prefix}${spec.path}` });
    const validate = (req: Request, _res: Response, next: NextFunction): void => {
      if (spec.params) parse(spec.params, req.params);
      if (spec.query) parse(spec.query, req.query);
      if (spec.headers) {
        const issues: { path: string; message: string }[] = [];
        for (const [name, h] of Object.entries(spec.headers)) {
          const value = req.header(name);
          if (value === undefined) {
            if (h.required) issues.push({ path: name, message: 'required' });
            continue;
          }
          const r = h.schema.safeParse(value);
          if (!r.success) issues.push(...r.error.issues.map((i) => ({ path: name, message: i.message })));
        }
        if (issues.length > 0)
          throw new HttpProblem(400, 'validation', 'Invalid request', 'The request is not valid.', {
            errors: issues,
          });
      }
      if (spec.body) {
        // The document says the body is required: a request without one is refused, not read as `{}`.
        if (req.body === undefined)
          throw new HttpProblem(400, 'validation', 'Invalid request', 'Send a JSON body.', {
            errors: [{ path: '(body)', message: 'required' }],
          });
        parse(spec.body, req.body);
      }
      next();
    };
    const checked: RequestHandler = this.opts.checkAnswers
      ? (req, res, next) => {
          const send = res.json.bind(res);
          res.json = (body: unknown) => {
            const declared = spec.answers[res.statusCode]?.body;
            const r = declared?.safeParse(body);
            if (r && !r.success)
              throw new Error(
                `${spec.operationId} answered ${res.statusCode} with a body its declaration does not allow: ${r.error.message}`,
              );
            // The document allows no property a closed object does not list: neither does the check.
            const extra = r ? undeclaredPaths(body, r.data) : [];
            if (extra.length > 0)
              throw new Error(
                `${spec.operationId} answered ${res.statusCode} with properties its declaration does not list: ${extra.slice(0, 5).join(', ')}`,
              );
            return send(body);
          };
          return handler(req, res, next);
        }
      : handler;
    if (before) router[spec.method](spec.path, before, validate, checked);
    else router[spec.method](spec.path, validate, checked);
  }

  /** Declares a route without mounting it (the document of every route, for the generated client). */
  declare(prefix: string, spec: RouteSpec): void {
    this.routes.push({ ...spec, prefix, fullPath: `${prefix}${spec.path}` });
  }

  /** For every path in the table under `prefix`: a method it does not take answers 405 with `Allow`. */
  methodNotAllowed(router: IRouter, prefix: string): void {
    const byPath = new Map<string, Set<string>>();
    for (const r of this.routes.filter((x) => x.prefix === prefix)) {
      const local = r.path;
      const set = byPath.get(local) ?? new Set<string>();
      set.add(r.method.toUpperCase());
      if (r.method === 'get') set.add('HEAD');
      byPath.set(local, set);
    }
    for (const [p, methods] of byPath) {
      const allow = [...methods, 'OPTIONS'].join(', ');
      router.all(p, (req, res) => {
        res.set('Allow', allow);
        if (req.method === 'OPTIONS') {
          res.status(204).end();
          return;
        }
        throw new HttpProblem(
          405,
          'method-not-allowed',
          'Method not allowed',
          `${req.method} is not taken here: ${allow}.`,
        );
      });
    }
  }

  /** The `paths` of the OpenAPI document. */
  openApiPaths(): Json {
    const paths: Record<string, Record<string, Json>> = {};
    for (const r of this.routes) {
      const key = openApiPath(r.fullPath);
      paths[key] ??= {};
      const parameters: Json[] = [
        ...objectParams(r.params, 'path'),
        ...objectParams(r.query, 'query'),
        ...Object.entries(r.headers ?? {}).map(([name, h]) => ({
          name,
          in: 'header',
          required: h.required === true,
          description: h.description,
          schema: jsonSchemaOf(h.schema),
        })),
      ];
      const statuses = new Set<number>(r.problems ?? []);
      if (!r.public) [401, 403, 429, 503].forEach((s) => statuses.add(s));
      if (r.params || r.query || r.body || r.headers) statuses.add(400);
      if (r.params) statuses.add(404);
      if (r.body || r.bodyDoc) [400, 413, 415].forEach((s) => statuses.add(s));
      statuses.add(405);
      const responses: Json = {};
      for (const [status, a] of Object.entries(r.answers)) {
        responses[status] = {
          description: a.description,
          ...(a.headers ? { headers: a.headers } : {}),
          ...(a.links ? { links: a.links } : {}),
          ...(a.schema || a.body
            ? {
                content: {
                  [a.contentType ?? 'application/json']: {
                    schema: a.schema ?? jsonSchemaOf(a.body as ZodType, 'output'),
                  },
                },
              }
            : {}),
        };
      }
      for (const s of [...statuses].sort()) {
        responses[String(s)] = {
          description: PROBLEM_TITLES[s] ?? 'A problem',
          ...(s === 429 || s === 503
            ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
            : {}),
          ...(s === 405
            ? {
                headers: {
                  Allow: { description: 'The methods this path takes', schema: { type: 'string' } },
                },
              }
            : {}),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
      paths[key][r.method] = {
        operationId: r.operationId,
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: r.tags,
        ...(r.public ? { security: [] } : {}),
        ...(r.roles ? { 'x-roles': r.roles } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(r.body || r.bodyDoc
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: r.bodyDoc ?? jsonSchemaOf(r.body as ZodType) } },
              },
            }
          : {}),
        responses,
      };
    }
    return paths;
  }
}

function objectParams(s: z.ZodObject | undefined, where: 'path' | 'query'): Json[] {
  if (!s) return [];
  const js = jsonSchemaOf(s) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || ((js.required ?? []).includes(name) && !('default' in prop)),
    schema: prop,
  }));
}

/**
 * The properties of `sent` that its parse dropped (`parsed` is what the declared schema kept): a closed object's
 * unlisted fields, which the document's `additionalProperties: false` forbids. Loose objects and records keep theirs.
 */
export function undeclaredPaths(sent: unknown, parsed: unknown, at = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed))
    return sent.flatMap((v, i) => undeclaredPaths(v, parsed[i], `${at}[${i}]`));
  if (!sent || !parsed || typeof sent !== 'object' || typeof parsed !== 'object') return [];
  const kept = parsed as Record<string, unknown>;
  return Object.entries(sent as Record<string, unknown>).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    if (v === undefined) return [];
    return k in kept ? undeclaredPaths(v, kept[k], path) : [path];
  });
}
