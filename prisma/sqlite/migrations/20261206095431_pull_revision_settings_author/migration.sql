-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "settingsAuthorId" TEXT;
