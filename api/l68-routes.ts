/**
 * Targeted placement (L. 68/1999) beyond the generic case routes: the ranking of a list on a day, explained; the
 * supervisors' compliance board of the employers; the annual-return campaign opened by hand.
 */
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { romeDate } from '../domain/dates';
import { L68_LISTS } from '../domain/procedures/l68-ranking';
import type { Position } from '../domain/procedures/l68-obligation';
import { L68O_CODE } from '../domain/procedures/l68-obligation';
import { uncoveredQuotaSanction } from '../domain/procedures/targeted-placement';
import { isoDate, taxCode, text } from '../domain/schemas';
import type { Db } from '../platform/db';
import { longRead } from '../platform/db';
import { UnknownRuleVersion, l68RankingOn } from '../platform/l68';
import { officeSnapshot } from '../platform/queries';
import type { CampaignResult, campagnaProspettiL68 } from '../workflows/l68-campaign';
import type { Principal } from './auth';
import { requireRole, scopeFilter } from './auth';
import { parse, problems } from './problem';
import type { RouteSpec } from './route-table';

export const scopeQuery = z.object({ scope: z.enum(['art16', 'l68']).default('art16') }).strict();

export const rankingQuery = z
  .object({
    list: z.enum(L68_LISTS).default('art1'),
    on: isoDate.optional(),
    office: text(20).optional(),
    ruleVersion: z.coerce.number().int().min(1).max(10_000).optional(),
    taxCode: taxCode.optional(),
  })
  .strict();

export const complianceQuery = z
  .object({
    year: z.coerce.number().int().min(2018).max(2100),
    status: z
      .enum(['covered', 'uncovered', 'suspended', 'within the 60 days', 'awaiting the annual return'])
      .optional(),
  })
  .strict();

export const campaignBody = z.object({ year: z.int().min(2018).max(2100) }).strict();

const STAFF = ['officer', 'supervisor', 'admin'] as const;

/** The offices a staff member may rank: their own (or the one asked for, if theirs); an admin's, any. */
function rankingOffices(p: Principal, office: string | undefined): string[] | undefined {
  if (p.role === 'admin') return office ? [office] : undefined;
  if (office && !p.offices.includes(office))
    throw problems.forbidden(`You do not work for the office ${office}.`);
  return office ? [office] : p.offices;
}

export function mountL68Routes(
  on: (spec: RouteSpec, handler: RequestHandler) => void,
  specs: { ranking: RouteSpec; compliance: RouteSpec; campaign: RouteSpec },
  deps: {
    db: Db;
    temporal: Client;
    taskQueue: string;
    /** The clock of the demo mode (a time-skipping server), when wired; the wall clock otherwise. */
    now?: () => Promise<number>;
  },
): void {
  const today = async (): Promise<string> => romeDate(deps.now ? await deps.now() : Date.now());

  /**
   * The ranking of a list on a day (default today), with every component of every score. The same day and rule
   * version always give the same rows; `taxCode` narrows the answer to one person's row (its position unchanged).
   */
  on(specs.ranking, async (req, res) => {
    const p = requireRole(req, STAFF, 'see the L. 68 ranking');
    const q = parse(rankingQuery, req.query);
    const offices = rankingOffices(p, q.office);
    const on = q.on ?? (await today());
    try {
      const ranking = await l68RankingOn(deps.db, {
        ...(offices ? { offices } : {}),
        list: q.list,
        on,
        ...(q.ruleVersion !== undefined ? { ruleVersion: q.ruleVersion } : {}),
      });
      const rows = q.taxCode ? ranking.rows.filter((r) => r.taxCode === q.taxCode) : ranking.rows;
      if (q.taxCode && rows.length === 0)
        throw problems.notFound(`${q.taxCode} on the ${q.list} ranking of ${on}`);
      res.json({ ...ranking, offices: offices ?? 'all', rows });
    } catch (err) {
      if (err instanceof UnknownRuleVersion)
        throw problems.notFound(`Version ${q.ruleVersion ?? ''} of the L. 68 scoring rule`);
      throw err;
    }
  });

  /**
   * The compliance board: every employer's position for a year in the caller's offices, with the sanction accrued
   * so far (the open accrual computed to today on the office's calendar).
   */
  on(specs.compliance, async (req, res) => {
    const p = requireRole(req, STAFF, 'see the L. 68 compliance board');
    const q = parse(complianceQuery, req.query);
    const docs = await longRead(() =>
      deps.db.cases
        .find({ ...scopeFilter(p), procedure: L68O_CODE, 'keys.year': String(q.year) })
        .sort({ _id: 1 })
        .lean(),
    );
    const asOf = await today();
    // One read of each office's calendar, however many employers it has.
    const calendars = new Map<string, Awaited<ReturnType<typeof officeSnapshot>>>();
    const items = [];
    for (const d of docs) {
      const f = d.facts as {
        compliance?: string;
        position?: Position | null;
        termDue?: string;
        sanctionsTotal?: number;
        accruing?: { from: string; missing: number } | null;
        suspensions?: { from: string; to: string }[];
      };
      if (q.status && f.compliance !== q.status) continue;
      let accruingSoFar = 0;
      if (f.accruing && d.status === 'open') {
        if (!calendars.has(d.office)) calendars.set(d.office, await officeSnapshot(deps.db, d.office));
        const snapshot = calendars.get(d.office);
        if (snapshot) {
          accruingSoFar = uncoveredQuotaSanction(
            f.accruing.from,
            asOf,
            f.accruing.missing,
            snapshot.officeCalendar,
            f.suspensions ?? [],
          ).amount;
        }
      }
      items.push({
        caseId: d._id,
        office: d.office,
        employer: d.parties[0] ?? null,
        status: d.status,
        compliance: f.compliance ?? null,
        position: f.position ?? null,
        termDue: f.termDue ?? null,
        sanctionsReported: f.sanctionsTotal ?? 0,
        accruing: f.accruing ?? null,
        accruingSoFar,
      });
    }
    res.json({ year: q.year, asOf, items });
  });

  /** Opens the year's campaign now (the schedule does it every January): only employers without a case get one. */
  on(specs.campaign, async (req, res) => {
    const p = requireRole(req, ['supervisor', 'admin'], 'open the annual-return campaign');
    const body = parse(campaignBody, req.body);
    try {
      const result: CampaignResult = await deps.temporal.workflow.execute<typeof campagnaProspettiL68>(
        'campagnaProspettiL68',
        {
          taskQueue: deps.taskQueue,
          workflowId: `l68-campaign-${body.year}-${Date.now()}`,
          args: [{ year: body.year }],
          workflowExecutionTimeout: '2 minutes',
        },
      );
      req.log.info('L. 68 campaign opened', { year: body.year, opened: result.opened.length, by: p.sub });
      res.status(201).json(result);
    } catch (err) {
      if (err instanceof WorkflowFailedError)
        throw problems.unavailable('The campaign did not complete; retry: it only opens the missing cases.');
      throw err;
    }
  });
}
