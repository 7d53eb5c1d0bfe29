-- CreateTable
CREATE TABLE "ArchivePack" (
    "id" SERIAL NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "encSha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "builtBy" TEXT NOT NULL,
    "forcedReason" TEXT,
    "openItems" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "ArchivePack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ArchiveDownload" (
    "id" SERIAL NOT NULL,
    "packId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArchiveDownload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ArchivePack_meetingId_idx" ON "ArchivePack"("meetingId");

-- CreateIndex
CREATE INDEX "ArchiveDownload_packId_idx" ON "ArchiveDownload"("packId");
