-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "appliedServerUrl" TEXT,
ADD COLUMN     "appliedTargetName" TEXT,
ADD COLUMN     "manifestsGz" BYTEA,
ADD COLUMN     "manifestsSha256" TEXT;
