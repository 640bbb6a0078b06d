/** The OpenAPI document is valid OpenAPI 3.1, checked with an independent validator (its CLI: the package is ESM). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { tokenPolicy } from '../../api/auth';
import { buildOpenApi } from '../../api/openapi';
import { declaredRoutes } from '../../api/routes';
import { EncryptionCodec, newPayloadKeyEntry, parsePayloadKeys } from '../../platform/payload-codec';
import type { Db } from '../../platform/db';

type Json = Record<string, unknown>;
import { createLogger } from '../../platform/logger';

/** The app as served, with every optional part mounted (codec, demo clock); nothing here reaches a database. */
function fullApp(): Express {
  return createApp({
    db: { connection: { collection: () => ({}) } } as unknown as Db,
    temporal: {} as Client,
    taskQueue: 'unit',
    tokens: tokenPolicy('x'.repeat(32)),
    logger: createLogger({ level: 'error', format: 'json', service: 'unit' }),
    codec: { codec: new EncryptionCodec(parsePayloadKeys(newPayloadKeyEntry('k'))), corsOrigins: [] },
    devClock: { now: () => Promise.resolve(0), advance: () => Promise.resolve() },
    devPrincipals: [],
  });
}

async function documentOf(app: Express): Promise<{ paths: Record<string, Record<string, unknown>> }> {
  const res = await request(app).get('/openapi.json');
  expect(res.status).toBe(200);
  return res.body as { paths: Record<string, Record<string, unknown>> };
}

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every (method, path) Express would serve, found by walking its routers, not from the route table. */
function mountedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      // A route for every method is the table's 405 answer, not an operation.
      if (layer.route && Object.keys(layer.route.methods).length > 10) continue;
      if (layer.route) {
        for (const [m, on] of Object.entries(layer.route.methods))
          if (on && m !== '_all') out.push(`${m} ${prefix}${layer.route.path}`);
      } else if (layer.handle.stack) walk(layer.handle.stack, `${prefix}${layer.rawPath ?? ''}`);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const cli = path.join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '@seriousme',
  'openapi-schema-validator',
  'bin',
  'validate-api-cli.js',
);

function validate(doc: object): { valid: boolean; output: string } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oas-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  try {
    return { valid: true, output: execFileSync(process.execPath, [cli, file], { encoding: 'utf8' }) };
  } catch (err) {
    return { valid: false, output: String((err as { stdout?: string }).stdout ?? err) };
  }
}

describe('OpenAPI document', () => {
  it('when generated from the route table, then it validates as OpenAPI 3.1', async () => {
    const result = validate(await documentOf(fullApp()));
    expect(result.output).toContain('"valid": true');
    expect(result.valid).toBe(true);
  });

  it('when a document is broken, then the validator says so (the check can fail)', async () => {
    const broken = { ...(await documentOf(fullApp())), paths: { '/x': { get: { responses: 'none' } } } };
    expect(validate(broken).valid).toBe(false);
  });

  it('when the server mounts a route, then the document has it, with an operationId, and lists no route the server lacks', async () => {
    const app = fullApp();
    const doc = await documentOf(app);
    const mounted = mountedRoutes(app).map((r) => r.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    );
    expect(mounted.length).toBeGreaterThan(40);
    expect(mounted.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !mounted.includes(r))).toEqual([]);
    const ids = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((o) => (o as { operationId?: string }).operationId),
    );
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a route answers 2xx with a body, then the document says what the body is (no bare object)', async () => {
    const doc = await documentOf(fullApp());
    const vague: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(ops)) {
        const responses = (
          op as { responses: Record<string, { content?: Record<string, { schema?: Json }> }> }
        ).responses;
        for (const [status, r] of Object.entries(responses)) {
          if (!/^2/.test(status) || !r.content) continue;
          for (const [type, c] of Object.entries(r.content)) {
            const schema = c.schema ?? {};
            const bare = type === 'application/json' && !schema.$ref && !schema.properties && !schema.allOf;
            if (bare) vague.push(`${m} ${p} ${status}`);
          }
        }
      }
    expect(vague).toEqual([]);
  });

  it('when a person opens /docs, then the reference page loads its own copy of Swagger UI and points it at the document', async () => {
    const app = fullApp();
    const page = await request(app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain("url: '/openapi.json'");
    const bundle = await request(app).get('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.type).toMatch(/javascript/);
    expect((await request(app).get('/docs/assets/swagger-ui.css')).status).toBe(200);
  });

  it('when the client is generated from the declared routes, then it sees the document a full server serves', async () => {
    const served = await documentOf(fullApp());
    expect(buildOpenApi(declaredRoutes())).toEqual(served);
  });

  it('when a route is mounted outside the table, then the walk finds it missing from the document (the check can fail)', async () => {
    const app = fullApp();
    app.get('/v1/not-in-the-table', (_req, res) => {
      res.end();
    });
    const doc = await documentOf(app);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    );
    const mounted = mountedRoutes(app).map((r) => r.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    expect(mounted.filter((r) => !documented.includes(r))).toEqual(['get /v1/not-in-the-table']);
  });
});
