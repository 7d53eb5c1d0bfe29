-- CreateTable
CREATE TABLE "CheckinLane" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "open" BOOLEAN NOT NULL DEFAULT true,
    "vip" BOOLEAN NOT NULL DEFAULT false,
    "staffIds" TEXT NOT NULL DEFAULT '[]',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "CheckinScan" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "scanId" TEXT NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "laneId" INTEGER NOT NULL,
    "deviceUser" TEXT NOT NULL,
    "attendeeId" INTEGER,
    "kind" TEXT NOT NULL DEFAULT 'scan',
    "verdict" TEXT NOT NULL,
    "reason" TEXT,
    "offline" BOOLEAN NOT NULL DEFAULT false,
    "doubleAdmission" BOOLEAN NOT NULL DEFAULT false,
    "scannedAt" DATETIME NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "CheckinWalkin" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "laneId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "note" TEXT,
    "requestedBy" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "attendeeId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Attendee" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "userId" TEXT,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "department" TEXT,
    "phoneEnc" TEXT,
    "idNumberEnc" TEXT,
    "notes" TEXT,
    "role" TEXT NOT NULL DEFAULT 'attendee',
    "response" TEXT NOT NULL DEFAULT 'pending',
    "dietary" TEXT,
    "dietaryNote" TEXT,
    "accommodation" BOOLEAN,
    "nights" INTEGER,
    "note" TEXT,
    "respondedAt" DATETIME,
    "answeredBy" TEXT,
    "checkedInAt" DATETIME,
    "checkedInBy" TEXT,
    "checkedInLane" TEXT,
    "laneName" TEXT,
    "admissionVersion" INTEGER NOT NULL DEFAULT 1,
    "phoneTailHash" TEXT,
    "invitedBy" TEXT NOT NULL,
    "cardId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Attendee_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Attendee" ("accommodation", "answeredBy", "cardId", "checkedInAt", "checkedInBy", "createdAt", "department", "dietary", "dietaryNote", "id", "idNumberEnc", "invitedBy", "meetingId", "name", "nights", "note", "notes", "phoneEnc", "respondedAt", "response", "role", "title", "updatedAt", "userId") SELECT "accommodation", "answeredBy", "cardId", "checkedInAt", "checkedInBy", "createdAt", "department", "dietary", "dietaryNote", "id", "idNumberEnc", "invitedBy", "meetingId", "name", "nights", "note", "notes", "phoneEnc", "respondedAt", "response", "role", "title", "updatedAt", "userId" FROM "Attendee";
DROP TABLE "Attendee";
ALTER TABLE "new_Attendee" RENAME TO "Attendee";
CREATE INDEX "Attendee_meetingId_response_idx" ON "Attendee"("meetingId", "response");
CREATE INDEX "Attendee_userId_idx" ON "Attendee"("userId");
CREATE INDEX "Attendee_meetingId_phoneTailHash_idx" ON "Attendee"("meetingId", "phoneTailHash");
CREATE INDEX IF NOT EXISTS "Attendee_meetingId_checkedInAt_idx" ON "Attendee"("meetingId", "checkedInAt");
CREATE UNIQUE INDEX "Attendee_meetingId_userId_key" ON "Attendee"("meetingId", "userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "CheckinLane_meetingId_name_key" ON "CheckinLane"("meetingId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CheckinScan_scanId_key" ON "CheckinScan"("scanId");

-- CreateIndex
CREATE INDEX "CheckinScan_meetingId_laneId_scannedAt_idx" ON "CheckinScan"("meetingId", "laneId", "scannedAt");

-- CreateIndex
CREATE INDEX "CheckinWalkin_meetingId_status_idx" ON "CheckinWalkin"("meetingId", "status");
