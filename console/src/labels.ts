/**
 * Italian labels for the API's stable codes (console/labels/it.json): the API stays language-neutral, the console
 * says everything in the office's language. A code without a label shows as itself.
 */
export type Section =
  | 'roles'
  | 'statuses'
  | 'taskStatuses'
  | 'deadlineStatuses'
  | 'checkResults'
  | 'procedures'
  | 'steps'
  | 'tasks'
  | 'outcomes'
  | 'news'
  | 'events'
  | 'problems'
  | 'ageBuckets'
  | 'fields'
  | 'values';

type Labels = Partial<Record<Section, Record<string, string>>>;
let labels: Labels = {};

export async function loadLabels(language = 'it'): Promise<void> {
  const res = await fetch(`/console/labels/${language}.json`);
  labels = (await res.json()) as Labels;
}

export function label(section: Section, code: string | null | undefined, fallback?: string): string {
  if (code === null || code === undefined) return '—';
  return labels[section]?.[code] ?? fallback ?? code;
}

export function hasLabel(section: Section, code: string): boolean {
  return labels[section]?.[code] !== undefined;
}

/** A step's label, its varying parts put in place ({0}, {1}). */
export function stepLabel(code: string | undefined, params: string[] | undefined, step: string): string {
  if (!code) return step;
  const l = labels.steps?.[code];
  if (!l) return step;
  return l.replace(/\{(\d+)\}/g, (_m, i: string) => params?.[Number(i)] ?? '');
}

/** A field's label: the labels file's, or its name in words ("minutesDate" → "Minutes date"). */
export function fieldLabel(name: string): string {
  const l = labels.fields?.[name];
  if (l) return l;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const dateFmt = new Intl.DateTimeFormat('it-IT', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  timeZone: 'Europe/Rome',
});
const timeFmt = new Intl.DateTimeFormat('it-IT', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Rome',
});

/** A day (YYYY-MM-DD) as Italians write it. */
export function day(d: string | null | undefined): string {
  if (!d) return '—';
  const [y, m, dd] = d.split('-');
  return `${dd}/${m}/${y}`;
}
export function instant(iso: string | null | undefined): string {
  return iso ? timeFmt.format(new Date(iso)) : '—';
}
export function dayOf(iso: string | null | undefined): string {
  return iso ? dateFmt.format(new Date(iso)) : '—';
}

/** The time left until an instant, in words ("tra 3 h", "scaduta da 2 g"). */
export function timeLeft(iso: string | null | undefined, now: number): { text: string; late: boolean } {
  if (!iso) return { text: '—', late: false };
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const hours = Math.round(abs / 3_600_000);
  const span = hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} g`;
  return ms >= 0 ? { text: `tra ${span}`, late: false } : { text: `scaduta da ${span}`, late: true };
}

export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${Math.round(share * 1000) / 10}%`;
}
