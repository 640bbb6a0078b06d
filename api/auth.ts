import type { KeyObject } from 'node:crypto';
import { createSecretKey } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { Role } from '../domain/case-model';
import { ROLES } from '../domain/case-model';
import type { Relay } from '../domain/procedure';
import { RELAYS } from '../domain/procedure';
import type { CallerScope } from '../workflows/messages';
import { ApiKeys } from './api-keys';
import type { OidcVerifier } from './oidc';
import { problems } from './problem';

export { scopeFilter } from '../platform/scope';

export interface Principal {
  sub: string;
  role: Role;
  offices: string[];
  /** For an integrator: the outside parties it relays news for (absent: an employer's portal). */
  relays?: Relay[];
  /** For an API key: the procedures it may open and see cases of (absent: all). */
  procedures?: string[];
  /** The API key the request came with, if any (in logs and the audit trail). */
  keyId?: string;
}

/** The relays an integrator's news may come from; staff relay any news they received officially. */
export function relaysOf(p: Principal): Relay[] {
  if (p.role !== 'integrator') return [];
  return p.relays ?? ['employer'];
}

const claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES as [Role, ...Role[]]),
  offices: z.array(z.string().min(1).max(64)).max(50),
  relays: z.array(z.enum(RELAYS)).max(RELAYS.length).optional(),
  // Required: a token says when it was issued and when it ends (the library checks them only when present).
  iat: z.number().int(),
  exp: z.number().int(),
});

/** What a token must satisfy beyond its signature. */
export interface TokenPolicy {
  secret: string;
  issuer: string;
  audience: string;
  /** The longest a token may live, from `iat` to `exp`. */
  maxLifetimeSeconds: number;
  /** The clock difference tolerated between the issuer and this API. */
  clockToleranceSeconds: number;
  /** A regional identity provider whose tokens people sign in with (api/oidc.ts). */
  oidc?: OidcVerifier;
}

export const TOKEN_DEFAULTS = {
  issuer: 'cpi-casework',
  audience: 'cpi-casework-api',
  maxLifetimeSeconds: 24 * 3600,
  clockToleranceSeconds: 60,
} as const;

/** The policy for a secret with the defaults (tests, benchmarks, development). */
export function tokenPolicy(secret: string, over: Partial<Omit<TokenPolicy, 'secret'>> = {}): TokenPolicy {
  return { secret, ...TOKEN_DEFAULTS, ...over };
}

/** The key of each secret, made once: given a string, the library first tries (and fails) to read a public key. */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

export function verifyToken(token: string, policy: TokenPolicy): Principal {
  let payload: unknown;
  try {
    payload = jwt.verify(token, keyOf(policy.secret), {
      algorithms: ['HS256'],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: policy.clockToleranceSeconds,
    });
  } catch (err) {
    throw problems.unauthorized(
      err instanceof jwt.TokenExpiredError
        ? 'The token has expired.'
        : err instanceof jwt.JsonWebTokenError && /audience|issuer/.test(err.message)
          ? `The token is not for this API (issuer ${policy.issuer}, audience ${policy.audience}).`
          : 'The token is not valid.',
    );
  }
  const parsed = claims.safeParse(payload);
  if (!parsed.success)
    throw problems.unauthorized('The token lacks the claims sub, role, offices, iat and exp.');
  const { iat, exp, ...principal } = parsed.data;
  if (iat > Date.now() / 1000 + policy.clockToleranceSeconds)
    throw problems.unauthorized('The token is issued in the future.');
  if (exp - iat > policy.maxLifetimeSeconds) {
    throw problems.unauthorized(
      `The token lives longer than ${Math.round(policy.maxLifetimeSeconds / 3600)} hours: ask for a shorter one.`,
    );
  }
  return principal;
}

export function signToken(
  p: Principal,
  secret: string,
  expiresIn: jwt.SignOptions['expiresIn'] = '12h',
  opts: { issuer?: string; audience?: string } = {},
): string {
  return jwt.sign({ role: p.role, offices: p.offices, ...(p.relays ? { relays: p.relays } : {}) }, secret, {
    algorithm: 'HS256',
    subject: p.sub,
    expiresIn,
    issuer: opts.issuer ?? TOKEN_DEFAULTS.issuer,
    audience: opts.audience ?? TOKEN_DEFAULTS.audience,
  });
}

/**
 * Whether a principal has been disabled (revoked), read from `principals` and kept for a few seconds: a
 * revocation holds at once in the process that made it, and within `ttlMs` in the others.
 */
export class PrincipalStatus {
  private readonly cache = new Map<string, { disabled: boolean; until: number }>();

  constructor(
    private readonly read: (sub: string) => Promise<boolean>,
    private readonly ttlMs = 10_000,
  ) {}

  async disabled(sub: string): Promise<boolean> {
    const hit = this.cache.get(sub);
    if (hit && hit.until > Date.now()) return hit.disabled;
    const disabled = await this.read(sub);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(sub, { disabled, until: Date.now() + this.ttlMs });
    return disabled;
  }

  forget(sub: string): void {
    this.cache.delete(sub);
  }
}

export function authenticate(policy: TokenPolicy, status?: PrincipalStatus, apiKeys?: ApiKeys) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const credential = match?.[1] ?? req.header('x-api-key');
    if (!credential) throw problems.unauthorized('Send Authorization: Bearer <token>, or X-API-Key: <key>.');
    const principal =
      apiKeys && ApiKeys.isApiKey(credential)
        ? await apiKeys.verify(credential)
        : policy.oidc?.isFromProvider(credential)
          ? await policy.oidc.verify(credential)
          : verifyToken(credential, policy);
    if (status && (await status.disabled(principal.sub)))
      throw problems.unauthorized(`The principal ${principal.sub} has been disabled.`);
    req.principal = principal;
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw problems.unauthorized('Send Authorization: Bearer <token>.');
  return req.principal;
}

export function requireRole(req: Request, roles: readonly Role[], action: string): Principal {
  const p = principalOf(req);
  if (!roles.includes(p.role)) throw problems.forbidden(`The role ${p.role} may not ${action}.`);
  return p;
}

/** Whether a principal may see a case: officers and supervisors by office, integrators their own, admins all. */
export function canSeeCase(
  p: Principal,
  c: { office: string; openedBySub: string; procedure?: string },
): boolean {
  if (p.procedures && c.procedure !== undefined && !p.procedures.includes(c.procedure)) return false;
  switch (p.role) {
    case 'admin':
      return true;
    case 'integrator':
      return c.openedBySub === p.sub;
    default:
      return p.offices.includes(c.office);
  }
}

/** The same scope as `canSeeCase`, handed to a case's Updates so that the workflow checks it. */
export function callerScope(p: Principal): CallerScope {
  switch (p.role) {
    case 'admin':
      return { offices: null, openedBySub: null };
    case 'integrator':
      return { offices: null, openedBySub: p.sub, ...(p.procedures ? { procedures: p.procedures } : {}) };
    default:
      return { offices: p.offices, openedBySub: null };
  }
}
