-- DropIndex
DROP INDEX "Application_name_idx";

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "revisionSummary" TEXT;

-- CreateIndex
CREATE INDEX "Application_name_id_idx" ON "Application"("name", "id");

-- CreateIndex
CREATE INDEX "ApplicationLiveState_health_idx" ON "ApplicationLiveState"("health");

-- CreateIndex
CREATE INDEX "Deployment_applicationId_state_finishedAt_idx" ON "Deployment"("applicationId", "state", "finishedAt");
