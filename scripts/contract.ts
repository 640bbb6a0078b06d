/**
 * `npm run contract`: the API document is the contract (issue 12 §3). Starts the real stack (Temporal dev server,
 * FerretDB, the worker and the API, as `npm run bench` does), then runs Schemathesis (pinned in
 * scripts/provision.sh) over every operation of `/openapi.json` with an administrator's token: examples, coverage,
 * fuzzing and stateful phases (links from `POST /v1/cases` to the case operations), every check. Exits with
 * Schemathesis' status, so CI fails on any failure. CONTRACT_MAX_EXAMPLES (default 30) bounds the fuzzing per
 * operation; CONTRACT_ARGS adds Schemathesis options (e.g. `--include-path-regex /v1/cases`).
 */
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Principal } from '../api/auth';
import { startBenchStack } from './bench/stack';
import { ROOT } from './local-servers';

const MAX_EXAMPLES = Number(process.env.CONTRACT_MAX_EXAMPLES ?? 30);
const admin: Principal = { sub: 'admin', role: 'admin', offices: [] };

function schemathesisPath(): string {
  const prov = spawnSync(
    'bash',
    [path.join(ROOT, 'scripts', 'provision.sh'), '--quiet', '--with-schemathesis'],
    {
      stdio: 'inherit',
    },
  );
  if (prov.status !== 0) process.exit(prov.status ?? 1);
  return path.join(ROOT, '.tools', 'bin', 'schemathesis');
}

async function main(): Promise<void> {
  const bin = schemathesisPath();
  // Schemathesis sends requests without a token on purpose (ignored_auth): the per-address limit must not turn
  // the rest of the run into 429s.
  const stack = await startBenchStack({
    limits: { authFailuresPerMinute: 1_000_000, applicationsPerMinute: 1_000_000 },
  });
  const reports = path.join(ROOT, '.data', 'contract');
  mkdirSync(reports, { recursive: true });
  const args = [
    'run',
    `${stack.base}/openapi.json`,
    '--url',
    stack.base,
    '-H',
    `Authorization: Bearer ${stack.token(admin)}`,
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--checks',
    'all',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--workers',
    '2',
    '--request-timeout',
    '30',
    '--seed',
    process.env.CONTRACT_SEED ?? '1',
    '--report',
    'junit',
    '--report-dir',
    reports,
    ...(process.env.CONTRACT_ARGS ? process.env.CONTRACT_ARGS.split(' ').filter(Boolean) : []),
  ];
  process.stderr.write(
    `schemathesis ${args.map((a) => (a.startsWith('Authorization') ? 'Authorization: Bearer …' : a)).join(' ')}\n`,
  );
  // From the repository root, so that Schemathesis reads schemathesis.toml.
  const child = spawn(bin, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  const code: number = await new Promise((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  await stack.close();
  process.exit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `contract run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
