/**
 * The console in headless Chromium (Debian's `chromium`, driven by playwright-core) against the real stack on the
 * demo clock (a time-skipping Temporal server): an officer opens a CIGO case from the catalogue's form, claims its
 * task in the inbox and works it through the forms to the INPS decision, with refusals shown next to their fields;
 * a supervisor sees the attainment of the service target fall when a task is completed late, and downloads a
 * table as CSV. Screenshots of the inbox, a case and the dashboard go to .data/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import request from 'supertest';
import type { CaseView } from '../../domain/case-model';
import { addDays, romeDate } from '../../domain/dates';
import type { ApiStack } from '../support/api-env';
import { principals, readCaseUntil, startTimeSkippingApiStack } from '../support/api-env';
import { cigoInput } from '../support/cigo-input';

const CHROMIUM = process.env.TEST_CHROMIUM || process.env.CHROMIUM_PATH || '';
const SHOTS = path.resolve(__dirname, '../../.data/screenshots');
// In CI a missing browser is a failure, never a skipped suite; on a laptop without one the suite says so.
if (!CHROMIUM && process.env.CI)
  throw new Error('No Chromium for the browser tests: run scripts/provision.sh as root');
if (!CHROMIUM)
  process.stderr.write('\n[browser] no Chromium found (CHROMIUM_PATH): the console suite is skipped\n');
const suite = CHROMIUM ? describe : describe.skip;

let s: ApiStack;
let env: TestWorkflowEnvironment;
let server: Server;
let browser: Browser;
let base = '';

suite('the console', () => {
  beforeAll(async () => {
    ({ s, env } = await startTimeSkippingApiStack({ devPrincipals: true }));
    server = await new Promise<Server>((resolve) => {
      const srv = s.app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await s?.close();
  });

  const auth = (p: keyof typeof principals) => ({ Authorization: `Bearer ${s.token(principals[p])}` });
  const today = async (): Promise<string> => romeDate(await env.currentTimeMs());

  async function signIn(page: Page, sub: string): Promise<void> {
    await page.goto(`${base}/console/#/accedi`);
    await page.click(`[data-principal="${sub}"]`);
    await page.waitForSelector(`[data-signed-in="${sub}"]`);
  }

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    (page as Page & { errors?: string[] }).errors = errors;
    return page;
  }

  /** Reloads the case page until its step has the code wanted (the forwarding to INPS runs in the background). */
  async function waitForStep(page: Page, code: string): Promise<void> {
    for (let i = 0; i < 50; i += 1) {
      if (await page.$(`[data-step="${code}"]`)) return;
      await page.waitForTimeout(200);
      await page.reload();
      await page.waitForSelector('[data-step]');
    }
    throw new Error(`the case never reached ${code}`);
  }

  it('when an officer opens a CIGO case and works it through the forms, then INPS news closes it; refusals show next to their fields', async () => {
    const page = await newPage();
    const day = await today();
    await signIn(page, 'officer-lucca');

    // The start form, generated from the procedure's JSON Schema.
    await page.click('a.nav-link:has-text("Avvia pratica")');
    await page.click('[data-procedure="CIGO"]');
    const input = cigoInput(day, {
      productionUnit: {
        id: `web-${Date.now()}`,
        address: 'Via Nuova 3',
        municipality: 'Lucca',
        province: 'LU',
        region: 'Toscana',
      },
    });
    await page.fill('[name="input.employer.taxCode"]', 'ABC');
    await page.fill('[name="input.employer.name"]', input.employer.name);
    await page.selectOption('[name="input.employer.sector"]', input.employer.sector);
    await page.fill('[name="input.employer.averageEmployees"]', String(input.employer.averageEmployees));
    await page.fill('[name="input.productionUnit.id"]', input.productionUnit.id);
    await page.fill('[name="input.productionUnit.address"]', input.productionUnit.address);
    await page.fill('[name="input.productionUnit.municipality"]', input.productionUnit.municipality);
    await page.fill('[name="input.productionUnit.province"]', input.productionUnit.province);
    await page.selectOption('[name="input.cause"]', input.cause);
    await page.fill('[name="input.causeDescription"]', input.causeDescription);
    await page.fill('[name="input.suspension.from"]', input.suspension.from);
    await page.fill('[name="input.suspension.to"]', input.suspension.to);
    await page.fill('[name="input.workersConcerned"]', String(input.workersConcerned));
    await page.fill('[name="input.reductionHoursPerWeek"]', String(input.reductionHoursPerWeek));
    await page.fill('[name="input.unionNoticeDate"]', input.unionNoticeDate);
    await page.click('button:has-text("Avvia la pratica")');
    // Refused: the tax code's field says why, in the API's words; nothing was opened.
    await page.waitForSelector('[name="input.employer.taxCode"].is-invalid');
    const describedBy =
      (await page.getAttribute('[name="input.employer.taxCode"]', 'aria-describedby')) ?? '';
    const feedback = (await page.textContent(`#${describedBy.split(' ')[0] ?? ''}`)) ?? '';
    expect(feedback.length).toBeGreaterThan(3);
    expect(await page.textContent('[data-problem="validation"]')).toContain('Dati non validi');
    expect(await s.db.cases.countDocuments({ procedure: 'CIGO' })).toBe(0);
    await page.fill('[name="input.employer.taxCode"]', input.employer.taxCode);
    await page.click('button:has-text("Avvia la pratica")');
    await page.waitForURL(/#\/pratiche\/CIGO-/);
    const caseId = decodeURIComponent(page.url().split('#/pratiche/')[1] ?? '');
    await page.waitForSelector('[data-task="union-consultation"]');

    // The inbox: the task is available; the officer claims it, and it is hers.
    await page.goto(`${base}/console/#/attivita?vista=available`);
    const claim = `[data-claim^="${caseId}.T"]`;
    await page.waitForSelector(claim);
    await page.screenshot({ path: path.join(SHOTS, 'console-inbox.png'), fullPage: true });
    await page.click(claim);
    await page.waitForSelector('.alert-success');
    await page.goto(`${base}/console/#/attivita?vista=mine`);
    await page.waitForSelector(`[data-release^="${caseId}.T"]`);
    await page.click(`a[href="#/pratiche/${encodeURIComponent(caseId)}"]`);

    // The union consultation: a required date left empty is refused next to its field.
    await page.click('[data-task="union-consultation"] [data-outcome="agreement"]');
    await page.click('button:has-text("Conferma")');
    await page.waitForSelector('[name="data.minutesDate"].is-invalid');
    await page.fill('[name="data.minutesDate"]', day);
    await page.click('button:has-text("Conferma")');
    await page.waitForSelector('[data-task="inps-application"]');

    // The application filed with INPS, then the completeness check.
    await page.click('[data-task="inps-application"] [data-outcome="filed"]');
    await page.fill('[name="data.filedOn"]', day);
    await page.fill('[name="data.inpsProtocol"]', 'INPS-LU-2026-000123');
    await page.fill('[name="data.hoursRequested"]', '1760');
    // Bootstrap Italia draws the checkbox on its label: the officer clicks the label.
    await page.click('label:has-text("Relazione tecnica allegata")');
    expect(await page.isChecked('[name="data.technicalReport"]')).toBe(true);
    await page.click('button:has-text("Conferma")');
    await page.waitForSelector('[data-task="completeness-check"]');
    await page.screenshot({ path: path.join(SHOTS, 'console-case.png'), fullPage: true });
    await page.click('[data-task="completeness-check"] [data-outcome="complete"]');
    await page.click('button:has-text("Conferma")');
    await waitForStep(page, 'awaiting-the-inps-decision');

    // The INPS decision, recorded by the office as it reached it.
    await page.selectOption('#news-type', 'inps-decision');
    await page.selectOption('[name="data.decision"]', 'authorised');
    await page.fill('[name="data.decidedOn"]', day);
    await page.fill('[name="data.protocol"]', 'INPS-DEC-77');
    await page.fill('[name="data.authorised.from"]', input.suspension.from);
    await page.fill('[name="data.authorised.to"]', input.suspension.to);
    await page.click('button:has-text("Registra")');
    await page.waitForSelector('.badge:has-text("Chiusa")');
    const closed = await readCaseUntil(s, caseId, principals.lucca, (c) => c.status === 'closed');
    expect(closed.outcome).toBe('authorised');
    expect(closed.tasks.filter((t) => t.status === 'completed').map((t) => t.completedBy)).toEqual([
      'officer-lucca',
      'officer-lucca',
      'officer-lucca',
    ]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('when a task is completed late on the demo clock, then the supervisor sees the attainment fall, and downloads the table as CSV', async () => {
    const page = await newPage();
    await signIn(page, 'supervisor-lu');
    await page.waitForSelector('[data-kpi="within-target"]');
    const shown = async (): Promise<{
      kpi: string | null;
      api: { tasksCompleted: number; tasksWithinTarget: number };
    }> => {
      const res = await request(s.app).get('/v1/analytics/attainment').set(auth('supervisor'));
      const all = (
        res.body.last30Days as { office: string; tasksCompleted: number; tasksWithinTarget: number }[]
      ).find((r) => r.office === 'all')!;
      return { kpi: await page.textContent('[data-kpi="within-target"]'), api: all };
    };
    const before = await shown();
    // The first test's three tasks were all done within the target.
    expect(before.api.tasksCompleted).toBe(before.api.tasksWithinTarget);
    expect(before.kpi).toBe(before.api.tasksCompleted > 0 ? '100%' : '—');

    // A second case, its first task completed five days after it opened.
    const day = await today();
    const created = await request(s.app)
      .post('/v1/cases')
      .set(auth('integrator'))
      .send({
        procedure: 'CIGO',
        office: 'lucca',
        input: cigoInput(day, {
          productionUnit: {
            id: `late-${Date.now()}`,
            address: 'Via Vecchia 1',
            municipality: 'Lucca',
            province: 'LU',
            region: 'Toscana',
          },
        }),
      });
    expect(created.status).toBe(201);
    const task = (created.body as CaseView).tasks.find((t) => t.key === 'union-consultation')!;
    await request(s.app).post('/v1/dev/clock').set(auth('admin')).send({ days: 5 }).expect(200);
    const done = await request(s.app)
      .post(`/v1/tasks/${task.taskId}/complete`)
      .set(auth('lucca'))
      .send({ outcome: 'agreement', data: { minutesDate: addDays(day, 5) } });
    expect(done.status).toBe(200);

    await page.reload();
    await page.waitForSelector('[data-kpi="within-target"]');
    const after = await shown();
    expect(after.api.tasksCompleted).toBe(before.api.tasksCompleted + 1);
    expect(after.api.tasksWithinTarget).toBe(before.api.tasksWithinTarget);
    const share = Math.round((after.api.tasksWithinTarget / after.api.tasksCompleted) * 1000) / 10;
    expect(after.kpi).toBe(`${share}%`);
    expect(await page.textContent('.kpi:has([data-kpi="within-target"])')).toContain(
      `${after.api.tasksWithinTarget} su ${after.api.tasksCompleted}`,
    );
    await page.screenshot({ path: path.join(SHOTS, 'console-dashboard.png'), fullPage: true });

    // Every table downloads as CSV, from the same endpoint integrators read.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button[data-csv*="table=attainment"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^cpi-attainment-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const [header, ...lines] = csv.trim().split('\r\n');
    expect(header).toBe(
      'office,month,tasksCompleted,tasksWithinTarget,shareWithinTarget,termsSettled,termsMet,shareTermsMet',
    );
    expect(lines.some((l) => l.startsWith(`all,${addDays(day, 5).slice(0, 7)},`))).toBe(true);
    await page.close();
  });
});
