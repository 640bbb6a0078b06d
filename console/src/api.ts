/**
 * The console's calls to API v1, with the signed-in token. A refusal comes back as a Problem with the API's own
 * words (detail, and the fields it names), which the pages show next to what it concerns.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[],
    readonly body: Record<string, unknown>,
  ) {
    super(detail || title);
  }
}

const TOKEN_KEY = 'cpi-console-token';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(t: string | null): void {
  if (t === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, t);
}

async function problemOf(res: Response): Promise<Problem> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  const type = typeof body.type === 'string' ? body.type : '';
  const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
  return new Problem(
    res.status,
    type.replace(/^urn:cpi-casework:problem:/, '') || String(res.status),
    typeof body.title === 'string' ? body.title : res.statusText,
    typeof body.detail === 'string' ? body.detail : '',
    errors,
    body,
  );
}

export interface CallOptions {
  body?: unknown;
  ifMatch?: string;
  idempotencyKey?: string;
  /** Without the token (the survey, the demo principals). */
  anonymous?: boolean;
}

/** Called when a token is refused (401): the console goes back to sign-in. */
let onUnauthorised: () => void = () => undefined;
export function whenUnauthorised(f: () => void): void {
  onUnauthorised = f;
}

export async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const t = token();
  if (t && !opts.anonymous) headers.Authorization = `Bearer ${t}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  const res = await fetch(path, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  if (!res.ok) {
    const p = await problemOf(res);
    if (res.status === 401 && !opts.anonymous) onUnauthorised();
    throw p;
  }
  return (await res.json()) as T;
}

export const get = <T>(path: string, opts: CallOptions = {}): Promise<T> => call<T>('GET', path, opts);
export const post = <T>(path: string, body: unknown, opts: CallOptions = {}): Promise<T> =>
  call<T>('POST', path, { ...opts, body });

/** Downloads a file the API answers (a CSV), with the token, under the name the API gives. */
export async function download(path: string): Promise<void> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token() ?? ''}` } });
  if (!res.ok) throw await problemOf(res);
  const name =
    /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'export.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A fresh Idempotency-Key: one per form shown, so a double click or a retry acts once. */
export function newKey(): string {
  return crypto.randomUUID();
}
