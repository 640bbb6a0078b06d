/** The satisfaction survey a closed case's link opens (`survey.html#<token>`): one answer, 1 to 5. */
import { Problem, get, post } from './api';
import { h, mount } from './dom';
import { dayOf } from './labels';

interface Survey {
  procedureTitle: string;
  officeName: string;
  closedAt: string;
  answered: boolean;
}

const main = document.getElementById('main') as HTMLElement;
const token = location.hash.replace(/^#/, '');

function thanks(text: string): void {
  mount(
    main,
    h('h1', { class: 'h3', tabindex: -1, id: 'page-title' }, 'Grazie'),
    h('div', { class: 'alert alert-success', role: 'status' }, text),
  );
  document.getElementById('page-title')?.focus();
}

async function show(): Promise<void> {
  let survey: Survey;
  try {
    survey = await get<Survey>(`/surveys/${encodeURIComponent(token)}`, { anonymous: true });
  } catch {
    mount(
      main,
      h('div', { class: 'alert alert-danger', role: 'alert' }, 'Il collegamento non è valido o è scaduto.'),
    );
    return;
  }
  if (survey.answered) {
    thanks('Questo questionario è già stato compilato. Una sola risposta per pratica.');
    return;
  }
  const message = h('div', { 'aria-live': 'assertive' });
  const comment = h('textarea', { id: 'survey-comment', class: 'form-control', rows: 3, maxlength: 1000 });
  const scores = [
    [1, 'Per niente soddisfatto'],
    [2, 'Poco soddisfatto'],
    [3, 'Abbastanza soddisfatto'],
    [4, 'Soddisfatto'],
    [5, 'Molto soddisfatto'],
  ] as const;
  mount(
    main,
    h('h1', { class: 'h3' }, 'Com’è andata?'),
    h(
      'p',
      {},
      `${survey.procedureTitle} — ${survey.officeName}, pratica chiusa il ${dayOf(survey.closedAt)}.`,
    ),
    message,
    h(
      'form',
      {
        novalidate: true,
        'on:submit': (e: Event) => {
          e.preventDefault();
          const chosen = main.querySelector<HTMLInputElement>('input[name="score"]:checked');
          if (!chosen) {
            mount(
              message,
              h('div', { class: 'alert alert-danger', role: 'alert' }, 'Scegli un punteggio da 1 a 5.'),
            );
            return;
          }
          post(
            `/surveys/${encodeURIComponent(token)}`,
            { score: Number(chosen.value), comment: comment.value.trim() || null },
            { anonymous: true },
          )
            .then(() => thanks('La sua risposta è stata registrata e aiuterà l’ufficio a migliorare.'))
            .catch((err: unknown) => {
              if (err instanceof Problem && err.status === 409)
                thanks('Questo questionario è già stato compilato.');
              else
                mount(
                  message,
                  h(
                    'div',
                    { class: 'alert alert-danger', role: 'alert' },
                    err instanceof Problem ? err.detail : String(err),
                  ),
                );
            });
        },
      },
      h(
        'fieldset',
        { class: 'mb-3' },
        h('legend', { class: 'h5' }, 'Quanto è soddisfatto del servizio ricevuto?'),
        ...scores.map(([n, text]) =>
          h(
            'div',
            { class: 'form-check' },
            h('input', { type: 'radio', name: 'score', id: `score-${n}`, value: n }),
            h('label', { for: `score-${n}` }, `${n} — ${text}`),
          ),
        ),
      ),
      h(
        'div',
        { class: 'form-group' },
        h('label', { for: 'survey-comment', class: 'active' }, 'Vuole aggiungere qualcosa? (facoltativo)'),
        comment,
      ),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Invia'),
    ),
  );
}

void show();
