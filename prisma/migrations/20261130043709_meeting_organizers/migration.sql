-- CreateTable
CREATE TABLE "MeetingOrganizer" (
    "meetingId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,

    PRIMARY KEY ("meetingId", "userId"),
    CONSTRAINT "MeetingOrganizer_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "MeetingOrganizer_userId_idx" ON "MeetingOrganizer"("userId");

-- Backfill (hand-written): one row per id in each meeting's organizerIds JSON array.
INSERT OR IGNORE INTO "MeetingOrganizer" ("meetingId", "userId")
SELECT "Meeting"."id", organizer.value
FROM "Meeting", json_each("Meeting"."organizerIds") AS organizer
WHERE json_valid("Meeting"."organizerIds") AND organizer.type = 'text';
