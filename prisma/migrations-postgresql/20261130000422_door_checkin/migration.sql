-- AlterTable
ALTER TABLE "Attendee" ADD COLUMN     "admissionVersion" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "checkedInLane" TEXT,
ADD COLUMN     "laneName" TEXT,
ADD COLUMN     "phoneTailHash" TEXT;

-- CreateTable
CREATE TABLE "CheckinLane" (
    "id" SERIAL NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "open" BOOLEAN NOT NULL DEFAULT true,
    "vip" BOOLEAN NOT NULL DEFAULT false,
    "staffIds" TEXT NOT NULL DEFAULT '[]',
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckinLane_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckinScan" (
    "id" SERIAL NOT NULL,
    "scanId" TEXT NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "laneId" INTEGER NOT NULL,
    "deviceUser" TEXT NOT NULL,
    "attendeeId" INTEGER,
    "kind" TEXT NOT NULL DEFAULT 'scan',
    "verdict" TEXT NOT NULL,
    "reason" TEXT,
    "offline" BOOLEAN NOT NULL DEFAULT false,
    "doubleAdmission" BOOLEAN NOT NULL DEFAULT false,
    "scannedAt" TIMESTAMP(3) NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckinScan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckinWalkin" (
    "id" SERIAL NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "laneId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "note" TEXT,
    "requestedBy" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "attendeeId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckinWalkin_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CheckinLane_meetingId_name_key" ON "CheckinLane"("meetingId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CheckinScan_scanId_key" ON "CheckinScan"("scanId");

-- CreateIndex
CREATE INDEX "CheckinScan_meetingId_laneId_scannedAt_idx" ON "CheckinScan"("meetingId", "laneId", "scannedAt");

-- CreateIndex
CREATE INDEX "CheckinWalkin_meetingId_status_idx" ON "CheckinWalkin"("meetingId", "status");

-- CreateIndex
CREATE INDEX "Attendee_meetingId_phoneTailHash_idx" ON "Attendee"("meetingId", "phoneTailHash");
