/** RFC 9457 problem details: every error the API returns has this shape and `application/problem+json`. */
import type { ZodError, ZodType } from 'zod';
import { RuleNotInForceError } from '../domain/deadlines';
import { NoRuleInForce } from '../domain/parameters';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  body(instance?: string): ProblemBody {
    return {
      type: `urn:cpi-casework:problem:${this.slug}`,
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(instance !== undefined ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export function zodIssues(err: ZodError, prefix: string[] = []): FieldError[] {
  return err.issues.map((i) => ({
    path: [...prefix, ...i.path.map(String)].join('.') || '(root)',
    message: i.message,
  }));
}

export const problems = {
  validation: (errors: FieldError[], detail = 'The request is not valid.') =>
    new HttpProblem(400, 'validation', 'Invalid request', detail, { errors }),
  unauthorized: (detail: string) => new HttpProblem(401, 'unauthorized', 'Authentication required', detail),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', 'Not allowed', detail),
  notFound: (what: string) => new HttpProblem(404, 'not-found', 'Not found', `${what} was not found.`),
  conflict: (slug: string, detail: string) =>
    new HttpProblem(409, slug, 'Conflict with the state of the case', detail),
  refused: (slug: string, detail: string, ext: Record<string, unknown> = {}) =>
    new HttpProblem(422, slug, 'Refused by a rule', detail, ext),
  unavailable: (detail: string) => new HttpProblem(503, 'unavailable', 'Service unavailable', detail),
};

/**
 * Parses a request part, or throws a problem naming the fields (prefixed by `where`): 400 when a field has the
 * wrong shape (what the document's schemas say), 422 when every field has the right shape and only a rule across
 * them refuses the request (a period that ends before it starts, more disabled dependants than dependants).
 */
export function parse<T>(schema: ZodType<T>, value: unknown, where: string[] = []): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationProblem(result.error, where);
  return result.data;
}

export function validationProblem(err: ZodError, where: string[] = []): HttpProblem {
  const errors = zodIssues(err, where);
  if (err.issues.every((i) => i.code === 'custom'))
    return new HttpProblem(
      422,
      'validation',
      'Refused by a rule',
      'The request breaks a rule of the procedure.',
      {
        errors,
      },
    );
  return problems.validation(errors);
}

/** Errors of the MongoDB driver and of mongoose that mean the database cannot be reached right now. */
const DATABASE_DOWN = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongooseServerSelectionError',
]);
/** A socket of the driver closed under it (the server killed mid-request). */
const SOCKET_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ERR_STREAM_WRITE_AFTER_END']);
/** gRPC codes of a Temporal frontend that cannot be reached, or did not answer in time. */
const ENGINE_DOWN = new Set([14 /* UNAVAILABLE */, 4 /* DEADLINE_EXCEEDED */]);

/**
 * A fault of the infrastructure (the database or Temporal unreachable, as during a restart) as a 503 with
 * `Retry-After`, so that a client retries with its Idempotency-Key; null for any other error.
 */
/** A day no version of the law's rules covers (a start dated 1920): refused as such, never a 500. */
export function problemFromDomain(err: unknown): HttpProblem | null {
  if (err instanceof RuleNotInForceError)
    return problems.refused('no-rule-in-force', `${err.message}: check the dates given.`);
  if (err instanceof NoRuleInForce)
    return problems.refused(
      'no-rule-in-force',
      `The rules this needs have no version in force on ${err.on}: check the dates given.`,
    );
  return null;
}

export function problemFromInfrastructure(err: unknown): HttpProblem | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const sock = (e as { code?: unknown }).code;
    const driverSocket =
      typeof sock === 'string' && SOCKET_CODES.has(sock) && /[\\/]mongodb[\\/]/.test(e.stack ?? '');
    if (DATABASE_DOWN.has(e.name) || driverSocket || /buffering timed out/.test(e.message))
      return new HttpProblem(
        503,
        'database-unavailable',
        'Service unavailable',
        'The database cannot be reached; retry shortly.',
        {
          retryAfterSeconds: 2,
        },
      );
    const code = (e as { code?: unknown }).code;
    if (e.name === 'ServiceError' || (typeof code === 'number' && ENGINE_DOWN.has(code))) {
      const grpc = typeof code === 'number' ? code : (e.cause as { code?: unknown } | undefined)?.code;
      if (typeof grpc === 'number' && ENGINE_DOWN.has(grpc))
        return new HttpProblem(
          503,
          'engine-unavailable',
          'Service unavailable',
          'The case engine cannot be reached; retry shortly.',
          {
            retryAfterSeconds: 2,
          },
        );
    }
  }
  return null;
}
