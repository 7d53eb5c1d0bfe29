-- AlterTable
ALTER TABLE "Attendee" ADD COLUMN "answeredBy" TEXT;
