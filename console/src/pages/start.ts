/** Opens a case from the catalogue, with the start form generated from the procedure's JSON Schema. */
import { Problem, get, newKey, post } from '../api';
import { h, mount } from '../dom';
import { label } from '../labels';
import type { JsonSchema } from '../schema-form';
import { FormErrors, SchemaForm } from '../schema-form';
import { myOffices } from '../session';
import { busy, pageTitle, problemAlert } from '../ui';

export interface ProcedureEntry {
  code: string;
  title: string;
  legalBasis: string;
  description: string;
  startInput: JsonSchema;
  tasks: { key: string; title: string; outcomes: { outcome: string; title: string; data: JsonSchema }[] }[];
  news: { type: string; title: string; from: string; data: JsonSchema }[];
}

let catalogue: ProcedureEntry[] | null = null;
export async function procedures(): Promise<ProcedureEntry[]> {
  catalogue ??= (await get<{ items: ProcedureEntry[] }>('/v1/procedures')).items;
  return catalogue;
}

export async function startPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const items = await procedures();
  const chosen = items.find((p) => p.code === params.get('procedimento'));
  if (!chosen) {
    mount(
      main,
      pageTitle('Avvia una pratica', h('p', {}, 'Scegli il procedimento.')),
      h(
        'div',
        { class: 'row g-3' },
        ...items.map((p) =>
          h(
            'div',
            { class: 'col-12 col-md-6' },
            h(
              'div',
              { class: 'card card-bg h-100' },
              h(
                'div',
                { class: 'card-body' },
                h('h2', { class: 'h5 card-title' }, label('procedures', p.code, p.title)),
                h('p', { class: 'card-text' }, h('small', {}, p.legalBasis)),
                h(
                  'a',
                  {
                    class: 'btn btn-primary btn-sm',
                    href: `#/avvia?procedimento=${p.code}`,
                    'data-procedure': p.code,
                  },
                  'Compila',
                ),
              ),
            ),
          ),
        ),
      ),
    );
    return;
  }
  const offices = myOffices();
  const form = new SchemaForm(chosen.startInput, 'input');
  const message = h('div', { 'aria-live': 'assertive' });
  const officeFeedback = h('div', { class: 'invalid-feedback', id: 'start-office-fb' });
  const officeSelect = h(
    'select',
    { id: 'start-office', 'aria-describedby': 'start-office-fb' },
    ...offices.map((o) => h('option', { value: o.code }, o.name)),
  );
  // One key per form shown: a double submit or a retry after a timeout opens one case.
  const key = newKey();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Avvia la pratica');
  mount(
    main,
    pageTitle(
      label('procedures', chosen.code, chosen.title),
      h('p', {}, chosen.legalBasis),
      h('p', { class: 'text-muted' }, chosen.description),
    ),
    message,
    h(
      'form',
      {
        novalidate: true,
        'on:submit': (e: Event) => {
          e.preventDefault();
          void (async () => {
            mount(message);
            officeSelect.classList.remove('is-invalid');
            let input: unknown;
            try {
              input = form.value();
            } catch (e) {
              if (e instanceof FormErrors) form.showErrors(e.errors);
              else throw e;
              return;
            }
            try {
              const created = await busy(submit, () =>
                post<{ caseId: string }>(
                  '/v1/cases',
                  { procedure: chosen.code, office: officeSelect.value, input },
                  { idempotencyKey: key },
                ),
              );
              location.hash = `#/pratiche/${encodeURIComponent(created.caseId)}`;
            } catch (err) {
              const unplaced = err instanceof Problem ? form.showErrors(err.errors) : [];
              const officeError = unplaced.find((u) => u.path === 'office');
              if (officeError) {
                officeSelect.classList.add('is-invalid');
                officeFeedback.textContent = officeError.message;
              }
              mount(
                message,
                problemAlert(
                  err,
                  unplaced.filter((u) => u.path !== 'office'),
                ),
              );
            }
          })();
        },
      },
      h(
        'div',
        { class: 'select-wrapper mb-4' },
        h('label', { for: 'start-office' }, 'Ufficio competente *'),
        officeSelect,
        officeFeedback,
      ),
      form.element,
      h(
        'div',
        { class: 'mt-4' },
        submit,
        ' ',
        h('a', { class: 'btn btn-outline-secondary', href: '#/avvia' }, 'Annulla'),
      ),
    ),
  );
}
