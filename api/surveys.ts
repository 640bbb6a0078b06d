/**
 * The satisfaction survey's two public routes (issue 14 §3): the link sent when a case closes opens the survey and
 * takes one answer. The link's token is the only credential; a wrong or unknown token is 404, a second answer 409.
 */
import type { IRouter, Request, Response } from 'express';
import { z } from 'zod';
import { findProcedure } from '../domain/catalogue';
import { findOffice } from '../domain/offices';
import type { Db, SurveyDoc } from '../platform/db';
import { answerOf, recordAnswer, surveyOfToken } from '../platform/surveys';
import { HttpProblem, parse, problems } from './problem';
import type { RouteSpec, RouteTable } from './route-table';

export const surveyAnswerBody = z
  .object({
    score: z.int().min(1).max(5).describe('1 (very dissatisfied) to 5 (very satisfied)'),
    comment: z.string().max(1000).nullable().optional().describe('anything the person wants to add'),
  })
  .strict();

export const surveyView = z.object({
  procedure: z.string(),
  procedureTitle: z.string(),
  office: z.string(),
  officeName: z.string(),
  closedAt: z.string(),
  answered: z.boolean(),
  answeredAt: z.string().nullable(),
});

function viewOf(s: SurveyDoc, answeredAt: string | null): z.infer<typeof surveyView> {
  return {
    procedure: s.procedure,
    procedureTitle: findProcedure(s.procedure)?.title ?? s.procedure,
    office: s.office,
    officeName: findOffice(s.office)?.name ?? s.office,
    closedAt: s.closedAt,
    answered: answeredAt !== null,
    answeredAt,
  };
}

export function mountSurveyRoutes(
  table: RouteTable,
  app: IRouter,
  specs: { get: RouteSpec; answer: RouteSpec },
  deps: { db: Db; now: () => Promise<number> },
): void {
  const surveyOf = async (req: Request): Promise<SurveyDoc> => {
    const token = String(req.params.token);
    const survey = await surveyOfToken(deps.db, token);
    if (!survey) throw problems.notFound('Survey');
    return survey;
  };
  table.add(app, '', specs.get, async (req: Request, res: Response) => {
    const survey = await surveyOf(req);
    const answer = await answerOf(deps.db, survey._id);
    res.json(viewOf(survey, answer?.answeredAt ?? null));
  });
  table.add(app, '', specs.answer, async (req: Request, res: Response) => {
    const survey = await surveyOf(req);
    const body = parse(surveyAnswerBody, req.body);
    const now = new Date(await deps.now()).toISOString();
    const recorded = await recordAnswer(
      deps.db,
      survey,
      { score: body.score, comment: body.comment ?? null },
      now,
    );
    if (!recorded)
      throw new HttpProblem(
        409,
        'survey-already-answered',
        'Already answered',
        'This survey was answered already: one answer per case.',
      );
    res.status(201).json(viewOf(survey, now));
  });
}
