/**
 * Every workflow type the worker registers, one file per procedure; the kernel is shared. Each run starts from
 * fresh modules, so each type loads its own procedure only when a run of it starts: importing every procedure's
 * schemas eagerly cost every run of every type about 10 ms of CPU (bench: `createWorkflow` → `importWorkflows`).
 * The bundle stays one file (worker/create-worker.ts), so these imports never fetch anything.
 */
import type * as Cigo from './cigo';
import type * as Cigs from './cigs';
import type * as Fis from './fis';
import type * as Mob from './collective-dismissal';
import type * as Pic from './take-in-charge';
import type * as Art16 from './public-hiring';
import type * as L68Enrolment from './l68-enrolment';
import type * as L68Obligation from './l68-obligation';
import type * as L68Campaign from './l68-campaign';
import type * as Reconciler from './reconciler';
import type * as Webhooks from './webhooks';

type Args<F extends (...args: never[]) => unknown> = Parameters<F>;

export async function cigOrdinaria(...args: Args<typeof Cigo.cigOrdinaria>) {
  return (await import('./cigo')).cigOrdinaria(...args);
}
export async function cigStraordinaria(...args: Args<typeof Cigs.cigStraordinaria>) {
  return (await import('./cigs')).cigStraordinaria(...args);
}
export async function fisAssegno(...args: Args<typeof Fis.fisAssegno>) {
  return (await import('./fis')).fisAssegno(...args);
}
export async function licenziamentoCollettivo(...args: Args<typeof Mob.licenziamentoCollettivo>) {
  return (await import('./collective-dismissal')).licenziamentoCollettivo(...args);
}
export async function presaInCarico(...args: Args<typeof Pic.presaInCarico>) {
  return (await import('./take-in-charge')).presaInCarico(...args);
}
export async function avviamentoSelezione(...args: Args<typeof Art16.avviamentoSelezione>) {
  return (await import('./public-hiring')).avviamentoSelezione(...args);
}
export async function iscrizioneCollocamentoMirato(
  ...args: Args<typeof L68Enrolment.iscrizioneCollocamentoMirato>
) {
  return (await import('./l68-enrolment')).iscrizioneCollocamentoMirato(...args);
}
export async function obbligoCollocamentoMirato(
  ...args: Args<typeof L68Obligation.obbligoCollocamentoMirato>
) {
  return (await import('./l68-obligation')).obbligoCollocamentoMirato(...args);
}
export async function campagnaProspettiL68(...args: Args<typeof L68Campaign.campagnaProspettiL68>) {
  return (await import('./l68-campaign')).campagnaProspettiL68(...args);
}
export async function reconcileReadModel(...args: Args<typeof Reconciler.reconcileReadModel>) {
  return (await import('./reconciler')).reconcileReadModel(...args);
}
export async function webhookDispatcher(...args: Args<typeof Webhooks.webhookDispatcher>) {
  return (await import('./webhooks')).webhookDispatcher(...args);
}
