-- CreateTable
CREATE TABLE "AttachmentPending" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "AttachmentPending_expiresAt_idx" ON "AttachmentPending"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "AttachmentPending_userId_conversationId_key" ON "AttachmentPending"("userId", "conversationId");
