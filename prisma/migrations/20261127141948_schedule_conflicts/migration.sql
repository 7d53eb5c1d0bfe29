-- CreateTable
CREATE TABLE "ExecutiveAssistant" (
    "executiveId" TEXT NOT NULL,
    "assistantId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("executiveId", "assistantId")
);

-- CreateTable
CREATE TABLE "ScheduleEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "startAt" DATETIME NOT NULL,
    "endAt" DATETIME NOT NULL,
    "venue" TEXT,
    "importance" TEXT NOT NULL DEFAULT 'medium',
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ScheduleConflict" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "executiveId" TEXT NOT NULL,
    "itemA" TEXT NOT NULL,
    "itemB" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "generation" INTEGER NOT NULL DEFAULT 1,
    "startAt" DATETIME NOT NULL,
    "choice" TEXT,
    "chosenBy" TEXT,
    "chosenAt" DATETIME,
    "droppedItem" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SimBusySlot" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" TEXT NOT NULL,
    "startAt" DATETIME NOT NULL,
    "endAt" DATETIME NOT NULL,
    "title" TEXT
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Meeting" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "startAt" DATETIME NOT NULL,
    "endAt" DATETIME,
    "venue" TEXT,
    "conversationId" TEXT NOT NULL,
    "creatorId" TEXT NOT NULL,
    "organizerIds" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "rsvpCutoffAt" DATETIME,
    "statusCardId" TEXT,
    "importance" TEXT NOT NULL DEFAULT 'medium',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Meeting" ("conversationId", "createdAt", "creatorId", "endAt", "id", "organizerIds", "rsvpCutoffAt", "startAt", "status", "statusCardId", "title", "updatedAt", "venue") SELECT "conversationId", "createdAt", "creatorId", "endAt", "id", "organizerIds", "rsvpCutoffAt", "startAt", "status", "statusCardId", "title", "updatedAt", "venue" FROM "Meeting";
DROP TABLE "Meeting";
ALTER TABLE "new_Meeting" RENAME TO "Meeting";
CREATE INDEX "Meeting_conversationId_status_idx" ON "Meeting"("conversationId", "status");
CREATE INDEX "Meeting_startAt_idx" ON "Meeting"("startAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ExecutiveAssistant_assistantId_idx" ON "ExecutiveAssistant"("assistantId");

-- CreateIndex
CREATE INDEX "ScheduleEntry_userId_status_startAt_idx" ON "ScheduleEntry"("userId", "status", "startAt");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleConflict_key_key" ON "ScheduleConflict"("key");

-- CreateIndex
CREATE INDEX "ScheduleConflict_executiveId_status_startAt_idx" ON "ScheduleConflict"("executiveId", "status", "startAt");

-- CreateIndex
CREATE INDEX "SimBusySlot_userId_startAt_idx" ON "SimBusySlot"("userId", "startAt");

-- CreateIndex
CREATE INDEX "Attendee_userId_idx" ON "Attendee"("userId");
