-- CreateTable
CREATE TABLE "Meeting" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Attendee" (
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
    "checkedInAt" DATETIME,
    "checkedInBy" TEXT,
    "invitedBy" TEXT NOT NULL,
    "cardId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Attendee_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PiiAccessLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Meeting_conversationId_status_idx" ON "Meeting"("conversationId", "status");

-- CreateIndex
CREATE INDEX "Attendee_meetingId_response_idx" ON "Attendee"("meetingId", "response");

-- CreateIndex
CREATE UNIQUE INDEX "Attendee_meetingId_userId_key" ON "Attendee"("meetingId", "userId");
