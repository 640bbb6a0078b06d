/**
 * `npm run bench:analytics`: what the office's figures cost at a region's scale (issue 14 §2). On the benchmark
 * stack (FerretDB, the API over HTTP on loopback), it writes a year of facts through the projection's own path
 * (`recordFacts`): ANALYTICS_TASKS_PER_MONTH tasks (default 5,000), as many terms and a third as many closed cases
 * per office and month, for the three offices, about a region's year of practices; and a backlog of
 * ANALYTICS_OPEN_CASES open cases (default 20,000) with one open task each, through the projection's backlog rows. Then it times each endpoint as a
 * supervisor of the three offices, and, as the floor, reading the same month rows straight from the database.
 */
import { ulid } from 'ulid';
import type { Principal } from '../api/auth';
import { OFFICE_CODES } from '../domain/offices';
import type { CaseFact, TaskFact, TermFact } from '../platform/analytics';
import { monthsBetween, recordFacts } from '../platform/analytics';
import { driverCollection } from '../platform/db';
import { projectBacklog } from '../platform/backlog';
import { startBenchStack } from './bench/stack';

const TASKS = Number(process.env.ANALYTICS_TASKS_PER_MONTH ?? 5000);
const OPEN = Number(process.env.ANALYTICS_OPEN_CASES ?? 20000);
const RUNS = 5;
const supervisor: Principal = { sub: 'bench-supervisor', role: 'supervisor', offices: [...OFFICE_CODES] };
const PROCEDURES = ['CIGO', 'CIGS', 'FIS', 'MOB', 'PIC', 'ART16', 'L68I', 'L68O'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const now = new Date();
    const to = now.toISOString().slice(0, 7);
    const back = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1))
      .toISOString()
      .slice(0, 7);
    const months = monthsBetween(back, to);

    // A year of facts, a month and an office at a time, in batches of 500 (as many projection writes would add).
    let t0 = performance.now();
    let entries = 0;
    for (const office of OFFICE_CODES) {
      for (const month of months) {
        const at = (i: number): string => `${month}-${String((i % 27) + 1).padStart(2, '0')}T10:00:00.000Z`;
        for (let start = 0; start < TASKS; start += 500) {
          const n = Math.min(500, TASKS - start);
          const tasks: TaskFact[] = [];
          const terms: TermFact[] = [];
          const cases: CaseFact[] = [];
          for (let i = start; i < start + n; i += 1) {
            const procedure = PROCEDURES[i % PROCEDURES.length] as string;
            const id = `${office}-${month}-${i}`;
            tasks.push({
              id: `${id}.T1`,
              procedure,
              key: 'k',
              by: `officer-${i % 12}`,
              at: at(i),
              within: i % 10 !== 0,
            });
            terms.push({ id: `${id}:t`, procedure, rule: 'r', at: at(i), met: i % 20 !== 0 });
            if (i % 3 === 0) cases.push({ id, procedure, at: at(i), outcome: 'closed', leadDays: i % 9 });
          }
          await recordFacts(stack.db, office, { tasks, terms, cases });
          entries += tasks.length + terms.length + cases.length;
        }
      }
    }
    const writeMs = performance.now() - t0;
    process.stderr.write(`facts: ${entries} in ${(writeMs / 1000).toFixed(1)} s\n`);

    // The backlog: open cases with one open task each, spread over the offices, steps and ages.
    t0 = performance.now();
    // Through the projection's own write of the backlog rows (platform/backlog.ts), 200 cases at a time.
    for (let start = 0; start < OPEN; start += 200) {
      const writes: Promise<void>[] = [];
      for (let i = start; i < Math.min(OPEN, start + 200); i += 1) {
        const office = OFFICE_CODES[i % OFFICE_CODES.length] as string;
        const procedure = PROCEDURES[i % 8] as string;
        const caseId = `BENCH-${ulid()}`;
        const openedAt = new Date(now.getTime() - (i % 120) * 86_400_000).toISOString();
        const task = {
          taskId: `${caseId}.T1`,
          caseId,
          procedure,
          key: 'k',
          title: 't',
          candidateRole: 'officer' as const,
          office,
          assignee: i % 4 === 0 ? null : `officer-${i % 12}`,
          status: 'open' as const,
          priority: 'normal' as const,
          openedAt,
          targetAt: new Date(now.getTime() + ((i % 5) - 2) * 86_400_000).toISOString(),
          deadlineId: null,
          legalDueAt: null,
          escalated: i % 50 === 0,
          outcomes: [],
          completedAt: null,
          completedBy: null,
          outcome: null,
          data: null,
        };
        writes.push(
          projectBacklog(
            stack.db,
            { caseId, procedure, office, openedBySub: 'bench', title: 't', status: 'open' },
            1,
            { step: `step ${i % 6}`, openedAt },
            [task],
          ),
        );
      }
      await Promise.all(writes);
    }
    const backlogWriteMs = performance.now() - t0;
    process.stderr.write(`backlog: ${OPEN} in ${(backlogWriteMs / 1000).toFixed(1)} s\n`);

    const endpoints = [
      '/v1/analytics/attainment',
      '/v1/analytics/lead-times',
      '/v1/analytics/satisfaction',
      '/v1/analytics/backlog',
      '/v1/analytics/export?table=attainment',
    ];
    const rows: string[] = [];
    for (const url of endpoints) {
      const times: number[] = [];
      let bytes = 0;
      for (let r = 0; r < RUNS; r += 1) {
        const t = performance.now();
        // Over HTTP as a browser or an integrator would (the export answers CSV, not JSON).
        const res = await fetch(`${stack.base}${url}`, {
          headers: { Authorization: `Bearer ${stack.token(supervisor)}` },
        });
        const text = await res.text();
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        bytes = Buffer.byteLength(text);
      }
      process.stderr.write(`${url}: ${times.map((t) => t.toFixed(0)).join(' ')} ms\n`);
      rows.push(
        `  ${url.padEnd(42)} first ${(times[0] ?? NaN).toFixed(0).padStart(6)} ms, then p50 ${median(times.slice(1)).toFixed(0).padStart(5)} ms   ${(bytes / 1024).toFixed(1)} KiB`,
      );
    }
    // The floor: the reads a year of figures cannot do without, straight from the database: each office's
    // 12 month summaries and 30 day summaries with their stamps, by _id.
    const ids = OFFICE_CODES.flatMap((o) => [
      ...months.map((m) => `month:${o}:${m}`),
      ...Array.from(
        { length: 30 },
        (_, i) => `day:${o}:${new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10)}`,
      ),
    ]);
    const floor: number[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const t = performance.now();
      await Promise.all(
        ids.flatMap((id) => [
          driverCollection(stack.db.analyticsSummaries).findOne({ _id: id }),
          driverCollection(stack.db.analyticsStamps).findOne({ _id: id }),
        ]),
      );
      floor.push(performance.now() - t);
    }
    const attainment = Number(/p50\s+(\d+)/.exec(rows[0] ?? '')?.[1]);
    const rss = process.memoryUsage().rss / 2 ** 20;
    process.stdout.write(
      [
        '',
        `analytics at a region's scale: ${OFFICE_CODES.length} offices × ${months.length} months, ${TASKS} tasks, ${TASKS} terms and ${Math.ceil(TASKS / 3)} closed cases per office and month`,
        `  facts written: ${entries} entries in ${(writeMs / 1000).toFixed(1)} s (${Math.round(entries / (writeMs / 1000))} entries/s through recordFacts)`,
        `  backlog: ${OPEN} open cases and ${OPEN} open tasks written in ${(backlogWriteMs / 1000).toFixed(1)} s`,
        `  endpoint (as a supervisor of ${OFFICE_CODES.length} offices, ${RUNS} runs)`,
        ...rows,
        `  floor: the ${ids.length} summaries and stamps a year of figures needs, read by _id straight from the database: p50 ${median(floor).toFixed(0)} ms; attainment (warm) / floor ${(attainment / median(floor)).toFixed(2)}×`,
        `  API process RSS after the runs: ${rss.toFixed(0)} MiB`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    // Said at once: closing the stack after a failure can take a while.
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    throw err;
  } finally {
    process.stderr.write('closing the stack\n');
    await stack.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
