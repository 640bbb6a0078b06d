import { Writable } from 'node:stream';
import winston from 'winston';
import { ConfigError, loadConfig } from '../../platform/config';
import { createLogger, temporalLogger } from '../../platform/logger';

const goodEnv = { MONGODB_URI: 'mongodb://127.0.0.1:27017/cpi', JWT_SECRET: 'x'.repeat(32) };

describe('configuration', () => {
  it('when the environment is complete, then defaults fill the rest', () => {
    const c = loadConfig(goodEnv);
    expect(c.PORT).toBe(8080);
    expect(c.TEMPORAL_ADDRESS).toBe('localhost:7233');
    expect(c.LOG_FORMAT).toBe('pretty');
    expect(
      loadConfig({ ...goodEnv, NODE_ENV: 'production', PAYLOAD_KEYS: `k1:${'A'.repeat(43)}=` }).LOG_FORMAT,
    ).toBe('json');
  });

  it('when several values are missing or malformed, then one error lists every problem and no secret', () => {
    let error: unknown;
    try {
      loadConfig({ JWT_SECRET: 'short-secret-value', PORT: 'eighty', MONGODB_URI: '', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/MONGODB_URI/);
    expect(problems).toMatch(/JWT_SECRET: must be at least 32 characters/);
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/LOG_LEVEL/);
    expect((error as Error).message).not.toContain('short-secret-value');
  });
});

describe('identity provider settings', () => {
  it('when only some OIDC settings are given, then the others are named as missing', () => {
    expect(() => loadConfig({ ...goodEnv, OIDC_ISSUER: 'https://idp.example/realms/cpi' })).toThrow(
      /OIDC_AUDIENCE: required with the other OIDC_ settings[\s\S]*OIDC_JWKS_URL: required/,
    );
    const c = loadConfig({
      ...goodEnv,
      OIDC_ISSUER: 'https://idp.example/realms/cpi',
      OIDC_AUDIENCE: 'cpi-casework-api',
      OIDC_JWKS_URL: 'https://idp.example/realms/cpi/protocol/openid-connect/certs',
    });
    expect(c.OIDC_ROLE_CLAIM).toBe('cpi_role');
    expect(c.OIDC_JWKS_COOLDOWN_SECONDS).toBe(30);
  });
});

describe('logging', () => {
  function capture(): { logger: winston.Logger; lines: () => Record<string, unknown>[] } {
    const out: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', service: 't' });
    logger.clear().add(
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk: Buffer, _enc, cb) {
            out.push(chunk.toString());
            cb();
          },
        }),
      }),
    );
    return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  it('when a line carries secrets at any depth, then their values never reach the log', () => {
    const { logger, lines } = capture();
    logger.info('request', {
      headers: { authorization: 'Bearer abc.def' },
      config: { JWT_SECRET: 'zzz', port: 1 },
      token: 't',
    });
    const line = JSON.stringify(lines()[0]);
    expect(line).not.toContain('abc.def');
    expect(line).not.toContain('zzz');
    expect(line).toContain('"port":1');
    expect(line).toContain('[redacted]');
  });

  it('when the Temporal SDK logs with a workflow id, then the line names it as the case id', () => {
    const { logger, lines } = capture();
    temporalLogger(logger).info('case opened', { workflowId: 'CIGO-2026-X', sdkComponent: 'workflow' });
    expect(lines()[0]).toMatchObject({ message: 'case opened', caseId: 'CIGO-2026-X', level: 'info' });
  });
});
