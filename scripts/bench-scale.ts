/**
 * `npm run bench:scale`: a collective dismissal of BENCH_WORKERS workers (default 2,000, the largest list the
 * schema accepts) through the API: the union phase, the list step, the workers' cases opened in the background,
 * then two stages of every worker's case (first contact, profiling) and the service pact that ends it, with
 * BENCH_CONCURRENCY requests in flight (default 16). Prints the time of each phase, the parent's runs with their
 * history sizes and event counts, and the RSS. Bounded; it stops by itself.
 */
import type { Principal } from '../api/auth';
import type { CaseView } from '../domain/case-model';
import { addDays, romeDate } from '../domain/dates';
import type { BenchStack } from './bench/stack';
import { inFlight, progressLine, rssMiB, startBenchStack } from './bench/stack';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const officer: Principal = { sub: 'officer-lucca', role: 'officer', offices: ['lucca'] };
const WARN_BYTES = 10 * 2 ** 20; // Temporal's default warning limit for one run's history

function mobInput(today: string): Record<string, unknown> {
  const notice = [
    { kind: 'rsa-rsu', name: 'RSU Cartiera', receivedOn: today },
    { kind: 'union', name: 'SLC-CGIL Lucca', receivedOn: today },
    { kind: 'region', name: 'Regione Toscana – Settore lavoro', receivedOn: today },
  ];
  return {
    employer: { taxCode: '01234567890', name: 'Cartiera Bench', sector: 'industry', averageEmployees: 3000 },
    productionUnits: [
      { id: 'u1', address: 'Via del Brennero 12', municipality: 'Lucca', province: 'LU', region: 'Toscana' },
    ],
    openingNotice: {
      sentOn: today,
      reasons: 'The plant closes',
      whyUnavoidable: 'No other plant can take the operators',
      redundant: [{ unitId: 'u1', profile: 'Machine operator', department: 'All', count: WORKERS }],
      normallyEmployed: [{ unitId: 'u1', profile: 'Machine operator', count: WORKERS + 500 }],
      timetable: 'Dismissals after the procedure',
      socialMeasures: 'Outplacement with the regional agency',
      extraPayments: 'None',
      recipients: notice,
    },
    workforce: { total: WORKERS + 600, women: 600, disabledEmployed: 40, disabledQuota: 40 },
  };
}

/** A valid, distinct tax code for the i-th worker. */
function taxCodeOf(i: number): string {
  return `RSSMRA80A${String(i % 100).padStart(2, '0')}E${String(Math.floor(i / 100)).padStart(3, '0')}X`;
}

async function ok(stack: BenchStack, method: 'GET' | 'POST', url: string, body?: unknown): Promise<CaseView> {
  const r = await stack.http(method, url, officer, body);
  if (r.status >= 300)
    throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  return r.body as CaseView;
}

function openTaskId(v: CaseView, key: string): string {
  const t = v.tasks.find((x) => x.key === key && x.status === 'open');
  if (!t) throw new Error(`${v.caseId}: no open ${key} (step ${v.step})`);
  return t.taskId;
}

async function until(
  stack: BenchStack,
  caseId: string,
  pred: (v: CaseView) => boolean,
  what: string,
): Promise<CaseView> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const v = await ok(stack, 'GET', `/v1/cases/${caseId}`);
    if (pred(v)) return v;
    if (Date.now() > deadline) throw new Error(`${caseId}: ${what} not reached in 30 minutes`);
    progressLine(
      `  waiting: ${what} (opened ${String(v.facts.workersOpened)}, ended ${String(v.facts.workersEnded)})`,
    );
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const rssBefore = rssMiB();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMiB());
  }, 500);
  const today = romeDate(Date.now());
  const phases: string[] = [];
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await fn();
    phases.push(`${name.padEnd(44)} ${((performance.now() - t) / 1000).toFixed(1).padStart(7)} s`);
    return r;
  };

  let v = await phase('open the case (POST /v1/cases)', () =>
    ok(stack, 'POST', '/v1/cases', { procedure: 'MOB', office: 'lucca', input: mobInput(today) }),
  );
  const caseId = v.caseId;
  v = await phase('union phase (two tasks)', async () => {
    let x = await ok(stack, 'POST', `/v1/tasks/${openTaskId(v, 'mob-exam-request')}/complete`, {
      outcome: 'requested',
      data: { requestDate: today },
    });
    x = await ok(stack, 'POST', `/v1/tasks/${openTaskId(x, 'mob-union-phase')}/complete`, {
      outcome: 'agreement',
      data: { minutesDate: today, selectionCriteria: 'Seniority', agreedDismissalDays: 60 },
    });
    return x;
  });
  const notified = addDays(today, 1);
  const list = {
    outcome: 'received',
    data: {
      dismissalsNotifiedOn: notified,
      listSentOn: notified,
      workers: Array.from({ length: WORKERS }, (_, i) => ({
        taxCode: taxCodeOf(i),
        name: `Worker ${i + 1}`,
        gender: i % 3 === 0 ? 'F' : 'M',
        residence: 'Lucca',
        qualification: 'Machine operator',
        level: '4',
        age: 30 + (i % 30),
        dependants: i % 3,
        selectionExplanation: 'Seniority as agreed',
        naspiAppliedOn: notified,
      })),
    },
  };
  const listBytes = Buffer.byteLength(JSON.stringify(list));
  v = await phase(`list step of ${WORKERS} workers (${(listBytes / 1024).toFixed(0)} KB body)`, () =>
    ok(stack, 'POST', `/v1/tasks/${openTaskId(v, 'mob-dismissals-list')}/complete`, list),
  );
  await phase("workers' cases opened in the background", () =>
    until(stack, caseId, (x) => x.facts.workersOpened === WORKERS, 'every worker case opened'),
  );

  // The workers' case ids, paged from the member rows.
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (
      await stack.http(
        'GET',
        `/v1/cases/${caseId}/workers?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        officer,
      )
    ).body as { items: { caseId: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((r) => r.caseId));
    cursor = page.nextCursor;
  } while (cursor);
  if (ids.length !== WORKERS) throw new Error(`paged ${ids.length} workers, expected ${WORKERS}`);

  const views = new Map<string, CaseView>();
  const stage = (name: string, act: (id: string) => Promise<CaseView>) =>
    phase(`${name}, ${WORKERS} cases, ${CONCURRENCY} in flight`, () =>
      inFlight(
        ids.length,
        CONCURRENCY,
        async (i) => {
          const id = ids[i] as string;
          views.set(id, await act(id));
        },
        (done) => {
          if (done % 250 === 0) progressLine(`  ${name}: ${done}/${WORKERS}`);
        },
      ),
    );
  await stage('first contact', async (id) => {
    // A case opened in the background is in the read model once its first step is written: a moment after.
    let c: CaseView | null = null;
    for (let i = 0; c === null; i += 1) {
      const r = await stack.http('GET', `/v1/cases/${id}`, officer);
      if (r.status === 200) c = r.body as CaseView;
      else if (r.status !== 404 || i > 600) throw new Error(`GET ${id}: ${r.status}`);
      else await new Promise((res) => setTimeout(res, 100));
    }
    return ok(stack, 'POST', `/v1/tasks/${openTaskId(c, 'pic-first-contact')}/complete`, {
      outcome: 'came',
      data: { date: notified },
    });
  });
  await stage('profiling', (id) =>
    ok(stack, 'POST', `/v1/tasks/${openTaskId(views.get(id) as CaseView, 'pic-profiling')}/complete`, {
      outcome: 'profiled',
      data: { golPath: 5 },
    }),
  );
  await stage('service pact (ends each case)', (id) =>
    ok(stack, 'POST', `/v1/tasks/${openTaskId(views.get(id) as CaseView, 'pic-service-pact')}/complete`, {
      outcome: 'signed',
      data: {
        signedOn: notified,
        caseManager: 'Dott.ssa Bianchi',
        measures: ['Workshop'],
        contactEveryDays: 30,
      },
    }),
  );
  const final = await phase('parent closes after its last worker', () =>
    until(stack, caseId, (x) => x.status === 'closed', 'the parent closed'),
  );
  clearInterval(sampler);

  // The parent's runs (it continues as new when Temporal suggests it) and their histories.
  const runs: { runId: string; status: string; events: number; bytes: number }[] = [];
  for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = '${caseId}'` })) {
    const d = await stack.temporal.workflow.getHandle(caseId, w.runId).describe();
    runs.push({
      runId: w.runId,
      status: d.status.name,
      events: d.historyLength,
      bytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
    });
  }
  const biggest = Math.max(...runs.map((r) => r.bytes));
  const members = await stack.db.members.countDocuments({ caseId, stage: 'pact-signed' });
  process.stdout.write(
    [
      '',
      `bench:scale: a collective dismissal of ${WORKERS} workers through the API, Temporal dev server (in memory) + FerretDB + 1 worker and the API in one process`,
      ...phases.map((p) => `  ${p}`),
      `parent          ${final.status} (${final.outcome}); ${String(final.facts.workersEnded)} workers ended, ${members} member rows pact-signed; ${final.version} events`,
      `parent runs     ${runs.length}: ${runs
        .map((r) => `${r.events} events / ${(r.bytes / 2 ** 20).toFixed(2)} MB`)
        .join(', ')}`,
      `largest run     ${(biggest / 2 ** 20).toFixed(2)} MB of history (${biggest < WARN_BYTES ? 'under' : 'OVER'} the 10 MB warning limit)`,
      `memory          rss ${rssBefore.toFixed(0)} MiB before, peak ${rssPeak.toFixed(0)} MiB, ${rssMiB().toFixed(0)} MiB after`,
      '',
    ].join('\n'),
  );
  await stack.close();
  if (final.status !== 'closed' || biggest >= WARN_BYTES) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:scale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
