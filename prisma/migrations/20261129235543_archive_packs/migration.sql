-- CreateTable
CREATE TABLE "ArchivePack" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "encSha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "builtBy" TEXT NOT NULL,
    "forcedReason" TEXT,
    "openItems" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ArchiveDownload" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "packId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ArchivePack_meetingId_idx" ON "ArchivePack"("meetingId");

-- CreateIndex
CREATE INDEX "ArchiveDownload_packId_idx" ON "ArchiveDownload"("packId");
