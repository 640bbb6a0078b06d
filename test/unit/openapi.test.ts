/** The OpenAPI document is valid OpenAPI 3.1, checked with an independent validator (its CLI: the package is ESM). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildOpenApi } from '../../api/openapi';

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
  it('when generated from the zod contracts, then it validates as OpenAPI 3.1', () => {
    const result = validate(buildOpenApi());
    expect(result.output).toContain('"valid": true');
    expect(result.valid).toBe(true);
  });

  it('when a document is broken, then the validator says so (the check can fail)', () => {
    const broken = { ...buildOpenApi(), paths: { '/x': { get: { responses: 'none' } } } };
    expect(validate(broken).valid).toBe(false);
  });
});
