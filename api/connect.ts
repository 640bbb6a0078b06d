import type { Express } from 'express';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import type { AppLogger } from '../platform/logger';
import type { DevPrincipal } from './console';
import type { DevClock } from './app';
import { createApp } from './app';
import { tokenPolicy } from './auth';
import { OIDC_DEFAULTS, OidcVerifier } from './oidc';
import { EncryptionCodec } from '../platform/payload-codec';
import { ensureSchedules } from '../platform/schedules';
import { ensureSearchAttributes } from '../platform/search-attributes';

/** The API wired from the config: one Temporal connection per process, shared by every request. */
export async function connectApi(
  config: Pick<
    Config,
    | 'TEMPORAL_ADDRESS'
    | 'TEMPORAL_NAMESPACE'
    | 'TEMPORAL_TASK_QUEUE'
    | 'JWT_SECRET'
    | 'BODY_LIMIT'
    | 'UPDATE_TIMEOUT_MS'
  > &
    Partial<
      Pick<
        Config,
        | 'JWT_ISSUER'
        | 'JWT_AUDIENCE'
        | 'JWT_MAX_LIFETIME_HOURS'
        | 'AUTH_FAILURES_PER_MINUTE'
        | 'APPLICATIONS_PER_MINUTE'
        | 'TRUST_PROXY'
        | 'PAYLOAD_KEYS'
        | 'CODEC_CORS_ORIGINS'
        | 'OIDC_ISSUER'
        | 'OIDC_AUDIENCE'
        | 'OIDC_JWKS_URL'
        | 'OIDC_ROLE_CLAIM'
        | 'OIDC_OFFICES_CLAIM'
        | 'OIDC_RELAYS_CLAIM'
        | 'OIDC_JWKS_COOLDOWN_SECONDS'
        | 'TEMPORAL_UI_URL'
        | 'NODE_ENV'
        | 'WEBHOOK_LOOPBACK_ONLY'
      >
    >,
  db: Db,
  logger: AppLogger,
  extra: { devClock?: DevClock; checkAnswers?: boolean; devPrincipals?: DevPrincipal[] } = {},
): Promise<{ app: Express; temporal: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const codec = config.PAYLOAD_KEYS ? new EncryptionCodec(config.PAYLOAD_KEYS) : undefined;
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: {
      failureConverterPath: require.resolve('../platform/failure-converter'),
      ...(codec ? { payloadCodecs: [codec] } : {}),
    },
  });
  // The time-skipping server behind the demo clock has no schedules; the campaign is opened by hand there.
  if (!extra.devClock) await ensureSchedules(temporal, config.TEMPORAL_TASK_QUEUE, logger);
  const searchAttributes = await ensureSearchAttributes(temporal, logger);
  const app = createApp({
    db,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    tokens: tokenPolicy(config.JWT_SECRET, {
      ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
      ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
      ...(config.JWT_MAX_LIFETIME_HOURS ? { maxLifetimeSeconds: config.JWT_MAX_LIFETIME_HOURS * 3600 } : {}),
      ...(config.OIDC_ISSUER && config.OIDC_AUDIENCE && config.OIDC_JWKS_URL
        ? {
            oidc: new OidcVerifier({
              issuer: config.OIDC_ISSUER,
              audience: config.OIDC_AUDIENCE,
              jwksUrl: config.OIDC_JWKS_URL,
              roleClaim: config.OIDC_ROLE_CLAIM ?? OIDC_DEFAULTS.roleClaim,
              officesClaim: config.OIDC_OFFICES_CLAIM ?? OIDC_DEFAULTS.officesClaim,
              relaysClaim: config.OIDC_RELAYS_CLAIM ?? OIDC_DEFAULTS.relaysClaim,
              maxLifetimeSeconds: (config.JWT_MAX_LIFETIME_HOURS ?? 24) * 3600,
              clockToleranceSeconds: 60,
              ...(config.OIDC_JWKS_COOLDOWN_SECONDS !== undefined
                ? { jwksCooldownSeconds: config.OIDC_JWKS_COOLDOWN_SECONDS }
                : {}),
            }),
          }
        : {}),
    }),
    logger,
    bodyLimit: config.BODY_LIMIT,
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    limits: {
      ...(config.AUTH_FAILURES_PER_MINUTE ? { authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE } : {}),
      ...(config.APPLICATIONS_PER_MINUTE ? { applicationsPerMinute: config.APPLICATIONS_PER_MINUTE } : {}),
    },
    updateTimeoutMs: config.UPDATE_TIMEOUT_MS,
    ...(config.TEMPORAL_UI_URL
      ? { temporalUi: { baseUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE } }
      : {}),
    ...(codec ? { codec: { codec, corsOrigins: config.CODEC_CORS_ORIGINS ?? [] } } : {}),
    searchAttributes,
    webhooks: {
      // Production: https to public addresses only; development and the tests call receivers on this machine.
      urls: {
        requireHttps: config.NODE_ENV === 'production',
        allowPrivate: config.NODE_ENV !== 'production',
        ...(config.WEBHOOK_LOOPBACK_ONLY ? { loopbackOnly: true } : {}),
      },
      ...(config.PAYLOAD_KEYS ? { payloadKeys: config.PAYLOAD_KEYS } : {}),
    },
    ...extra,
  });
  return { app, temporal, close: () => connection.close() };
}
