-- CreateIndex
CREATE INDEX "Reminder_targetUserId_status_idx" ON "Reminder"("targetUserId", "status");

-- CreateIndex
CREATE INDEX "User_platform_department_idx" ON "User"("platform", "department");
