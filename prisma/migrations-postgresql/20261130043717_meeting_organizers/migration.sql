-- CreateTable
CREATE TABLE "MeetingOrganizer" (
    "meetingId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,

    CONSTRAINT "MeetingOrganizer_pkey" PRIMARY KEY ("meetingId","userId")
);

-- CreateIndex
CREATE INDEX "MeetingOrganizer_userId_idx" ON "MeetingOrganizer"("userId");

-- AddForeignKey
ALTER TABLE "MeetingOrganizer" ADD CONSTRAINT "MeetingOrganizer_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill (hand-written): one row per id in each meeting's organizerIds JSON array (a TEXT column).
INSERT INTO "MeetingOrganizer" ("meetingId", "userId")
SELECT DISTINCT m."id", organizer.value
FROM "Meeting" m CROSS JOIN LATERAL json_array_elements_text(m."organizerIds"::json) AS organizer(value)
ON CONFLICT DO NOTHING;
