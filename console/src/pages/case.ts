/**
 * The case page: title, step and status; the open tasks with their forms (each outcome a button); news received;
 * every deadline with its legal basis, theoretical and shifted day and why; the checks with their arithmetic;
 * documents, decisions, the audit trail; suspend, resume and withdraw with a reason. A refusal is shown next to
 * the action it concerns, in the API's words.
 */
import { Problem, get, newKey, post } from '../api';
import type { Child } from '../dom';
import { h, mount } from '../dom';
import { day, dayOf, fieldLabel, instant, label, stepLabel, timeLeft } from '../labels';
import type { JsonSchema } from '../schema-form';
import { FormErrors, SchemaForm } from '../schema-form';
import { current, isSupervisor, now, officeName, temporalLink } from '../session';
import { badge, busy, pageTitle, problemAlert, section, successAlert, table } from '../ui';
import type { ProcedureEntry } from './start';
import { procedures } from './start';

interface Task {
  taskId: string;
  key: string;
  title: string;
  assignee: string | null;
  status: string;
  targetAt: string;
  legalDueAt: string | null;
  escalated: boolean;
  outcomes: string[];
  completedAt: string | null;
  completedBy: string | null;
  outcome: string | null;
  openedAt: string;
}
interface Deadline {
  id: string;
  title: string;
  legalBasis: string;
  trigger: string;
  theoretical: string;
  due: string;
  dueAt: string;
  shiftedBecause: string | null;
  halved: boolean;
  status: string;
  consequence: string;
}
interface Check {
  id: string;
  title: string;
  legalBasis: string;
  result: string;
  explanation: string;
  figures: Record<string, unknown>;
}
export interface CaseData {
  caseId: string;
  procedure: string;
  title: string;
  office: string;
  status: string;
  step: string;
  stepCode?: string;
  stepParams?: string[];
  parties: { role: string; name: string; identifier: string | null }[];
  openedAt: string;
  closedAt: string | null;
  outcome: string | null;
  outcomeReason: string | null;
  suspension: { since: string; reason: string; by: string } | null;
  deadlines: Deadline[];
  tasks: Task[];
  documents: {
    documentId: string;
    kind: string;
    title: string;
    date: string | null;
    reference: string | null;
    recordedAt: string;
  }[];
  decisions: { kind: string; outcome: string; date: string | null; body: string; recordedAt: string }[];
  checks: Check[];
  version: number;
  links?: { temporal?: string };
}
interface CaseEvent {
  seq: number;
  type: string;
  at: string;
  actor: { sub: string; role: string };
  summary: string;
}

/** The arithmetic of a check: its figures (what the explanation already says is left out). */
function figures(f: Record<string, unknown>): Child {
  const skip = new Set(['id', 'title', 'legalBasis', 'explanation', 'ok']);
  const entries = Object.entries(f).filter(([k]) => !skip.has(k));
  if (entries.length === 0) return null;
  return h(
    'details',
    {},
    h('summary', {}, 'Il calcolo'),
    h(
      'table',
      { class: 'table table-sm small mb-0 mt-2' },
      h(
        'tbody',
        {},
        ...entries.map(([k, v]) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row', class: 'fw-normal' }, fieldLabel(k)),
            h(
              'td',
              { class: 'font-monospace' },
              typeof v === 'object' ? JSON.stringify(v) : String(v as string),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function casePage(main: HTMLElement, caseId: string): Promise<void> {
  const [c, catalogue] = await Promise.all([
    get<CaseData>(`/v1/cases/${encodeURIComponent(caseId)}`),
    procedures(),
  ]);
  const proc = catalogue.find((p) => p.code === c.procedure);
  const events = await get<{ items: CaseEvent[] }>(
    `/v1/cases/${encodeURIComponent(caseId)}/events?limit=500`,
  ).catch(() => ({ items: [] as CaseEvent[] }));
  const reload = (): Promise<void> => casePage(main, caseId);
  const live = c.status === 'open' || c.status === 'suspended';
  const temporal = c.links?.temporal ?? temporalLink(c.caseId);
  const at = now();

  mount(
    main,
    pageTitle(
      c.title,
      h('p', { class: 'lead mb-2' }, label('procedures', c.procedure), ' · ', officeName(c.office)),
      h(
        'div',
        { class: 'd-flex flex-wrap gap-2 align-items-center' },
        badge(label('statuses', c.status), c.status),
        h(
          'span',
          { 'data-step': c.stepCode ?? c.step },
          `Fase: ${stepLabel(c.stepCode, c.stepParams, c.step)}`,
        ),
        h('span', { class: 'text-muted' }, `Aperta il ${instant(c.openedAt)}`),
        c.closedAt
          ? h(
              'span',
              { class: 'text-muted' },
              `Chiusa il ${instant(c.closedAt)}: ${c.outcome ?? ''} — ${c.outcomeReason ?? ''}`,
            )
          : null,
        temporal
          ? h('a', { href: temporal, target: '_blank', rel: 'noopener' }, 'Apri il flusso in Temporal')
          : null,
      ),
      c.suspension
        ? h(
            'div',
            { class: 'alert alert-warning mt-3' },
            `Sospesa dal ${instant(c.suspension.since)} da ${c.suspension.by}: ${c.suspension.reason}`,
          )
        : null,
    ),
    section(
      'Attività aperte',
      ...(c.tasks.filter((t) => t.status === 'open').length === 0
        ? [h('p', { class: 'text-muted' }, 'Nessuna attività aperta.')]
        : c.tasks.filter((t) => t.status === 'open').map((t) => taskCard(c, t, proc, at, reload))),
    ),
    live && proc && proc.news.length > 0
      ? section('Registra una comunicazione ricevuta', newsForm(c, proc, reload))
      : null,
    section(
      'Termini',
      table<Deadline>(
        'Termini di legge',
        [
          {
            title: 'Termine',
            cell: (d) =>
              h('span', {}, d.title, d.halved ? h('small', { class: 'text-muted' }, ' (dimezzato)') : null),
          },
          { title: 'Base giuridica', cell: (d) => d.legalBasis },
          { title: 'Decorre da', cell: (d) => d.trigger },
          { title: 'Giorno teorico', cell: (d) => day(d.theoretical) },
          { title: 'Scadenza', cell: (d) => h('strong', {}, day(d.due)) },
          { title: 'Spostata perché', cell: (d) => d.shiftedBecause ?? '—' },
          {
            title: 'Stato',
            cell: (d) =>
              h(
                'span',
                {},
                badge(label('deadlineStatuses', d.status), d.status),
                d.status === 'pending' ? h('small', { class: 'd-block' }, timeLeft(d.dueAt, at).text) : null,
              ),
          },
          { title: 'Se scade', cell: (d) => h('small', {}, d.consequence) },
        ],
        c.deadlines,
      ),
    ),
    c.checks.length > 0
      ? section(
          'Verifiche',
          ...c.checks.map((k) =>
            h(
              'div',
              { class: 'card card-bg mb-3' },
              h(
                'div',
                { class: 'card-body' },
                h('h3', { class: 'h6' }, badge(label('checkResults', k.result), k.result), ' ', k.title),
                h('p', { class: 'small text-muted mb-1' }, k.legalBasis),
                h('p', {}, k.explanation),
                figures(k.figures),
              ),
            ),
          ),
        )
      : null,
    c.documents.length > 0
      ? section(
          'Documenti',
          table(
            'Documenti',
            [
              { title: 'Documento', cell: (d: CaseData['documents'][number]) => d.title },
              { title: 'Tipo', cell: (d) => d.kind },
              { title: 'Data', cell: (d) => day(d.date) },
              { title: 'Riferimento', cell: (d) => d.reference ?? '—' },
              { title: 'Registrato', cell: (d) => instant(d.recordedAt) },
            ],
            c.documents,
          ),
        )
      : null,
    c.decisions.length > 0
      ? section(
          'Decisioni',
          table(
            'Decisioni',
            [
              { title: 'Decisione', cell: (d: CaseData['decisions'][number]) => d.kind },
              { title: 'Esito', cell: (d) => h('strong', {}, label('values', d.outcome)) },
              { title: 'Autorità', cell: (d) => d.body },
              { title: 'Data', cell: (d) => day(d.date) },
            ],
            c.decisions,
          ),
        )
      : null,
    c.parties.length > 0
      ? section(
          'Parti',
          h(
            'ul',
            {},
            ...c.parties.map((p) =>
              h('li', {}, `${p.role}: ${p.name}${p.identifier ? ` (${p.identifier})` : ''}`),
            ),
          ),
        )
      : null,
    live ? section('Sospendi, riprendi o ritira', lifecycle(c, reload)) : null,
    section(
      'Storico',
      table<CaseEvent>(
        'Storico della pratica (dal più vecchio)',
        [
          { title: 'N.', cell: (e) => e.seq, numeric: true },
          { title: 'Quando', cell: (e) => instant(e.at) },
          { title: 'Evento', cell: (e) => label('events', e.type) },
          { title: 'Chi', cell: (e) => `${e.actor.sub} (${label('roles', e.actor.role)})` },
          { title: 'Dettaglio', cell: (e) => h('small', {}, e.summary) },
        ],
        events.items,
      ),
    ),
  );
}

function taskCard(
  c: CaseData,
  t: Task,
  proc: ProcedureEntry | undefined,
  at: number,
  reload: () => Promise<void>,
): HTMLElement {
  const me = current();
  const message = h('div', { 'aria-live': 'assertive' });
  const formArea = h('div');
  const def = proc?.tasks.find((d) => d.key === t.key);
  const mayWork = t.assignee === null || t.assignee === me?.sub || isSupervisor();
  const target = timeLeft(t.targetAt, at);
  const act = async (b: HTMLButtonElement | null, path: string, body: unknown): Promise<void> => {
    mount(message);
    try {
      await busy(b, () => post(path, body, { idempotencyKey: newKey() }));
      await reload();
    } catch (err) {
      mount(message, problemAlert(err));
    }
  };
  const complete = async (
    outcome: string,
    form: SchemaForm | null,
    b: HTMLButtonElement | null,
  ): Promise<void> => {
    mount(message);
    let data: unknown = {};
    if (form) {
      try {
        data = form.value();
      } catch (e) {
        if (e instanceof FormErrors) form.showErrors(e.errors);
        else throw e;
        return;
      }
    }
    try {
      await busy(b, () =>
        post(`/v1/tasks/${t.taskId}/complete`, { outcome, data }, { idempotencyKey: newKey() }),
      );
      await reload();
      const main = document.getElementById('main');
      main?.prepend(successAlert(`Attività completata: ${label('outcomes', outcome)}`));
    } catch (err) {
      const unplaced = err instanceof Problem && form ? form.showErrors(err.errors) : undefined;
      mount(message, problemAlert(err, unplaced));
    }
  };
  const outcomes: { outcome: string; title: string; data: JsonSchema }[] =
    def?.outcomes ?? t.outcomes.map((o) => ({ outcome: o, title: o, data: {} }));
  const outcomeButtons = outcomes.map((o) => {
    const hasFields = Object.keys(o.data.properties ?? {}).length > 0;
    return h(
      'button',
      {
        type: 'button',
        class: 'btn btn-outline-primary btn-sm me-2 mb-2',
        'data-outcome': o.outcome,
        title: o.title,
        'on:click': (e: Event) => {
          const b = e.currentTarget as HTMLButtonElement;
          if (!hasFields) {
            void complete(o.outcome, null, b);
            return;
          }
          const form = new SchemaForm(o.data, 'data');
          const confirm = h(
            'button',
            { type: 'submit', class: 'btn btn-primary' },
            `Conferma: ${label('outcomes', o.outcome, o.title)}`,
          );
          mount(
            formArea,
            h(
              'form',
              {
                novalidate: true,
                class: 'border rounded p-3 mt-2',
                'aria-label': label('outcomes', o.outcome, o.title),
                'on:submit': (ev: Event) => {
                  ev.preventDefault();
                  void complete(o.outcome, form, confirm);
                },
              },
              h('h4', { class: 'h6' }, label('outcomes', o.outcome, o.title)),
              form.element,
              h(
                'div',
                { class: 'mt-3' },
                confirm,
                ' ',
                h(
                  'button',
                  { type: 'button', class: 'btn btn-outline-secondary', 'on:click': () => mount(formArea) },
                  'Annulla',
                ),
              ),
            ),
          );
          formArea.querySelector<HTMLElement>('input, select, textarea')?.focus();
        },
      },
      label('outcomes', o.outcome, o.title),
    );
  });
  return h(
    'div',
    { class: 'card card-bg mb-3', 'data-task': t.key },
    h(
      'div',
      { class: 'card-body' },
      h(
        'h3',
        { class: 'h5 card-title' },
        label('tasks', t.key, t.title),
        t.escalated ? h('span', { class: 'badge bg-danger ms-2' }, 'In escalation') : null,
      ),
      h(
        'p',
        { class: 'mb-2' },
        h(
          'span',
          { class: target.late ? 'text-danger fw-semibold' : '' },
          `Obiettivo di servizio: ${instant(t.targetAt)} (${target.text})`,
        ),
        t.legalDueAt ? h('span', { class: 'ms-3' }, `Termine di legge: ${dayOf(t.legalDueAt)}`) : null,
      ),
      h(
        'p',
        { class: 'mb-2' },
        `Assegnata a: ${t.assignee ?? 'nessuno'} `,
        t.assignee === null
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn btn-primary btn-xs',
                'on:click': (e: Event) =>
                  void act(e.currentTarget as HTMLButtonElement, `/v1/tasks/${t.taskId}/claim`, undefined),
              },
              'Prendi in carico',
            )
          : t.assignee === me?.sub || isSupervisor()
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-outline-primary btn-xs',
                  'on:click': (e: Event) =>
                    void act(e.currentTarget as HTMLButtonElement, `/v1/tasks/${t.taskId}/release`, {
                      reason: 'rilasciata dalla pratica',
                    }),
                },
                'Rilascia',
              )
            : null,
      ),
      message,
      c.status === 'open' && mayWork
        ? h(
            'div',
            { role: 'group', 'aria-label': 'Esiti possibili' },
            h('p', { class: 'small text-muted mb-1' }, 'Esito:'),
            ...outcomeButtons,
          )
        : null,
      formArea,
    ),
  );
}

function newsForm(c: CaseData, proc: ProcedureEntry, reload: () => Promise<void>): HTMLElement {
  const message = h('div', { 'aria-live': 'assertive' });
  const area = h('div');
  let form: SchemaForm | null = null;
  const select = h(
    'select',
    {
      id: 'news-type',
      'on:change': () => {
        const def = proc.news.find((n) => n.type === select.value);
        form = def ? new SchemaForm(def.data, 'data') : null;
        mount(area, form?.element);
      },
    },
    h('option', { value: '' }, 'Scegli…'),
    ...proc.news.map((n) => h('option', { value: n.type }, `${label('news', n.type, n.title)} (${n.from})`)),
  );
  const submit = h('button', { type: 'submit', class: 'btn btn-primary mt-3' }, 'Registra');
  return h(
    'form',
    {
      novalidate: true,
      'on:submit': (e: Event) => {
        e.preventDefault();
        void (async () => {
          mount(message);
          if (!select.value || !form) {
            mount(message, problemAlert(new Error('Scegli il tipo di comunicazione.')));
            return;
          }
          let data: unknown;
          try {
            data = form.value();
          } catch (e) {
            if (e instanceof FormErrors) form.showErrors(e.errors);
            else throw e;
            return;
          }
          try {
            await busy(submit, () =>
              post(
                `/v1/cases/${encodeURIComponent(c.caseId)}/news`,
                { type: select.value, data },
                { idempotencyKey: newKey() },
              ),
            );
            await reload();
          } catch (err) {
            const unplaced = err instanceof Problem && form ? form.showErrors(err.errors) : undefined;
            mount(message, problemAlert(err, unplaced));
          }
        })();
      },
    },
    h(
      'p',
      { class: 'text-muted' },
      'Quello che è arrivato all’ufficio per le vie ufficiali (PEC, protocollo).',
    ),
    message,
    h(
      'div',
      { class: 'select-wrapper mb-3' },
      h('label', { for: 'news-type' }, 'Tipo di comunicazione'),
      select,
    ),
    area,
    submit,
  );
}

function lifecycle(c: CaseData, reload: () => Promise<void>): HTMLElement {
  const actions = [
    c.status === 'open' ? { code: 'suspend', title: 'Sospendi', style: 'btn-warning' } : null,
    c.status === 'suspended' ? { code: 'resume', title: 'Riprendi', style: 'btn-primary' } : null,
    { code: 'withdraw', title: 'Ritira la pratica', style: 'btn-danger' },
  ].filter((a): a is { code: string; title: string; style: string } => a !== null);
  return h(
    'div',
    { class: 'row g-3' },
    ...actions.map((a) => {
      const id = `reason-${a.code}`;
      const message = h('div', { 'aria-live': 'assertive' });
      const reason = h('textarea', { id, class: 'form-control', rows: 2, 'aria-describedby': `${id}-fb` });
      const feedback = h('div', { class: 'invalid-feedback', id: `${id}-fb` });
      const button = h('button', { type: 'submit', class: `btn ${a.style}` }, a.title);
      return h(
        'div',
        { class: 'col-12 col-md-4' },
        h(
          'form',
          {
            novalidate: true,
            'data-lifecycle': a.code,
            'on:submit': (e: Event) => {
              e.preventDefault();
              void (async () => {
                mount(message);
                reason.classList.remove('is-invalid');
                try {
                  await busy(button, () =>
                    post(
                      `/v1/cases/${encodeURIComponent(c.caseId)}/${a.code}`,
                      { reason: reason.value },
                      { idempotencyKey: newKey() },
                    ),
                  );
                  await reload();
                } catch (err) {
                  const field =
                    err instanceof Problem ? err.errors.find((x) => x.path === 'reason') : undefined;
                  if (field) {
                    reason.classList.add('is-invalid');
                    reason.setAttribute('aria-invalid', 'true');
                    feedback.textContent = field.message;
                    reason.focus();
                  }
                  mount(
                    message,
                    problemAlert(
                      err,
                      err instanceof Problem ? err.errors.filter((x) => x.path !== 'reason') : undefined,
                    ),
                  );
                }
              })();
            },
          },
          h(
            'div',
            { class: 'form-group' },
            h('label', { for: id, class: 'active' }, 'Motivo *'),
            reason,
            feedback,
          ),
          message,
          button,
        ),
      );
    }),
  );
}
