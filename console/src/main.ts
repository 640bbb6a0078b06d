/**
 * The console's shell: sign-in, navigation and the pages, routed by the address's hash (`#/attivita`,
 * `#/pratiche/<id>`, `#/avvia`, `#/cruscotto`), so that every page has an address to bookmark and send.
 */
import { setToken, token, whenUnauthorised } from './api';
import { h, mount } from './dom';
import { label, loadLabels } from './labels';
import { casePage } from './pages/case';
import { casesPage } from './pages/cases';
import { dashboardPage } from './pages/dashboard';
import { inboxPage } from './pages/inbox';
import { signInPage } from './pages/signin';
import { startPage } from './pages/start';
import { current, forget, isSupervisor, loadSession, syncClock } from './session';
import { problemAlert } from './ui';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;

const LINKS = [
  { href: '#/attivita', title: 'Attività', supervisor: false },
  { href: '#/pratiche', title: 'Pratiche', supervisor: false },
  { href: '#/avvia', title: 'Avvia pratica', supervisor: false },
  { href: '#/cruscotto', title: 'Cruscotto', supervisor: true },
];

function renderNav(path: string): void {
  const me = current();
  mount(
    nav,
    ...LINKS.filter((l) => me && (!l.supervisor || isSupervisor())).map((l) =>
      h(
        'li',
        { class: 'nav-item' },
        h(
          'a',
          {
            class: `nav-link${path.startsWith(l.href.slice(1)) ? ' active' : ''}`,
            href: l.href,
            'aria-current': path.startsWith(l.href.slice(1)) ? 'page' : null,
          },
          h('span', {}, l.title),
        ),
      ),
    ),
  );
  mount(
    who,
    me
      ? h(
          'span',
          { class: 'd-flex align-items-center gap-2' },
          h('span', { 'data-signed-in': me.sub }, `${me.sub} · ${label('roles', me.role)}`),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-outline-light btn-xs',
              'on:click': () => {
                setToken(null);
                forget();
                location.hash = '#/accedi';
              },
            },
            'Esci',
          ),
        )
      : null,
  );
}

async function route(): Promise<void> {
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  if (!token() || !current()) {
    if (token()) {
      try {
        await loadSession();
      } catch {
        setToken(null);
      }
    }
    if (!current()) {
      renderNav('');
      await signInPage(main, async () => {
        await loadSession();
        location.hash = isSupervisor() ? '#/cruscotto' : '#/attivita';
        if (path === '/cruscotto' || path === '/attivita') await route();
      });
      return;
    }
  }
  renderNav(path);
  mount(main, h('p', { class: 'text-muted', role: 'status' }, 'Caricamento…'));
  try {
    await syncClock();
    const m = /^\/pratiche\/(.+)$/.exec(path);
    if (m?.[1]) await casePage(main, decodeURIComponent(m[1]));
    else if (path === '/pratiche') await casesPage(main, params);
    else if (path === '/avvia') await startPage(main, params);
    else if (path === '/cruscotto') await dashboardPage(main, params);
    else await inboxPage(main, params);
  } catch (err) {
    mount(main, problemAlert(err));
  }
  document.getElementById('page-title')?.focus();
}

whenUnauthorised(() => {
  setToken(null);
  forget();
  location.hash = '#/accedi';
});
window.addEventListener('hashchange', () => void route());
void loadLabels().then(route);
