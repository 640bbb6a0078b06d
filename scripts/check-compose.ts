/**
 * Static check of docker-compose.yml and the Dockerfile (no Docker engine runs in CI): the services a deployment
 * needs are there, their dependencies exist, the app services get every required setting, secrets come from the
 * environment and are never written in the file, and the image builds what the commands run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const problems: string[] = [];
const need = (ok: boolean, what: string): void => {
  if (!ok) problems.push(what);
};

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  depends_on?: Record<string, unknown> | string[];
  environment?: Record<string, string | number>;
  healthcheck?: unknown;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services?: Record<string, Service>;
};
const services = compose.services ?? {};
for (const name of ['temporal-db', 'temporal', 'temporal-ui', 'mongodb', 'api', 'worker']) {
  need(name in services, `service ${name} is missing`);
}
need(/postgres/.test(services['temporal-db']?.image ?? ''), 'Temporal must persist to PostgreSQL');
need(/^mongo:/.test(services.mongodb?.image ?? ''), 'MongoDB must be the real mongo image');
for (const [name, svc] of Object.entries(services)) {
  const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
  for (const d of deps) need(d in services, `${name} depends on unknown service ${d}`);
}
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
for (const name of ['api', 'worker']) {
  const svc = services[name];
  if (!svc) continue;
  need(svc.build !== undefined, `${name} must build from the Dockerfile`);
  const env = svc.environment ?? {};
  for (const key of ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'JWT_SECRET', 'PAYLOAD_KEYS', 'NODE_ENV'])
    need(key in env, `${name} lacks ${key}`);
  for (const secret of ['JWT_SECRET', 'PAYLOAD_KEYS'])
    need(
      new RegExp(`^\\$\\{${secret}:\\?`).test(String(env[secret] ?? '')),
      `${name}: ${secret} must come from the environment`,
    );
  const entry = svc.command?.[1] ?? '';
  need(/^dist\/(api\/server|worker\/main)\.js$/.test(entry), `${name} runs an unexpected entry ${entry}`);
  const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
  need(existsSync(path.join(ROOT, source)), `${name}: ${source} does not exist`);
  need(
    Object.values(pkg.scripts).some((s) => s.includes(entry)),
    `${name}: no npm script runs ${entry}`,
  );
}
need(services.api?.healthcheck !== undefined, 'api needs a healthcheck');
const raw = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
need(
  !/(PASSWORD|PWD|SECRET):[ \t]*['"]?[A-Za-z0-9]{6,}/.test(raw.replace(/\$\{[^}]+\}/g, '')),
  'a password is written in the compose file',
);

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
need(/npm ci/.test(dockerfile) && /npm run build/.test(dockerfile), 'the Dockerfile must npm ci and build');
const copied: string[] = [];
for (const m of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
  const src = m[1] ?? '';
  copied.push(src.replace(/\/$/, ''));
  need(existsSync(path.join(ROOT, src)), `Dockerfile copies ${src}, which does not exist`);
}
// What the production build compiles must be in the image's build stage (e.g. the operator scripts).
const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
  include: string[];
};
for (const inc of build.include)
  need(
    copied.some((c) => inc === c || inc.startsWith(`${c}/`)),
    `tsconfig.build.json compiles ${inc}, which the Dockerfile does not copy`,
  );

if (problems.length > 0) {
  process.stderr.write(`docker-compose check failed:\n  - ${problems.join('\n  - ')}\n`);
  process.exit(1);
}
process.stdout.write(
  `docker-compose check: ${Object.keys(services).length} services, Dockerfile consistent\n`,
);
