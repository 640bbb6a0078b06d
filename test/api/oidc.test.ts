/**
 * People sign in through a regional identity provider (OpenID Connect): a real HTTP server here publishes the
 * provider's key set, and the API verifies its tokens against it, follows a key rotation without a restart, and
 * refuses tokens that are forged, for another audience, expired, living too long or without a role. HS256 tokens
 * (development, operators) keep working beside it.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JWK } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import type { ApiStack } from '../support/api-env';
import { principals, startApiStack } from '../support/api-env';

const ISSUER = 'https://idp.regione.toscana.example/realms/cpi';
const AUDIENCE = 'cpi-casework-api';

let s: ApiStack;
let idp: Server;
let jwksUrl: string;
let jwksFetches = 0;
const published: JWK[] = [];
const keys = new Map<string, CryptoKey>();

async function addKey(kid: string): Promise<void> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  keys.set(kid, privateKey);
  published.push({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' });
}

function token(
  claims: Record<string, unknown>,
  opts: { kid?: string; audience?: string; expiresIn?: string; issuedAt?: number; key?: CryptoKey } = {},
): Promise<string> {
  const kid = opts.kid ?? 'k1';
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setSubject('mario.rossi@regione.toscana.example')
    .setIssuedAt(opts.issuedAt)
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(opts.key ?? keys.get(kid)!);
}

const officer = { cpi_role: 'officer', cpi_offices: ['lucca'] };

beforeAll(async () => {
  await addKey('k1');
  idp = createServer((req, res) => {
    if (req.url === '/certs') {
      jwksFetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/certs`;
  s = await startApiStack({
    // No pause between two fetches of the key set here: the test rotates the key at once.
    config: {
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: jwksUrl,
      OIDC_JWKS_COOLDOWN_SECONDS: 0,
    },
  });
}, 120_000);
afterAll(async () => {
  await s?.close();
  await new Promise((r) => idp?.close(r));
});

const me = (bearer: string) => request(s.app).get('/v1/me').set('Authorization', `Bearer ${bearer}`);

describe('sign-in through the identity provider', () => {
  it('when a person signs in, then the role and offices the provider adds are theirs, and their scope holds', async () => {
    const res = await me(await token(officer));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sub: 'mario.rossi@regione.toscana.example',
      role: 'officer',
      offices: ['lucca'],
    });
    // A space-separated claim reads the same.
    const spaced = await me(await token({ cpi_role: 'supervisor', cpi_offices: 'lucca viareggio' }));
    expect(spaced.body.offices).toEqual(['lucca', 'viareggio']);
    const inbox = await request(s.app)
      .get('/v1/tasks?view=available&office=viareggio')
      .set('Authorization', `Bearer ${await token(officer)}`);
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toEqual([]);
    // HS256 tokens of development and operators still work beside it.
    expect((await me(s.token(principals.lucca))).status).toBe(200);
  });

  it('when the provider rotates its key, then tokens of the new key are taken without a restart', async () => {
    const before = jwksFetches;
    await addKey('k2');
    const rotated = await me(await token(officer, { kid: 'k2' }));
    expect([rotated.status, rotated.body.detail]).toEqual([200, undefined]);
    expect(jwksFetches).toBe(before + 1);
    // The set is kept: the next token of a known key costs no fetch.
    expect((await me(await token(officer, { kid: 'k1' }))).status).toBe(200);
    expect(jwksFetches).toBe(before + 1);
  });

  it('when a token is forged, for another audience, expired, too long-lived or without a role, then 401 says why', async () => {
    const { privateKey: stranger } = await generateKeyPair('RS256');
    const cases: [string, Promise<string>, RegExp][] = [
      ['forged', token(officer, { key: stranger }), /not valid/],
      ['other audience', token(officer, { audience: 'another-api' }), /aud/],
      [
        'expired',
        token(officer, { issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresIn: '-1h' }),
        /expired/,
      ],
      ['lives 3 days', token(officer, { expiresIn: '72h' }), /longer than 24 hours/],
      ['no role', token({ cpi_offices: ['lucca'] }), /cpi_role/],
      ['unknown role', token({ cpi_role: 'director', cpi_offices: ['lucca'] }), /cpi_role/],
    ];
    for (const [name, pending, detail] of cases) {
      const res = await me(await pending);
      expect([name, res.status]).toEqual([name, 401]);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect([name, String(res.body.detail)]).toEqual([name, expect.stringMatching(detail)]);
    }
  });
});
