-- AlterTable
ALTER TABLE "SyncEvent" ADD COLUMN "pinRequestId" TEXT;
