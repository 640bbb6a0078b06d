/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (style.md §5). OpenAPI 3.1
 * uses JSON Schema 2020-12, which zod 4 emits natively, so no converter library is needed.
 */
import { PROCEDURES } from '../domain/catalogue';
import type { RouteTable } from './route-table';
import { jsonSchemaOf } from './route-table';
import { REFUSALS } from '../workflows/messages';
import { caseView } from './views';

type Json = Record<string, unknown>;

export function buildOpenApi(table: RouteTable): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: "CPI casework API (Centri per l'Impiego)",
      version: '1.0.0',
      description:
        'Cases of Italian public employment offices run as durable workflows. Every endpoint but /healthz, /readyz ' +
        'and /openapi.json needs `Authorization: Bearer <JWT>` (HS256; claims sub, role, offices, iat, exp, iss, aud) ' +
        'or an API key (`X-API-Key`). Errors are RFC 9457 problem details with the failing field paths in `errors`. ' +
        'Every path, parameter and body here is the one the server validates: both come from one route table.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT: either a token of the regional identity provider (OIDC_ISSUER, signed with a key of its set at OIDC_JWKS_URL, with the role, offices and relays in the claims OIDC_ROLE_CLAIM, OIDC_OFFICES_CLAIM, OIDC_RELAYS_CLAIM), or an HS256 token (development, operators) with sub, role, offices, iat, exp, iss and aud (JWT_ISSUER, JWT_AUDIENCE); at most JWT_MAX_LIFETIME_HOURS from iat to exp',
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description:
            'A machine’s API key (POST /v1/api-keys), also accepted as `Authorization: Bearer <key>`',
        },
      },
      responses: {
        Problem: {
          description: 'A problem (RFC 9457)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: {
              type: 'string',
              description:
                'urn:cpi-casework:problem:<slug>. Slugs: validation (400 a malformed field, 422 a rule refusing well-formed input), unauthorized, forbidden, news-sender-not-allowed, not-found, method-not-allowed, case-not-open, task-not-open, task-assigned-to-other, task-not-claimed, case-suspended, case-not-suspended, news-not-expected, already-applied, too-many-active-keys, precondition-failed, unsupported-media-type, payload-too-large, idempotency-key-reused, no-rule-in-force, wrong-scope, self-revocation, payload-not-decodable, callback-url, too-many-subscriptions, cursor-not-of-this-list, survey-already-answered, and the rule slugs of refused starts (e.g. not-eligible, transition-not-allowed); too-many-requests; case-engine-timeout, engine-unavailable, database-unavailable, read-model-behind, unavailable',
            },
            title: { type: 'string' },
            reason: {
              enum: Object.keys(REFUSALS),
              description: "The case engine's refusal, when the case's workflow refused the action",
            },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
        Case: jsonSchemaOf(caseView, 'output'),
        ...Object.fromEntries(PROCEDURES.map((p) => [`${p.code}StartInput`, jsonSchemaOf(p.startSchema)])),
      },
    },
    paths: table.openApiPaths(),
  };
}
