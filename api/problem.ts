/** RFC 9457 problem details: every error the API returns has this shape and `application/problem+json`. */
import type { ZodError, ZodType } from 'zod';

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

/** Parses a request part, or throws a 400 problem naming the fields (prefixed by `where`). */
export function parse<T>(schema: ZodType<T>, value: unknown, where: string[] = []): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw problems.validation(zodIssues(result.error, where));
  return result.data;
}
