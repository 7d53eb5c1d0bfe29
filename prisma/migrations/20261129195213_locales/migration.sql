-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "locale" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "locale" TEXT;
