/** Pieces every page uses: alerts in the API's words, badges, tables with their CSV, and busy buttons. */
import { Problem, download } from './api';
import type { Child } from './dom';
import { h } from './dom';
import { label } from './labels';

/** A refusal as an alert: the Italian title of its code, then the API's own words and the fields it names. */
export function problemAlert(err: unknown, unplaced?: { path: string; message: string }[]): HTMLElement {
  if (err instanceof Problem) {
    const fields = unplaced ?? err.errors;
    return h(
      'div',
      { class: 'alert alert-danger', role: 'alert', 'data-problem': err.slug },
      h('strong', {}, label('problems', err.slug, err.title)),
      err.detail ? h('p', { class: 'mb-0' }, err.detail) : null,
      fields.length > 0
        ? h('ul', { class: 'mb-0' }, ...fields.map((e) => h('li', {}, `${e.path}: ${e.message}`)))
        : null,
    );
  }
  return h(
    'div',
    { class: 'alert alert-danger', role: 'alert' },
    err instanceof Error ? err.message : String(err),
  );
}

export function successAlert(text: string): HTMLElement {
  return h('div', { class: 'alert alert-success', role: 'status' }, text);
}

const STATUS_BADGE: Record<string, string> = {
  open: 'bg-primary',
  suspended: 'bg-warning text-dark',
  closed: 'bg-success',
  withdrawn: 'bg-secondary',
  failed: 'bg-danger',
  pending: 'bg-primary',
  met: 'bg-success',
  missed: 'bg-danger',
  cancelled: 'bg-secondary',
  completed: 'bg-success',
  ok: 'bg-success',
  warning: 'bg-warning text-dark',
  defect: 'bg-danger',
  refused: 'bg-danger',
};
export function badge(text: string, code: string): HTMLElement {
  return h('span', { class: `badge ${STATUS_BADGE[code] ?? 'bg-secondary'}` }, text);
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
  numeric?: boolean;
}

/** A table with a caption; `csv` adds the button that downloads the same table from the API. */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], csv?: string): HTMLElement {
  return h(
    'div',
    { class: 'table-block mb-4' },
    h(
      'div',
      { class: 'd-flex justify-content-between align-items-center' },
      h('h3', { class: 'h5 mb-2' }, caption),
      csv
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn btn-outline-primary btn-xs',
              'data-csv': csv,
              'on:click': (e: Event) => {
                const b = e.currentTarget as HTMLButtonElement;
                b.disabled = true;
                download(csv)
                  .catch((err: unknown) => b.after(problemAlert(err)))
                  .finally(() => (b.disabled = false));
              },
            },
            'Scarica CSV',
          )
        : null,
    ),
    h(
      'div',
      { class: 'table-responsive' },
      h(
        'table',
        { class: 'table table-sm table-hover' },
        h('caption', { class: 'visually-hidden' }, caption),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'text-end' : '' }, c.title)),
          ),
        ),
        h(
          'tbody',
          {},
          rows.length === 0
            ? h('tr', {}, h('td', { colspan: columns.length, class: 'text-muted' }, 'Nessun dato'))
            : rows.map((r) =>
                h(
                  'tr',
                  {},
                  ...columns.map((c) => h('td', { class: c.numeric ? 'text-end' : '' }, c.cell(r))),
                ),
              ),
        ),
      ),
    ),
  );
}

/** Runs an action with its button disabled and a live status, showing a refusal where the page puts it. */
export async function busy<T>(button: HTMLButtonElement | null, action: () => Promise<T>): Promise<T> {
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    return await action();
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h(
    'section',
    { class: 'mb-5', 'aria-label': title },
    h('h2', { class: 'h4 mb-3' }, title),
    ...children,
  );
}

export function pageTitle(text: string, ...extra: Child[]): HTMLElement {
  document.title = `${text} — Console CPI`;
  return h(
    'div',
    { class: 'mb-4' },
    h('h1', { class: 'h2', tabindex: -1, id: 'page-title' }, text),
    ...extra,
  );
}
