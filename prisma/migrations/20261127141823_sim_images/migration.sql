-- AlterTable
ALTER TABLE "SimMessage" ADD COLUMN "image" TEXT;
