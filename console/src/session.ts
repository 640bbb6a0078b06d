/**
 * Who is signed in (`GET /v1/me`), the case engine's clock (the demo clock of `npm run dev` when it runs, so that
 * "time left" agrees with the engine) and the console's configuration.
 */
import { get } from './api';

export interface Me {
  sub: string;
  role: 'officer' | 'supervisor' | 'integrator' | 'admin';
  offices: string[];
}
export interface Office {
  code: string;
  name: string;
}
export interface ConsoleConfig {
  temporalUi: { baseUrl: string; namespace: string } | null;
  devClock: boolean;
}

let me: Me | null = null;
let offsetMs = 0;
let config: ConsoleConfig = { temporalUi: null, devClock: false };
let offices: Office[] = [];

export async function loadSession(): Promise<Me> {
  me = await get<Me>('/v1/me');
  config = await fetch('/console/config.json').then((r) => r.json() as Promise<ConsoleConfig>);
  await syncClock();
  offices = (await get<{ items: Office[] }>('/v1/offices')).items;
  return me;
}

/** Reads the demo clock again (after it moved). */
export async function syncClock(): Promise<void> {
  if (!config.devClock) return;
  const clock = await get<{ now: string }>('/v1/dev/clock');
  offsetMs = Date.parse(clock.now) - Date.now();
}

export function now(): number {
  return Date.now() + offsetMs;
}
export function current(): Me | null {
  return me;
}
export function forget(): void {
  me = null;
}
export function consoleConfig(): ConsoleConfig {
  return config;
}
export function officeName(code: string): string {
  return offices.find((o) => o.code === code)?.name ?? code;
}
/** The offices the signed-in principal works for (every office for an administrator). */
export function myOffices(): Office[] {
  if (!me) return [];
  return me.role === 'admin' ? offices : offices.filter((o) => me?.offices.includes(o.code));
}
export function isSupervisor(): boolean {
  return me?.role === 'supervisor' || me?.role === 'admin';
}
/** The case's workflow in the Temporal UI, when configured. */
export function temporalLink(caseId: string): string | null {
  const t = config.temporalUi;
  if (!t) return null;
  return `${t.baseUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(caseId)}`;
}
