/**
 * The officer's inbox: mine, available, overdue, escalated; sorted by service target, then legal due day, with
 * the time left; claim and release in place.
 */
import { get, newKey, post } from '../api';
import { h, mount } from '../dom';
import { instant, label, timeLeft } from '../labels';
import { current, myOffices, now, officeName } from '../session';
import { busy, pageTitle, problemAlert, successAlert, table } from '../ui';

export interface InboxTask {
  taskId: string;
  caseId: string;
  procedure: string;
  key: string;
  title: string;
  office: string;
  assignee: string | null;
  targetAt: string;
  legalDueAt: string | null;
  escalated: boolean;
  caseTitle: string;
  priority: string;
}

const VIEWS = [
  { code: 'mine', title: 'Le mie attività' },
  { code: 'available', title: 'Da prendere in carico' },
  { code: 'overdue', title: 'Oltre l’obiettivo' },
  { code: 'escalated', title: 'In escalation' },
] as const;

export async function inboxPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const view = VIEWS.find((v) => v.code === params.get('vista'))?.code ?? 'mine';
  const office = params.get('ufficio') ?? '';
  const me = current();
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  let cursor: string | null = null;
  const rows: InboxTask[] = [];

  const load = async (more: boolean): Promise<void> => {
    const q = new URLSearchParams({ view, sort: 'target', limit: '25' });
    if (office) q.set('office', office);
    if (more && cursor) q.set('cursor', cursor);
    const page = await get<{ items: InboxTask[]; nextCursor: string | null; total: number }>(
      `/v1/tasks?${q}`,
    );
    if (!more) rows.length = 0;
    rows.push(...page.items);
    cursor = page.nextCursor;
    render(page.total);
  };

  const act = async (b: HTMLButtonElement, t: InboxTask, action: 'claim' | 'release'): Promise<void> => {
    try {
      await busy(b, () =>
        post(
          `/v1/tasks/${t.taskId}/${action}`,
          action === 'release' ? { reason: 'rilasciata dalla casella' } : undefined,
          {
            idempotencyKey: newKey(),
          },
        ),
      );
      mount(
        status,
        successAlert(
          action === 'claim' ? `Presa in carico: ${label('tasks', t.key, t.title)}` : 'Attività rilasciata',
        ),
      );
      await load(false);
    } catch (err) {
      mount(status, problemAlert(err));
    }
  };

  const render = (total: number): void => {
    const at = now();
    mount(
      list,
      h(
        'p',
        { class: 'text-muted' },
        `${total} attività in questa vista, ordinate per obiettivo di servizio e poi per termine di legge.`,
      ),
      table<InboxTask>(
        VIEWS.find((v) => v.code === view)?.title ?? '',
        [
          {
            title: 'Attività',
            cell: (t) =>
              h(
                'div',
                {},
                h(
                  'a',
                  { href: `#/pratiche/${encodeURIComponent(t.caseId)}` },
                  label('tasks', t.key, t.title),
                ),
                h('br'),
                h('small', { class: 'text-muted' }, t.caseTitle),
              ),
          },
          { title: 'Procedimento', cell: (t) => t.procedure },
          { title: 'Ufficio', cell: (t) => officeName(t.office) },
          {
            title: 'Obiettivo di servizio',
            cell: (t) => {
              const left = timeLeft(t.targetAt, at);
              return h(
                'span',
                { class: left.late ? 'text-danger fw-semibold' : '' },
                `${instant(t.targetAt)} (${left.text})`,
              );
            },
          },
          {
            title: 'Termine di legge',
            cell: (t) =>
              t.legalDueAt ? `${instant(t.legalDueAt)} (${timeLeft(t.legalDueAt, at).text})` : '—',
          },
          { title: 'Assegnata a', cell: (t) => t.assignee ?? 'nessuno' },
          {
            title: 'Azioni',
            cell: (t) =>
              t.assignee === null
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'btn btn-primary btn-xs',
                      'data-claim': t.taskId,
                      'on:click': (e: Event) => void act(e.currentTarget as HTMLButtonElement, t, 'claim'),
                    },
                    'Prendi in carico',
                  )
                : t.assignee === me?.sub || me?.role === 'supervisor' || me?.role === 'admin'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn btn-outline-primary btn-xs',
                        'data-release': t.taskId,
                        'on:click': (e: Event) =>
                          void act(e.currentTarget as HTMLButtonElement, t, 'release'),
                      },
                      'Rilascia',
                    )
                  : null,
          },
        ],
        rows,
      ),
      cursor
        ? h(
            'button',
            { type: 'button', class: 'btn btn-outline-secondary', 'on:click': () => void load(true) },
            'Mostra altre',
          )
        : null,
    );
  };

  const tabHref = (v: string): string => {
    const q = new URLSearchParams({ vista: v });
    if (office) q.set('ufficio', office);
    return `#/attivita?${q}`;
  };
  const offices = myOffices();
  mount(
    main,
    pageTitle('Attività'),
    h(
      'ul',
      { class: 'nav nav-tabs mb-3' },
      ...VIEWS.map((v) =>
        h(
          'li',
          { class: 'nav-item' },
          h(
            'a',
            {
              class: `nav-link${v.code === view ? ' active' : ''}`,
              href: tabHref(v.code),
              'aria-current': v.code === view ? 'page' : null,
            },
            v.title,
          ),
        ),
      ),
    ),
    offices.length > 1
      ? h(
          'div',
          { class: 'select-wrapper mb-3', style: 'max-width: 24rem' },
          h('label', { for: 'inbox-office' }, 'Ufficio'),
          h(
            'select',
            {
              id: 'inbox-office',
              'on:change': (e: Event) => {
                const q = new URLSearchParams({ vista: view });
                const v = (e.target as HTMLSelectElement).value;
                if (v) q.set('ufficio', v);
                location.hash = `#/attivita?${q}`;
              },
            },
            h('option', { value: '' }, 'Tutti i miei uffici'),
            ...offices.map((o) => h('option', { value: o.code, selected: o.code === office }, o.name)),
          ),
        )
      : null,
    status,
    list,
  );
  await load(false);
}
