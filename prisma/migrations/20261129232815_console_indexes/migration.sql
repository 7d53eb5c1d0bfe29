-- CreateIndex
CREATE INDEX IF NOT EXISTS "Attendee_meetingId_checkedInAt_idx" ON "Attendee"("meetingId", "checkedInAt");

-- CreateIndex
CREATE INDEX "Attendee_meetingId_id_idx" ON "Attendee"("meetingId", "id");
