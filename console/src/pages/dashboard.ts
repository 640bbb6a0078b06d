/**
 * The supervisor's dashboard, per office and for the province: the one-working-day promise (share of tasks done
 * within the service target) and the legal terms met, last 30 days and by month; lead times p50/p90; the backlog by
 * step and age; overdue and escalated tasks; workload per officer; satisfaction. Every table downloads as CSV from
 * the same endpoints (GET /v1/analytics/...), which integrators read too.
 */
import { get } from '../api';
import type { Child } from '../dom';
import { h, mount } from '../dom';
import { instant, label, percent, stepLabel, timeLeft } from '../labels';
import { myOffices, now, officeName, temporalLink } from '../session';
import { pageTitle, section, table } from '../ui';
import type { InboxTask } from './inbox';
import { stepCode } from '../../../domain/codes';

interface Attainment {
  office: string;
  month?: string;
  procedure?: string;
  tasksCompleted: number;
  tasksWithinTarget: number;
  shareWithinTarget: number | null;
  termsSettled: number;
  termsMet: number;
  shareTermsMet: number | null;
}
interface AttainmentAnswer {
  asOf: string;
  from: string;
  to: string;
  last30Days: Attainment[];
  last30DaysByProcedure: (Attainment & { procedure: string })[];
  items: (Attainment & { month: string })[];
}
interface Lead {
  office: string;
  procedure: string;
  cases: number;
  p50: number | null;
  p90: number | null;
}
interface Backlog {
  asOf: string;
  openByStep: { office: string; procedure: string; step: string; status: string; cases: number }[];
  age: { office: string; bucket: string; cases: number }[];
  tasks: { office: string; open: number; unassigned: number; overdue: number; escalated: number }[];
  officers: { office: string; assignee: string; open: number; overdue: number }[];
}
interface Satisfaction {
  office: string;
  procedure: string;
  answers: number;
  average: number | null;
  distribution: Record<string, number>;
}

const MONTHS = ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'];
function monthLabel(m: string): string {
  const [y, mm] = m.split('-');
  return `${MONTHS[Number(mm) - 1] ?? mm} ${y?.slice(2)}`;
}

/** Vertical bars of shares (0–1) by month, two series; the same numbers are in the table below it. */
function monthlyChart(rows: (Attainment & { month: string })[]): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const w = 720;
  const hgt = 220;
  const pad = { l: 40, r: 10, t: 10, b: 40 };
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const last = rows[rows.length - 1];
  svg.setAttribute(
    'aria-label',
    `Quota di attività entro l'obiettivo e di termini rispettati per mese; ultimo mese: ${percent(last?.shareWithinTarget)} e ${percent(last?.shareTermsMet)}`,
  );
  const el = (tag: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
  const plotH = hgt - pad.t - pad.b;
  for (const g of [0, 0.5, 1]) {
    const y = pad.t + plotH * (1 - g);
    el('line', { x1: pad.l, x2: w - pad.r, y1: y, y2: y, class: 'grid' });
    el('text', { x: pad.l - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, `${g * 100}%`);
  }
  const slot = (w - pad.l - pad.r) / Math.max(1, rows.length);
  const bw = Math.min(18, slot / 3);
  rows.forEach((r, i) => {
    const x = pad.l + slot * i + slot / 2;
    const bars: [number | null, string][] = [
      [r.shareWithinTarget, 'bar-target'],
      [r.shareTermsMet, 'bar-terms'],
    ];
    bars.forEach(([v, cls], j) => {
      if (v === null) return;
      const bh = plotH * v;
      el('rect', { x: x - bw + j * bw, y: pad.t + plotH - bh, width: bw - 2, height: bh, class: cls });
    });
    el('text', { x, y: hgt - pad.b + 16, 'text-anchor': 'middle', class: 'axis' }, monthLabel(r.month));
  });
  return svg;
}

/** A horizontal bar inside a table cell, for lead times and backlog. */
function bar(value: number | null, max: number, text: string): Child {
  if (value === null) return '—';
  const pct = max > 0 ? Math.round((value / max) * 100) : 0;
  return h(
    'span',
    { class: 'd-inline-flex align-items-center gap-2 w-100' },
    h('span', { class: 'cell-bar', style: `width: ${Math.max(2, pct)}%` }),
    h('span', {}, text),
  );
}

function kpi(title: string, value: string, note: string, id: string): HTMLElement {
  return h(
    'div',
    { class: 'col-6 col-lg-3' },
    h(
      'div',
      { class: 'card card-bg kpi h-100' },
      h(
        'div',
        { class: 'card-body' },
        h('p', { class: 'kpi-title mb-1' }, title),
        h('p', { class: 'kpi-value mb-1', 'data-kpi': id }, value),
        h('p', { class: 'small text-muted mb-0' }, note),
      ),
    ),
  );
}

export async function dashboardPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const office = params.get('ufficio') ?? '';
  const q = office ? `office=${encodeURIComponent(office)}` : '';
  const [attainment, lead, backlog, satisfaction, overdue, escalated] = await Promise.all([
    get<AttainmentAnswer>(`/v1/analytics/attainment?${q}`),
    get<{ items: Lead[] }>(`/v1/analytics/lead-times?${q}`),
    get<Backlog>(`/v1/analytics/backlog?${q}`),
    get<{ items: Satisfaction[] }>(`/v1/analytics/satisfaction?${q}`),
    get<{ items: InboxTask[]; total: number }>(
      `/v1/tasks?view=overdue&sort=target&limit=20${office ? `&office=${office}` : ''}`,
    ),
    get<{ items: InboxTask[]; total: number }>(
      `/v1/tasks?view=escalated&sort=target&limit=20${office ? `&office=${office}` : ''}`,
    ),
  ]);
  const offices = myOffices();
  // One office asked: its rows; several: the rows of them all together ("all"), unless there is only one.
  const rowsOf = <T extends { office: string }>(rows: T[]): T[] => {
    const wanted = office || (offices.length > 1 ? 'all' : (offices[0]?.code ?? 'all'));
    return rows.filter((r) => r.office === wanted);
  };
  const recent = rowsOf(attainment.last30Days)[0];
  const monthly = rowsOf(attainment.items);
  const openCases = backlog.openByStep.reduce((n, r) => n + r.cases, 0);
  const overdueTasks = backlog.tasks.reduce((n, r) => n + r.overdue, 0);
  const escalatedTasks = backlog.tasks.reduce((n, r) => n + r.escalated, 0);
  const answers = rowsOf(satisfaction.items);
  const scored = answers.reduce((n, r) => n + r.answers, 0);
  const average =
    scored === 0 ? null : answers.reduce((n, r) => n + (r.average ?? 0) * r.answers, 0) / scored;
  const csv = (table: string): string => `/v1/analytics/export?table=${table}${q ? `&${q}` : ''}`;
  const at = now();
  const leadRows = rowsOf(lead.items);
  const maxLead = Math.max(0, ...leadRows.map((r) => r.p90 ?? 0));
  const maxAge = Math.max(0, ...backlog.age.map((r) => r.cases));
  const ageOffices = [...new Set(backlog.age.map((r) => r.office))];
  const taskLink = (t: InboxTask): Child => {
    const temporal = temporalLink(t.caseId);
    return h(
      'span',
      {},
      h('a', { href: `#/pratiche/${encodeURIComponent(t.caseId)}` }, t.caseTitle),
      temporal ? [' · ', h('a', { href: temporal, target: '_blank', rel: 'noopener' }, 'Temporal')] : null,
    );
  };
  const taskColumns = [
    { title: 'Attività', cell: (t: InboxTask) => label('tasks', t.key, t.title) },
    { title: 'Pratica', cell: taskLink },
    { title: 'Ufficio', cell: (t: InboxTask) => officeName(t.office) },
    {
      title: 'Obiettivo',
      cell: (t: InboxTask) => `${instant(t.targetAt)} (${timeLeft(t.targetAt, at).text})`,
    },
    { title: 'Assegnata a', cell: (t: InboxTask) => t.assignee ?? 'nessuno' },
  ];

  mount(
    main,
    pageTitle(
      'Cruscotto',
      h(
        'p',
        { class: 'text-muted' },
        `Dati al ${instant(attainment.asOf)}. Obiettivo: pratiche evase in un giorno lavorativo.`,
      ),
    ),
    h(
      'div',
      { class: 'select-wrapper mb-4', style: 'max-width: 24rem' },
      h('label', { for: 'dash-office' }, 'Ufficio'),
      h(
        'select',
        {
          id: 'dash-office',
          'on:change': (e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            location.hash = v ? `#/cruscotto?ufficio=${v}` : '#/cruscotto';
          },
        },
        h('option', { value: '' }, offices.length > 1 ? 'Tutta la provincia' : 'Il mio ufficio'),
        ...offices.map((o) => h('option', { value: o.code, selected: o.code === office }, o.name)),
      ),
    ),
    h(
      'div',
      { class: 'row g-3 mb-5' },
      kpi(
        'Attività entro l’obiettivo',
        percent(recent?.shareWithinTarget),
        `ultimi 30 giorni: ${recent?.tasksWithinTarget ?? 0} su ${recent?.tasksCompleted ?? 0}`,
        'within-target',
      ),
      kpi(
        'Termini di legge rispettati',
        percent(recent?.shareTermsMet),
        `ultimi 30 giorni: ${recent?.termsMet ?? 0} su ${recent?.termsSettled ?? 0}`,
        'terms-met',
      ),
      kpi(
        'Pratiche aperte',
        String(openCases),
        `${overdueTasks} attività oltre l’obiettivo, ${escalatedTasks} in escalation`,
        'open-cases',
      ),
      kpi(
        'Soddisfazione',
        average === null ? '—' : `${average.toFixed(1)} / 5`,
        `${scored} risposte al questionario`,
        'satisfaction',
      ),
    ),
    section(
      'Obiettivo di servizio e termini, per mese',
      h(
        'div',
        { class: 'chart-legend mb-2' },
        h('span', { class: 'swatch bar-target' }),
        ' Attività entro l’obiettivo ',
        h('span', { class: 'swatch bar-terms ms-3' }),
        ' Termini rispettati',
      ),
      monthlyChart(monthly),
      table(
        'Per mese',
        [
          {
            title: 'Ufficio',
            cell: (r: Attainment & { month: string }) =>
              r.office === 'all' ? 'Provincia' : officeName(r.office),
          },
          { title: 'Mese', cell: (r) => monthLabel(r.month) },
          { title: 'Attività completate', cell: (r) => r.tasksCompleted, numeric: true },
          {
            title: 'Entro l’obiettivo',
            cell: (r) => `${r.tasksWithinTarget} (${percent(r.shareWithinTarget)})`,
            numeric: true,
          },
          { title: 'Termini chiusi', cell: (r) => r.termsSettled, numeric: true },
          { title: 'Rispettati', cell: (r) => `${r.termsMet} (${percent(r.shareTermsMet)})`, numeric: true },
        ],
        monthly,
        csv('attainment'),
      ),
      table(
        'Per procedimento, ultimi 30 giorni',
        [
          {
            title: 'Ufficio',
            cell: (r: Attainment & { procedure: string }) =>
              r.office === 'all' ? 'Provincia' : officeName(r.office),
          },
          { title: 'Procedimento', cell: (r) => label('procedures', r.procedure) },
          { title: 'Attività', cell: (r) => r.tasksCompleted, numeric: true },
          { title: 'Entro l’obiettivo', cell: (r) => percent(r.shareWithinTarget), numeric: true },
          { title: 'Termini rispettati', cell: (r) => percent(r.shareTermsMet), numeric: true },
        ],
        attainment.last30DaysByProcedure,
        csv('attainment-by-procedure'),
      ),
    ),
    section(
      'Durata delle pratiche chiuse',
      h(
        'p',
        { class: 'text-muted' },
        'Giorni lavorativi dopo il giorno di apertura, al netto delle sospensioni (ultimi 12 mesi).',
      ),
      table(
        'Durata per procedimento',
        [
          { title: 'Ufficio', cell: (r: Lead) => (r.office === 'all' ? 'Provincia' : officeName(r.office)) },
          { title: 'Procedimento', cell: (r) => label('procedures', r.procedure) },
          { title: 'Pratiche', cell: (r) => r.cases, numeric: true },
          { title: 'Mediana (p50)', cell: (r) => bar(r.p50, maxLead, `${r.p50 ?? '—'} gg`) },
          { title: 'p90', cell: (r) => bar(r.p90, maxLead, `${r.p90 ?? '—'} gg`) },
        ],
        lead.items,
        csv('lead-times'),
      ),
    ),
    section(
      'Arretrato',
      table(
        'Pratiche aperte per procedimento e fase',
        [
          { title: 'Ufficio', cell: (r: Backlog['openByStep'][number]) => officeName(r.office) },
          { title: 'Procedimento', cell: (r) => label('procedures', r.procedure) },
          {
            title: 'Fase',
            cell: (r) => {
              const s = stepCode(r.step);
              return stepLabel(s.code, s.params, r.step);
            },
          },
          { title: 'Stato', cell: (r) => label('statuses', r.status) },
          { title: 'Pratiche', cell: (r) => r.cases, numeric: true },
        ],
        backlog.openByStep,
        csv('open-by-step'),
      ),
      table(
        'Pratiche aperte per età',
        [
          { title: 'Aperte da', cell: (b: string) => label('ageBuckets', b) },
          ...ageOffices.map((o) => ({
            title: officeName(o),
            cell: (b: string) => {
              const n = backlog.age.find((r) => r.office === o && r.bucket === b)?.cases ?? 0;
              return bar(n, maxAge, String(n));
            },
          })),
        ],
        [...new Set(backlog.age.map((r) => r.bucket))],
        csv('backlog-age'),
      ),
      table(
        'Attività per ufficio',
        [
          { title: 'Ufficio', cell: (r: Backlog['tasks'][number]) => officeName(r.office) },
          { title: 'Aperte', cell: (r) => r.open, numeric: true },
          { title: 'Non assegnate', cell: (r) => r.unassigned, numeric: true },
          { title: 'Oltre l’obiettivo', cell: (r) => r.overdue, numeric: true },
          { title: 'In escalation', cell: (r) => r.escalated, numeric: true },
        ],
        backlog.tasks,
        csv('tasks'),
      ),
      table(
        'Carico per operatore',
        [
          { title: 'Ufficio', cell: (r: Backlog['officers'][number]) => officeName(r.office) },
          { title: 'Operatore', cell: (r) => r.assignee },
          { title: 'Attività aperte', cell: (r) => r.open, numeric: true },
          { title: 'Oltre l’obiettivo', cell: (r) => r.overdue, numeric: true },
        ],
        backlog.officers,
        csv('officers'),
      ),
    ),
    section(
      'Attività oltre l’obiettivo e in escalation',
      table(`Oltre l’obiettivo (${overdue.total})`, taskColumns, overdue.items),
      table(`In escalation (${escalated.total})`, taskColumns, escalated.items),
    ),
    section(
      'Soddisfazione degli utenti',
      table(
        'Questionario di soddisfazione (1–5)',
        [
          {
            title: 'Ufficio',
            cell: (r: Satisfaction) => (r.office === 'all' ? 'Provincia' : officeName(r.office)),
          },
          { title: 'Procedimento', cell: (r) => label('procedures', r.procedure) },
          { title: 'Risposte', cell: (r) => r.answers, numeric: true },
          { title: 'Media', cell: (r) => (r.average === null ? '—' : r.average.toFixed(2)), numeric: true },
          {
            title: 'Distribuzione 1·2·3·4·5',
            cell: (r) => [1, 2, 3, 4, 5].map((k) => r.distribution[k] ?? 0).join(' · '),
          },
        ],
        satisfaction.items,
        csv('satisfaction'),
      ),
    ),
  );
}
