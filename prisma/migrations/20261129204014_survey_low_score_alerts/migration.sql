-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Survey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "anonymous" BOOLEAN NOT NULL DEFAULT true,
    "audience" TEXT NOT NULL,
    "dimensions" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "deadlineAt" DATETIME NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" DATETIME,
    "belowTarget" BOOLEAN NOT NULL DEFAULT false,
    "lowScoreAlerts" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_Survey" ("anonymous", "audience", "closedAt", "createdAt", "createdBy", "deadlineAt", "dimensions", "id", "meetingId", "status") SELECT "anonymous", "audience", "closedAt", "createdAt", "createdBy", "deadlineAt", "dimensions", "id", "meetingId", "status" FROM "Survey";
DROP TABLE "Survey";
ALTER TABLE "new_Survey" RENAME TO "Survey";
CREATE INDEX "Survey_meetingId_idx" ON "Survey"("meetingId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
