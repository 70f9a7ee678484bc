-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "outageStartedAt" DATETIME;

-- AlterTable
ALTER TABLE "SyncEvent" ADD COLUMN "committedAt" DATETIME;
ALTER TABLE "SyncEvent" ADD COLUMN "environment" TEXT;
ALTER TABLE "SyncEvent" ADD COLUMN "outageStartedAt" DATETIME;

-- Backfill: each stored event takes its target's current environment. (The recovery marks and SyncEvent.committedAt
-- of rows stored before this migration are filled by `npm run wharf -- rollups`.)
UPDATE "SyncEvent" SET "environment" = (SELECT "environment" FROM "Target" WHERE "Target"."id" = "SyncEvent"."targetId");

-- CreateIndex
CREATE INDEX "Deployment_finishedAt_id_idx" ON "Deployment"("finishedAt", "id");

-- CreateIndex
CREATE INDEX "Deployment_approvedAt_id_idx" ON "Deployment"("approvedAt", "id");

-- CreateIndex
CREATE INDEX "SyncEvent_environment_occurredAt_id_idx" ON "SyncEvent"("environment", "occurredAt", "id");
