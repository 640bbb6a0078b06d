import { z } from 'zod';
import type { PayloadKeys } from './payload-codec';
import { parsePayloadKeys } from './payload-codec';
import type { WebhookRetryPolicy } from './webhooks';
import { WEBHOOK_RETRY_DEFAULTS } from './webhooks';

const emptyToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const str = (): z.ZodString => z.string();

/**
 * The worker's bounds, set deliberately rather than left to the SDK (which sizes the workflow cache from the heap):
 * a cached run of a case costs about 10 MB (each run has its own copy of the workflow modules), so 100 runs stay
 * near 1 GB, and a case evicted from the cache replays from its (short) history when it next moves. Activities are short writes to
 * our own database and calls to adapters.
 */
export const WORKER_DEFAULTS = { cachedWorkflows: 100, workflowTasks: 20, activities: 50 } as const;

/** `PAYLOAD_KEYS`: `id:base64,...`, 32-byte keys, the first encrypts (platform/payload-codec.ts). */
export const payloadKeysSchema = z.string().transform((v, ctx): PayloadKeys => {
  try {
    return parsePayloadKeys(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The environment every process reads, parsed once at start (style.md §12). */
const envSchema = z.object({
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(8080)),
  TEMPORAL_ADDRESS: z.preprocess(emptyToUndefined, str().default('localhost:7233')),
  TEMPORAL_NAMESPACE: z.preprocess(emptyToUndefined, str().default('default')),
  TEMPORAL_TASK_QUEUE: z.preprocess(emptyToUndefined, str().default('cpi-cases')),
  // The Temporal UI operators use: each case links to its workflow there.
  TEMPORAL_UI_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  MONGODB_URI: z.preprocess(
    emptyToUndefined,
    str().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
  ),
  JWT_SECRET: z.preprocess(emptyToUndefined, str().min(32, 'must be at least 32 characters')),
  // What a token must name and how long it may live (api/auth.ts, TOKEN_DEFAULTS).
  JWT_ISSUER: z.preprocess(emptyToUndefined, str().default('cpi-casework')),
  JWT_AUDIENCE: z.preprocess(emptyToUndefined, str().default('cpi-casework-api')),
  JWT_MAX_LIFETIME_HOURS: z.preprocess(emptyToUndefined, z.coerce.number().min(0.01).max(720).default(24)),
  // A regional identity provider (OpenID Connect) whose tokens people sign in with (api/oidc.ts).
  OIDC_ISSUER: z.preprocess(emptyToUndefined, z.url().optional()),
  OIDC_AUDIENCE: z.preprocess(emptyToUndefined, str().min(1).max(200).optional()),
  OIDC_JWKS_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  OIDC_ROLE_CLAIM: z.preprocess(emptyToUndefined, str().min(1).max(100).default('cpi_role')),
  OIDC_OFFICES_CLAIM: z.preprocess(emptyToUndefined, str().min(1).max(100).default('cpi_offices')),
  OIDC_RELAYS_CLAIM: z.preprocess(emptyToUndefined, str().min(1).max(100).default('cpi_relays')),
  OIDC_JWKS_COOLDOWN_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(3600).default(30)),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['error', 'warn', 'info', 'debug']).default('info')),
  LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(['json', 'pretty']).optional()),
  BODY_LIMIT: z.preprocess(
    emptyToUndefined,
    str()
      .regex(/^\d+(b|kb|mb)$/)
      .default('1mb'),
  ),
  // The worker's bounds (worker/create-worker.ts): cached workflow runs, and tasks run at once.
  WORKER_CACHED_WORKFLOWS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(100_000).default(WORKER_DEFAULTS.cachedWorkflows),
  ),
  WORKER_WORKFLOW_TASKS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(2).max(1000).default(WORKER_DEFAULTS.workflowTasks),
  ),
  WORKER_ACTIVITIES: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(1000).default(WORKER_DEFAULTS.activities),
  ),
  // A workflow bundle built beforehand (scripts/chaos, a deployment's build step): the worker starts without bundling.
  WORKFLOW_BUNDLE_PATH: z.preprocess(emptyToUndefined, str().optional()),
  // Express's `trust proxy` (e.g. `1`, `loopback`): which proxies' X-Forwarded-For names the client address.
  TRUST_PROXY: z.preprocess(emptyToUndefined, str().max(200).optional()),
  // Abuse limits (api/app.ts), per minute, across API replicas (counters in the database).
  AUTH_FAILURES_PER_MINUTE: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(100_000).default(30),
  ),
  APPLICATIONS_PER_MINUTE: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(100_000).default(60),
  ),
  // Encryption of Temporal payloads (platform/payload-codec.ts): `id:base64,...`, 32-byte keys, the first encrypts.
  PAYLOAD_KEYS: z.preprocess(emptyToUndefined, payloadKeysSchema.optional()),
  // Origins whose pages (the Temporal UI) may call the codec endpoint from a browser.
  CODEC_CORS_ORIGINS: z.preprocess(
    emptyToUndefined,
    str()
      .max(2000)
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url()))
      .optional(),
  ),
  // Webhook delivery (activities/webhooks.ts): attempts of one event before its subscription parks, the backoff
  // between them (doubling from the first interval up to the longest), and the time one attempt may take.
  WEBHOOK_MAX_ATTEMPTS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(100).default(WEBHOOK_RETRY_DEFAULTS.maxAttempts),
  ),
  WEBHOOK_RETRY_INITIAL_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(3_600_000).default(WEBHOOK_RETRY_DEFAULTS.initialIntervalMs),
  ),
  WEBHOOK_RETRY_MAX_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(86_400_000).default(WEBHOOK_RETRY_DEFAULTS.maxIntervalMs),
  ),
  WEBHOOK_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(60_000).default(10_000),
  ),
  // Activity slots of the webhook worker: each live subscription holds one while it waits for events.
  WEBHOOK_CONCURRENCY: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(10_000).default(200),
  ),
  // Callbacks only to this machine (the contract run and the benchmarks, whose subscriptions are generated).
  WEBHOOK_LOOPBACK_ONLY: z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  ),
  UPDATE_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(600_000).default(15_000),
  ),
});

const checkedEnv = envSchema.superRefine((c, ctx) => {
  // Personal data never reaches Temporal in clear in production (GDPR art. 32).
  if (c.NODE_ENV === 'production' && !c.PAYLOAD_KEYS)
    ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS'], message: 'required in production' });
  // The provider's settings come together or not at all.
  const oidc = [c.OIDC_ISSUER, c.OIDC_AUDIENCE, c.OIDC_JWKS_URL];
  if (oidc.some((v) => v !== undefined) && oidc.some((v) => v === undefined))
    for (const [key, v] of [
      ['OIDC_ISSUER', c.OIDC_ISSUER],
      ['OIDC_AUDIENCE', c.OIDC_AUDIENCE],
      ['OIDC_JWKS_URL', c.OIDC_JWKS_URL],
    ] as const)
      if (v === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: 'required with the other OIDC_ settings' });
});

/** How this process's worker delivers webhooks, from the configuration. */
export function webhookDelivery(
  c: Pick<
    Config,
    | 'NODE_ENV'
    | 'WEBHOOK_MAX_ATTEMPTS'
    | 'WEBHOOK_RETRY_INITIAL_MS'
    | 'WEBHOOK_RETRY_MAX_MS'
    | 'WEBHOOK_TIMEOUT_MS'
    | 'WEBHOOK_LOOPBACK_ONLY'
  >,
): { policy: WebhookRetryPolicy; timeoutMs: number; allowPrivate: boolean; loopbackOnly: boolean } {
  return {
    policy: {
      maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
      initialIntervalMs: c.WEBHOOK_RETRY_INITIAL_MS,
      maxIntervalMs: Math.max(c.WEBHOOK_RETRY_MAX_MS, c.WEBHOOK_RETRY_INITIAL_MS),
    },
    timeoutMs: c.WEBHOOK_TIMEOUT_MS,
    // Inside addresses only in development and tests (the check is repeated at each connection).
    allowPrivate: c.NODE_ENV !== 'production',
    loopbackOnly: c.WEBHOOK_LOOPBACK_ONLY,
  };
}

export type Config = Omit<z.infer<typeof envSchema>, 'LOG_FORMAT'> & { LOG_FORMAT: 'json' | 'pretty' };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one error listing every problem. Never includes secret values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = checkedEnv.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = result.data;
  return { ...c, LOG_FORMAT: c.LOG_FORMAT ?? (c.NODE_ENV === 'production' ? 'json' : 'pretty') };
}

/** Loads the config or exits the process with the list of problems. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
