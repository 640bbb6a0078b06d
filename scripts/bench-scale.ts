/**
 * `npm run bench:scale`: the largest cases the schemas accept, through the API, with BENCH_CONCURRENCY requests in
 * flight (default 16); BENCH_SCALE picks the scenarios (default `mob,cigs`):
 * - `mob`: a collective dismissal of BENCH_WORKERS workers (default 2,000): the union phase, the list step, the
 *   workers' cases opened in the background, then two stages of every worker's case (first contact, profiling) and
 *   the service pact that ends it;
 * - `cigs`: a CIGS case of BENCH_WORKERS workers to its training period, two sessions of attendance for every
 *   worker (every tenth absent without reason both times: a month of benefit, then the benefit), and the early end.
 * Prints the time of each phase, the case's runs with their history sizes and event counts, and the RSS. Bounded;
 * it stops by itself.
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

type Phase = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** A case's runs (it continues as new when Temporal suggests it) and their histories. */
async function runsOf(
  stack: BenchStack,
  caseId: string,
): Promise<{ lines: string[]; biggest: number; runs: number }> {
  const runs: { at: number; status: string; events: number; bytes: number }[] = [];
  for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = '${caseId}'` })) {
    const d = await stack.temporal.workflow.getHandle(caseId, w.runId).describe();
    runs.push({
      at: w.startTime.getTime(),
      status: d.status.name,
      events: d.historyLength,
      bytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
    });
  }
  runs.sort((a, b) => a.at - b.at);
  const biggest = Math.max(...runs.map((r) => r.bytes));
  return {
    runs: runs.length,
    biggest,
    lines: [
      `runs            ${runs.length}: ${runs
        .map((r) => `${r.events} events / ${(r.bytes / 2 ** 20).toFixed(2)} MB (${r.status.toLowerCase()})`)
        .join(', ')}`,
      `largest run     ${(biggest / 2 ** 20).toFixed(2)} MB of history (${biggest < WARN_BYTES ? 'under' : 'OVER'} the 10 MB warning limit)`,
    ],
  };
}

interface Outcome {
  lines: string[];
  ok: boolean;
}

async function main(): Promise<void> {
  const scenarios = (process.env.BENCH_SCALE ?? 'mob,cigs').split(',').map((x) => x.trim());
  const stack = await startBenchStack();
  const out: string[] = [];
  let ok = true;
  for (const scenario of scenarios) {
    const rssBefore = rssMiB();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB());
    }, 500);
    const phases: string[] = [];
    const phase: Phase = async (name, fn) => {
      const t = performance.now();
      const r = await fn();
      phases.push(`${name.padEnd(48)} ${((performance.now() - t) / 1000).toFixed(1).padStart(7)} s`);
      return r;
    };
    const run = scenario === 'cigs' ? cigsScenario : scenario === 'mob' ? mobScenario : null;
    if (!run) throw new Error(`unknown BENCH_SCALE scenario ${scenario} (mob, cigs)`);
    const r = await run(stack, phase);
    clearInterval(sampler);
    ok = ok && r.ok;
    out.push(
      '',
      scenario === 'mob'
        ? `bench:scale mob: a collective dismissal of ${WORKERS} workers through the API, Temporal dev server (in memory) + FerretDB + 1 worker and the API in one process`
        : `bench:scale cigs: a CIGS case of ${WORKERS} workers through the API, same stack`,
      ...phases.map((p) => `  ${p}`),
      ...r.lines,
      `memory          rss ${rssBefore.toFixed(0)} MiB before, peak ${rssPeak.toFixed(0)} MiB, ${rssMiB().toFixed(0)} MiB after`,
    );
    process.stdout.write(`${out.slice(-(phases.length + r.lines.length + 3)).join('\n')}\n`);
  }
  await stack.close();
  process.stdout.write(`${['', ...out, ''].join('\n')}`);
  if (!ok) process.exitCode = 1;
}

async function mobScenario(stack: BenchStack, phase: Phase): Promise<Outcome> {
  const today = romeDate(Date.now());

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

  const history = await runsOf(stack, caseId);
  const members = await stack.db.members.countDocuments({ caseId, stage: 'pact-signed' });
  return {
    ok: final.status === 'closed' && history.biggest < WARN_BYTES,
    lines: [
      `parent          ${final.status} (${final.outcome}); ${String(final.facts.workersEnded)} workers ended, ${members} member rows pact-signed; ${final.version} events`,
      ...history.lines,
    ],
  };
}

async function cigsScenario(stack: BenchStack, phase: Phase): Promise<Outcome> {
  const today = romeDate(Date.now());
  const period = { from: addDays(today, 60), to: addDays(today, 240) };
  const workers = Array.from({ length: WORKERS }, (_, i) => ({
    taxCode: taxCodeOf(i),
    name: `Worker ${i + 1}`,
  }));
  const news = (caseId: string, type: string, data: unknown) =>
    ok(stack, 'POST', `/v1/cases/${caseId}/news`, { type, data });
  let v = await phase('open the case (POST /v1/cases)', () =>
    ok(stack, 'POST', '/v1/cases', {
      procedure: 'CIGS',
      office: 'lucca',
      input: {
        employer: {
          taxCode: '01234567890',
          name: 'Cartiera Bench',
          sector: 'industry',
          averageEmployees: WORKERS + 500,
          solidarityFund: 'none',
        },
        productionUnits: [
          {
            id: 'u-cigs',
            address: 'Via del Brennero 12',
            municipality: 'Lucca',
            province: 'LU',
            region: 'Toscana',
          },
        ],
        cause: 'reorganisation',
        causeDescription: 'Conversion of the paper machines',
        programme: 'Replacement of the lines, retraining of the operators',
        period,
        workersConcerned: WORKERS,
        unionNoticeDate: today,
      },
    }),
  );
  const caseId = v.caseId;
  v = await phase('joint examination, opinion (three requests)', async () => {
    let x = await ok(stack, 'POST', `/v1/tasks/${openTaskId(v, 'cigs-exam-request')}/complete`, {
      outcome: 'requested',
      data: { requestDate: today, requestedBy: 'unions' },
    });
    x = await ok(stack, 'POST', `/v1/tasks/${openTaskId(x, 'cigs-examination')}/complete`, {
      outcome: 'agreement',
      data: { minutesDate: today, selectionCriteria: 'By line', rotation: true, solidarityNotFeasible: true },
    });
    await news(caseId, 'region-opinion', {
      opinion: 'favourable',
      issuedOn: today,
      reference: 'R',
      reasons: 'ok',
    });
    return x;
  });
  const application = {
    outcome: 'filed',
    data: { filedOn: today, protocol: 'MIN-1', programmeAttached: true, workers },
  };
  const bytes = Buffer.byteLength(JSON.stringify(application));
  v = await phase(`application with ${WORKERS} workers (${(bytes / 1024).toFixed(0)} KB body)`, () =>
    ok(stack, 'POST', `/v1/tasks/${openTaskId(v, 'cigs-application')}/complete`, application),
  );
  v = await phase('decree, then the training plan for every worker', async () => {
    const x = await news(caseId, 'ministry-decree', {
      decision: 'authorised',
      decidedOn: today,
      protocol: 'DM-1',
      authorised: period,
    });
    return ok(stack, 'POST', `/v1/tasks/${openTaskId(x, 'cigs-training-plan')}/complete`, {
      outcome: 'planned',
      data: { courses: [{ courseCode: 'RIQ-01', title: 'Recycled fibre', provider: 'Agenzia', hours: 80 }] },
    });
  });
  try {
    await sessions();
  } catch (err) {
    // What the case was doing when a request failed: its runs and the last events of the latest.
    const h = await runsOf(stack, caseId);
    const events = (await stack.temporal.workflow.getHandle(caseId).fetchHistory()).events ?? [];
    process.stderr.write(
      `${h.lines.join('\n')}\nlast events: ${events
        .slice(-25)
        .map((e) => `${String(e.eventId)}:${String(e.eventType)}`)
        .join(' ')}\n`,
    );
    throw err;
  }
  async function sessions(): Promise<void> {
    for (const [n, sessionDate] of [addDays(period.from, 7), addDays(period.from, 14)].entries()) {
      await phase(`session ${n + 1}: attendance of ${WORKERS}, ${CONCURRENCY} in flight`, () =>
        inFlight(
          WORKERS,
          CONCURRENCY,
          async (i) => {
            const w = workers[i] as { taxCode: string };
            const absent = i % 10 === 0;
            await news(caseId, 'training-attendance', {
              workerTaxCode: w.taxCode,
              courseCode: 'RIQ-01',
              sessionDate,
              attended: !absent,
              ...(absent ? { justified: false } : {}),
            });
          },
          (done) => {
            if (done % 250 === 0) progressLine(`  session ${n + 1}: ${done}/${WORKERS}`);
          },
        ),
      );
    }
  }
  const final = await phase('the employer ends the suspension early', () =>
    news(caseId, 'suspension-ended', { endedOn: addDays(period.from, 20), reason: 'Orders back' }),
  );
  const history = await runsOf(stack, caseId);
  const lost = await stack.db.members.countDocuments({ caseId, stage: 'benefit-lost' });
  const expectedLost = Math.ceil(WORKERS / 10);
  return {
    ok:
      final.status === 'closed' &&
      lost === expectedLost &&
      final.facts.workersSanctioned === expectedLost &&
      history.biggest < WARN_BYTES,
    lines: [
      `case            ${final.status} (${final.outcome}); ${String(final.facts.workersListed)} workers, ${lost} rows benefit-lost (expected ${expectedLost}); ${final.version} events`,
      ...history.lines,
    ],
  };
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:scale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
