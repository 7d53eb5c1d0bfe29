-- CreateIndex
CREATE INDEX "Attendee_meetingId_checkedInAt_idx" ON "Attendee"("meetingId", "checkedInAt");
