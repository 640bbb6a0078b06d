/** Reference data and demo principals. Idempotent: upserts by id. */
import type { Principal } from '../api/auth';
import { signToken } from '../api/auth';
import { OFFICES } from '../domain/offices';
import { INSTITUTIONAL_RELAYS } from '../domain/procedure';
import { DEFAULT_RULES } from '../platform/queries';
import type { Db } from '../platform/db';

export const DEMO_PRINCIPALS: (Principal & { name: string })[] = [
  { sub: 'officer-lucca', name: 'Operatore, CPI di Lucca', role: 'officer', offices: ['lucca'] },
  {
    sub: 'officer-castelnuovo-barga',
    name: 'Operatore, CPI Valle del Serchio',
    role: 'officer',
    offices: ['castelnuovo-barga'],
  },
  { sub: 'officer-viareggio', name: 'Operatore, CPI di Viareggio', role: 'officer', offices: ['viareggio'] },
  {
    sub: 'supervisor-lu',
    name: 'Responsabile, Provincia di Lucca',
    role: 'supervisor',
    offices: OFFICES.map((o) => o.code),
  },
  { sub: 'integrator-portal', name: 'Employer portal (integrator)', role: 'integrator', offices: [] },
  {
    sub: 'relay-institutions',
    name: 'Relay of INPS, the Ministry, the Region and public bodies (integrator)',
    role: 'integrator',
    offices: [],
    relays: [...INSTITUTIONAL_RELAYS],
  },
  { sub: 'admin', name: 'Amministratore', role: 'admin', offices: OFFICES.map((o) => o.code) },
];

export async function seedReferenceData(db: Db): Promise<void> {
  for (const o of OFFICES) {
    const { code, ...rest } = o;
    // $setOnInsert: an administrator's later change (e.g. the service target) survives a restart.
    await db.offices.updateOne({ _id: code }, { $setOnInsert: rest }, { upsert: true });
  }
  // The shipped default scoring rule is version 1; administrators publish the next ones.
  for (const { scope, ...rule } of Object.values(DEFAULT_RULES)) {
    await db.scoringRules.updateOne(
      { _id: `${scope}:v1` },
      { $setOnInsert: { scope, ...rule } },
      { upsert: true },
    );
  }
  for (const p of DEMO_PRINCIPALS) {
    const { sub, ...rest } = p;
    await db.principals.updateOne({ _id: sub }, { $set: rest }, { upsert: true });
  }
}

export function demoTokens(secret: string): { sub: string; role: string; token: string }[] {
  return DEMO_PRINCIPALS.map((p) => ({ sub: p.sub, role: p.role, token: signToken(p, secret, '12h') }));
}
