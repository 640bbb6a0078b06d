/**
 * `npm run token -- <sub> <role> [offices] [hours] [relays]`: mints a bearer token for an operator, signed with JWT_SECRET
 * and naming JWT_ISSUER and JWT_AUDIENCE, for at most JWT_MAX_LIFETIME_HOURS (the API refuses longer ones).
 * `offices` is a comma-separated list of office codes (none for integrators); `relays`, for an integrator, the
 * parties whose news it relays (e.g. `inps,ministry`; none: an employer's portal). In the image:
 * `node dist/scripts/token.js <sub> <role> [offices] [hours] [relays]`.
 */
import { z } from 'zod';
import { TOKEN_DEFAULTS, signToken } from '../api/auth';
import { ROLES } from '../domain/case-model';
import { OFFICE_CODES } from '../domain/offices';
import { RELAYS } from '../domain/procedure';

const env = z
  .object({
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    JWT_ISSUER: z.string().min(1).default(TOKEN_DEFAULTS.issuer),
    JWT_AUDIENCE: z.string().min(1).default(TOKEN_DEFAULTS.audience),
    JWT_MAX_LIFETIME_HOURS: z.coerce
      .number()
      .min(0.01)
      .max(720)
      .default(TOKEN_DEFAULTS.maxLifetimeSeconds / 3600),
  })
  .safeParse(process.env);

const [sub, role, offices = '', hours, relays = ''] = process.argv.slice(2);
const list = (v: string): string[] => v.split(',').filter((x) => x.length > 0);
const args = z
  .object({
    sub: z.string().min(1).max(200),
    role: z.enum(ROLES),
    offices: z.array(z.enum(OFFICE_CODES as [string, ...string[]])).max(50),
    hours: z.coerce.number().positive().optional(),
    relays: z.array(z.enum(RELAYS)).optional(),
  })
  .safeParse({
    sub,
    role,
    offices: list(offices),
    ...(hours ? { hours } : {}),
    ...(relays ? { relays: list(relays) } : {}),
  });

if (!env.success || !args.success) {
  const issues = [...(env.error?.issues ?? []), ...(args.error?.issues ?? [])];
  process.stderr.write(
    `usage: npm run token -- <sub> <role: ${ROLES.join('|')}> [offices, comma-separated] [hours] [relays: ${RELAYS.join(',')}]\n` +
      issues.map((i) => `  ${i.path.join('.') || 'argument'}: ${i.message}\n`).join(''),
  );
  process.exit(64); // EX_USAGE
}
const max = env.data.JWT_MAX_LIFETIME_HOURS;
const lifetime = Math.min(args.data.hours ?? max, max);
process.stdout.write(
  `${signToken(
    {
      sub: args.data.sub,
      role: args.data.role,
      offices: args.data.offices,
      ...(args.data.relays ? { relays: args.data.relays } : {}),
    },
    env.data.JWT_SECRET,
    Math.floor(lifetime * 3600),
    { issuer: env.data.JWT_ISSUER, audience: env.data.JWT_AUDIENCE },
  )}\n`,
);
