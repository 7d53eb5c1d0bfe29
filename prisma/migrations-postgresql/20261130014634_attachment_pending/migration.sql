-- CreateTable
CREATE TABLE "AttachmentPending" (
    "id" SERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AttachmentPending_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AttachmentPending_expiresAt_idx" ON "AttachmentPending"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "AttachmentPending_userId_conversationId_key" ON "AttachmentPending"("userId", "conversationId");
