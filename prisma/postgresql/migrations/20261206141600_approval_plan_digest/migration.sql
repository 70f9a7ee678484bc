-- AlterTable
ALTER TABLE "DeploymentApproval" ADD COLUMN     "planDigest" TEXT;
