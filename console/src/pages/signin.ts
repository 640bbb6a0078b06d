/** Sign-in: in `npm run dev` pick a demo principal; otherwise paste the token (or API key) you were issued. */
import { get, setToken } from '../api';
import { h, mount } from '../dom';
import { label } from '../labels';
import { problemAlert, pageTitle } from '../ui';

interface DevPrincipal {
  sub: string;
  name: string;
  role: string;
  offices: string[];
  token: string;
}

export async function signInPage(main: HTMLElement, done: () => Promise<void>): Promise<void> {
  const message = h('div', { 'aria-live': 'polite' });
  const use = async (token: string): Promise<void> => {
    setToken(token);
    try {
      await done();
    } catch (err) {
      setToken(null);
      mount(message, problemAlert(err));
    }
  };
  let demo: DevPrincipal[] = [];
  try {
    demo = (await get<{ items: DevPrincipal[] }>('/dev/principals', { anonymous: true })).items;
  } catch {
    // not in npm run dev: no demo principals
  }
  const tokenId = 'signin-token';
  const tokenArea = h('textarea', {
    id: tokenId,
    class: 'form-control font-monospace',
    rows: 4,
    autocomplete: 'off',
  });
  mount(
    main,
    pageTitle('Accesso alla console'),
    message,
    demo.length > 0
      ? h(
          'section',
          { class: 'mb-5', 'aria-labelledby': 'demo-title' },
          h('h2', { class: 'h4', id: 'demo-title' }, 'Ambiente dimostrativo: scegli un utente'),
          h(
            'div',
            { class: 'row g-3' },
            ...demo
              .filter((p) => p.role !== 'integrator')
              .map((p) =>
                h(
                  'div',
                  { class: 'col-12 col-md-6 col-lg-4' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'btn btn-outline-primary w-100 text-start',
                      'data-principal': p.sub,
                      'on:click': () => void use(p.token),
                    },
                    h('strong', {}, p.name),
                    h('br'),
                    h(
                      'span',
                      {},
                      `${label('roles', p.role)} · ${p.offices.join(', ') || 'tutti gli uffici'}`,
                    ),
                  ),
                ),
              ),
          ),
        )
      : null,
    h(
      'section',
      { 'aria-labelledby': 'token-title' },
      h('h2', { class: 'h4', id: 'token-title' }, 'Accedi con il tuo token'),
      h(
        'p',
        {},
        'Incolla il token di accesso rilasciato dal sistema di identità della Regione, o una chiave API. Resta in questa scheda del browser e si cancella quando la chiudi.',
      ),
      h(
        'form',
        {
          novalidate: true,
          'on:submit': (e: Event) => {
            e.preventDefault();
            const t = tokenArea.value.trim();
            if (t) void use(t);
          },
        },
        h('div', { class: 'form-group' }, h('label', { for: tokenId, class: 'active' }, 'Token'), tokenArea),
        h('button', { type: 'submit', class: 'btn btn-primary' }, 'Accedi'),
      ),
    ),
  );
}
