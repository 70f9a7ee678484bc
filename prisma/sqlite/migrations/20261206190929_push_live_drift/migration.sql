-- AlterTable
ALTER TABLE "ApplicationLiveState" ADD COLUMN "driftJson" TEXT;
