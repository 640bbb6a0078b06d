/** The cases of my offices, newest first, by status. */
import { get } from '../api';
import { h, mount } from '../dom';
import { dayOf, label, stepLabel } from '../labels';
import { officeName } from '../session';
import { badge, pageTitle, table } from '../ui';

interface CaseSummary {
  caseId: string;
  procedure: string;
  title: string;
  office: string;
  status: string;
  step: string;
  stepCode: string;
  stepParams: string[];
  openedAt: string;
  nextDueAt: string | null;
  openTasks: number;
}

export async function casesPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const status = params.get('stato') ?? 'open';
  const q = new URLSearchParams({ limit: '50' });
  if (status) q.set('status', status);
  const page = await get<{ items: CaseSummary[]; total: number }>(`/v1/cases?${q}`);
  mount(
    main,
    pageTitle('Pratiche'),
    h(
      'ul',
      { class: 'nav nav-tabs mb-3' },
      ...['open', 'suspended', 'closed', 'withdrawn', 'failed'].map((s) =>
        h(
          'li',
          { class: 'nav-item' },
          h(
            'a',
            { class: `nav-link${s === status ? ' active' : ''}`, href: `#/pratiche?stato=${s}` },
            label('statuses', s),
          ),
        ),
      ),
    ),
    h('p', { class: 'text-muted' }, `${page.total} pratiche.`),
    table<CaseSummary>(
      'Pratiche',
      [
        {
          title: 'Pratica',
          cell: (c) => h('a', { href: `#/pratiche/${encodeURIComponent(c.caseId)}` }, c.title),
        },
        { title: 'Procedimento', cell: (c) => c.procedure },
        { title: 'Ufficio', cell: (c) => officeName(c.office) },
        { title: 'Fase', cell: (c) => stepLabel(c.stepCode, c.stepParams, c.step) },
        { title: 'Stato', cell: (c) => badge(label('statuses', c.status), c.status) },
        { title: 'Aperta il', cell: (c) => dayOf(c.openedAt) },
        { title: 'Prossima scadenza', cell: (c) => dayOf(c.nextDueAt) },
        { title: 'Attività aperte', cell: (c) => c.openTasks, numeric: true },
      ],
      page.items,
    ),
  );
}
