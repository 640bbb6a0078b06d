/**
 * The customer-satisfaction survey of a closed case (ISO 9001 §9.1.2, issue 14 §3). When a case closes, the
 * projection makes its survey once: a random secret kept with the case's id, and a message in the outbox to the
 * person or employer the case concerns, carrying the link (`/console/survey.html#<caseId>.<secret>`). The link is
 * the only credential the answer needs; one answer per case (its `_id` is the case's).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CaseScope } from '../domain/case-model';
import type { Db, SurveyAnswerDoc, SurveyDoc } from './db';
import { driverCollection, isDuplicateKey } from './db';
import { recordFacts } from './analytics';

/** Where the console answers a survey, relative to the API's public address. */
export const SURVEY_PATH = '/console/survey.html';

/** A survey token: `<caseId>.<secret>` (the secret is 32 base64url characters). */
export const SURVEY_TOKEN = /^([A-Za-z0-9_:-]{1,120})\.([A-Za-z0-9_-]{32})$/;

/** Makes the survey of a case that closed, once: a retried write keeps the first secret and the first message. */
export async function inviteToSurvey(db: Db, scope: CaseScope, closedAt: string): Promise<void> {
  const party = await db.cases.findById(scope.caseId, { parties: 1 }).lean();
  const to = party?.parties?.[0];
  const recipient = to ? `${to.role}: ${to.name}${to.identifier ? ` (${to.identifier})` : ''}` : 'case party';
  await driverCollection(db.surveys).updateOne(
    { _id: scope.caseId },
    {
      $setOnInsert: {
        secret: randomBytes(24).toString('base64url'),
        office: scope.office,
        procedure: scope.procedure,
        closedAt,
        to: recipient,
        createdAt: new Date().toISOString(),
      },
    },
    { upsert: true },
  );
  const survey = (await db.surveys.findById(scope.caseId).lean()) as SurveyDoc | null;
  if (!survey) return;
  try {
    await db.communications.create({
      _id: `survey:${scope.caseId}`,
      caseId: scope.caseId,
      to: recipient,
      subject: 'Questionario di soddisfazione',
      payload: {
        kind: 'satisfaction-survey',
        link: `${SURVEY_PATH}#${scope.caseId}.${survey.secret}`,
        procedure: scope.procedure,
        office: scope.office,
      },
      reference: `OUT-SURVEY-${scope.caseId.replace(/[^A-Za-z0-9]/g, '').slice(-20)}`,
      createdAt: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** The survey a token opens, or null when the token is not one (wrong secret, unknown case). */
export async function surveyOfToken(db: Db, token: string): Promise<SurveyDoc | null> {
  const m = SURVEY_TOKEN.exec(token);
  if (!m) return null;
  const survey = (await db.surveys.findById(m[1]).lean()) as SurveyDoc | null;
  if (!survey) return null;
  const a = Buffer.from(survey.secret);
  const b = Buffer.from(m[2] as string);
  return a.length === b.length && timingSafeEqual(a, b) ? survey : null;
}

export async function answerOf(db: Db, caseId: string): Promise<SurveyAnswerDoc | null> {
  return db.surveyAnswers.findById(caseId).lean<SurveyAnswerDoc>();
}

/**
 * Records the one answer of a survey and adds it to the office's figures: false when it was answered already.
 * The figures are written after the answer, and again by a retry of the same answer, never twice (a set).
 */
export async function recordAnswer(
  db: Db,
  survey: SurveyDoc,
  answer: { score: number; comment: string | null },
  now: string,
): Promise<boolean> {
  const doc: SurveyAnswerDoc = {
    _id: survey._id,
    office: survey.office,
    procedure: survey.procedure,
    score: answer.score,
    comment: answer.comment,
    answeredAt: now,
  };
  try {
    await db.surveyAnswers.create(doc);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false;
  }
  await recordFacts(db, survey.office, {
    surveys: [{ id: survey._id, procedure: survey.procedure, at: now, score: answer.score }],
  });
  return true;
}
