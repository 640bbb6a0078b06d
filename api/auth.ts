import type { KeyObject } from 'node:crypto';
import { createSecretKey } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { Role } from '../domain/case-model';
import { ROLES } from '../domain/case-model';
import type { CallerScope } from '../workflows/messages';
import { problems } from './problem';

export interface Principal {
  sub: string;
  role: Role;
  offices: string[];
}

const claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES as [Role, ...Role[]]),
  offices: z.array(z.string().min(1).max(64)).max(50),
});

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

export function verifyToken(token: string, secret: string): Principal {
  let payload: unknown;
  try {
    payload = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'] });
  } catch (err) {
    throw problems.unauthorized(
      err instanceof jwt.TokenExpiredError ? 'The token has expired.' : 'The token is not valid.',
    );
  }
  const parsed = claims.safeParse(payload);
  if (!parsed.success) throw problems.unauthorized('The token lacks the claims sub, role and offices.');
  return parsed.data;
}

export function signToken(
  p: Principal,
  secret: string,
  expiresIn: jwt.SignOptions['expiresIn'] = '30d',
): string {
  return jwt.sign({ role: p.role, offices: p.offices }, secret, {
    algorithm: 'HS256',
    subject: p.sub,
    expiresIn,
  });
}

export function authenticate(secret: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw problems.unauthorized('Send Authorization: Bearer <token>.');
    req.principal = verifyToken(match[1], secret);
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
export function canSeeCase(p: Principal, c: { office: string; openedBySub: string }): boolean {
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
      return { offices: null, openedBySub: p.sub };
    default:
      return { offices: p.offices, openedBySub: null };
  }
}

/** The Mongo filter that limits a query to a principal's scope. */
export function scopeFilter(p: Principal): Record<string, unknown> {
  switch (p.role) {
    case 'admin':
      return {};
    case 'integrator':
      return { openedBySub: p.sub };
    default:
      return { office: { $in: p.offices } };
  }
}
