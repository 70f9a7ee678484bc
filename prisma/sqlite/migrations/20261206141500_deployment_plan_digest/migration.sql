-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "planDigest" TEXT;
