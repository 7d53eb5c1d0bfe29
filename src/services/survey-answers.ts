/**
 * Stores one survey answer with its receipt, so that the stored answers carry no order of writing.
 *
 * SQLite: the answer table is WITHOUT ROWID, so rows live in the order of their random ids.
 * PostgreSQL keeps rows in a heap in the order they were written (`ctid`) and stamps each with
 * the writing transaction (`xmin`): an answer inserted on its own could be lined up with the
 * order in which people answered. So on PostgreSQL every submission rewrites the survey's answers
 * in one transaction: they are deleted and inserted again, sorted by their random ids, all with
 * the same `xmin`. What stays and what this costs: docs/database.md, "Anonymous answers on
 * PostgreSQL".
 */
import type { PrismaClient } from '../db/client.js';
import { databaseKind } from '../db/database-url.js';

export interface AnswerRow {
  id: string;
  surveyId: number;
  ratings: string;
  comment: string | null;
  userId: string | null;
}

export async function storeSurveyAnswer(db: PrismaClient, databaseUrl: string, voterHash: string, answer: AnswerRow): Promise<void> {
  if (databaseKind(databaseUrl) !== 'postgresql') {
    await db.$transaction([db.surveyReceipt.create({ data: { voterHash, surveyId: answer.surveyId } }), db.surveyResponse.create({ data: answer })]);
    return;
  }
  await db.$transaction(async (tx) => {
    // One rewrite at a time per survey: two at once would each re-insert the other's deleted rows.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('huiwu.survey-answers'), ${answer.surveyId}::int)`;
    // The receipt first: a second submission fails here (P2002) before anything is rewritten.
    await tx.surveyReceipt.create({ data: { voterHash, surveyId: answer.surveyId } });
    const rows = await tx.$queryRaw<AnswerRow[]>`
      DELETE FROM "SurveyResponse" WHERE "surveyId" = ${answer.surveyId} RETURNING "id", "surveyId", "ratings", "comment", "userId"`;
    rows.push(answer);
    rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await tx.surveyResponse.createMany({ data: rows });
  });
}
