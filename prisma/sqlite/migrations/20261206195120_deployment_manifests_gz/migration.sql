-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "appliedServerUrl" TEXT;
ALTER TABLE "Deployment" ADD COLUMN "appliedTargetName" TEXT;
ALTER TABLE "Deployment" ADD COLUMN "manifestsGz" BLOB;
ALTER TABLE "Deployment" ADD COLUMN "manifestsSha256" TEXT;
