-- CreateTable
CREATE TABLE "PageLink" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PageSession" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "csrf" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "PageLink_tokenHash_key" ON "PageLink"("tokenHash");

-- CreateIndex
CREATE INDEX "PageLink_expiresAt_idx" ON "PageLink"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "PageSession_tokenHash_key" ON "PageSession"("tokenHash");

-- CreateIndex
CREATE INDEX "PageSession_userId_idx" ON "PageSession"("userId");

-- CreateIndex
CREATE INDEX "PageSession_expiresAt_idx" ON "PageSession"("expiresAt");
