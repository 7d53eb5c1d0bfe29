-- Survey answers keep no insertion order. A rowid table numbers its rows as they are inserted, so
-- the n-th answer stored lined up with the n-th survey card updated; WITHOUT ROWID, SQLite stores and
-- returns the rows in the order of their random primary key. Prisma's schema language cannot say
-- WITHOUT ROWID and its diff does not see it, so this migration is written by hand.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SurveyResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "surveyId" INTEGER NOT NULL,
    "ratings" TEXT NOT NULL,
    "comment" TEXT,
    "userId" TEXT
) WITHOUT ROWID;
INSERT INTO "new_SurveyResponse" ("id", "surveyId", "ratings", "comment", "userId") SELECT "id", "surveyId", "ratings", "comment", "userId" FROM "SurveyResponse" ORDER BY "id";
DROP TABLE "SurveyResponse";
ALTER TABLE "new_SurveyResponse" RENAME TO "SurveyResponse";
CREATE INDEX "SurveyResponse_surveyId_idx" ON "SurveyResponse"("surveyId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
