/**
 * Sign-in of people through a regional identity provider (issue 12 §5): the API accepts the provider's access
 * tokens (OpenID Connect, signed with the provider's keys, RS256 or ES256), verified against its JSON Web Key Set
 * with `jose`. The set is fetched when a token names a key not seen yet, so the provider rotates its keys without
 * a restart. The provider names who the person is (`sub`); the role, offices and relays come from claims it is
 * configured to add (`cpi_role`, `cpi_offices`, `cpi_relays` by default). HS256 tokens signed with JWT_SECRET stay
 * for development and for operators' tokens (`npm run token`).
 */
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { Role } from '../domain/case-model';
import { ROLES } from '../domain/case-model';
import type { Relay } from '../domain/procedure';
import { RELAYS } from '../domain/procedure';
import type { Principal } from './auth';
import { problems } from './problem';

export interface OidcPolicy {
  issuer: string;
  audience: string;
  /** The provider's key set (`jwks_uri` of its discovery document). */
  jwksUrl: string;
  roleClaim: string;
  officesClaim: string;
  relaysClaim: string;
  maxLifetimeSeconds: number;
  clockToleranceSeconds: number;
  /** The least time between two fetches of the key set (a token naming an unknown key triggers one). */
  jwksCooldownSeconds?: number;
}

export const OIDC_DEFAULTS = {
  roleClaim: 'cpi_role',
  officesClaim: 'cpi_offices',
  relaysClaim: 'cpi_relays',
} as const;

/** A claim holding a list: an array of strings, or one string of items separated by spaces or commas. */
function listClaim(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return null;
}

export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(readonly policy: OidcPolicy) {
    // A token naming an unknown key triggers a fetch (at most every `jwksCooldownSeconds`); a slow provider is
    // a deadline (5 s), not a hang.
    this.jwks = createRemoteJWKSet(new URL(policy.jwksUrl), {
      timeoutDuration: 5000,
      cooldownDuration: (policy.jwksCooldownSeconds ?? 30) * 1000,
    });
  }

  /** Whether a bearer credential claims to come from this provider (read before any verification). */
  isFromProvider(credential: string): boolean {
    try {
      return decodeJwt(credential).iss === this.policy.issuer;
    } catch {
      return false;
    }
  }

  async verify(credential: string): Promise<Principal> {
    const p = this.policy;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(credential, this.jwks, {
        issuer: p.issuer,
        audience: p.audience,
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
        clockTolerance: p.clockToleranceSeconds,
        requiredClaims: ['sub', 'iat', 'exp'],
        maxTokenAge: p.maxLifetimeSeconds,
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw problems.unauthorized('The token has expired.');
      if (err instanceof errors.JWTClaimValidationFailed)
        throw problems.unauthorized(`The token's ${err.claim} claim is not accepted: ${err.reason}.`);
      if (
        err instanceof errors.JWKSTimeout ||
        (err instanceof errors.JOSEError && err.code === 'ERR_JWKS_NO_MATCHING_KEY')
      )
        throw problems.unauthorized('The token is signed with a key the identity provider does not publish.');
      throw problems.unauthorized('The token is not valid.');
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200)
      throw problems.unauthorized('The token names no subject.');
    const exp = payload.exp ?? 0;
    const iat = payload.iat ?? 0;
    if (exp - iat > p.maxLifetimeSeconds)
      throw problems.unauthorized(
        `The token lives longer than ${Math.round(p.maxLifetimeSeconds / 3600)} hours.`,
      );
    const role = payload[p.roleClaim];
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
      throw problems.unauthorized(
        `The token carries no ${p.roleClaim} claim naming a role (${ROLES.join(', ')}): the identity provider must add it.`,
      );
    const offices = listClaim(payload[p.officesClaim]);
    const relays = listClaim(payload[p.relaysClaim]);
    if (offices === null || offices.length > 50)
      throw problems.unauthorized(`The token's ${p.officesClaim} claim is not a list of office codes.`);
    if (relays === null || relays.some((r) => !(RELAYS as readonly string[]).includes(r)))
      throw problems.unauthorized(`The token's ${p.relaysClaim} claim names an unknown relay.`);
    return {
      sub: payload.sub,
      role: role as Role,
      offices,
      ...(relays.length > 0 ? { relays: relays as Relay[] } : {}),
    };
  }
}
