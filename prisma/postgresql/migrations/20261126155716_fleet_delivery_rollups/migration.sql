-- CreateTable
CREATE TABLE "FleetDeliveryRollup" (
    "day" TIMESTAMP(3) NOT NULL,
    "mode" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "deployments" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "leadTimeCount" INTEGER NOT NULL DEFAULT 0,
    "leadTimeSumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "approvalWaitCount" INTEGER NOT NULL DEFAULT 0,
    "approvalWaitSumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "restoreCount" INTEGER NOT NULL DEFAULT 0,
    "restoreSumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "driftDetected" INTEGER NOT NULL DEFAULT 0,
    "driftCorrected" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "FleetDeliveryRollup_pkey" PRIMARY KEY ("day","mode","environment")
);

-- CreateTable
CREATE TABLE "FleetDeliveryHistogram" (
    "day" TIMESTAMP(3) NOT NULL,
    "mode" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "FleetDeliveryHistogram_pkey" PRIMARY KEY ("day","mode","environment","metric","bucket")
);

-- CreateIndex
CREATE INDEX "FleetDeliveryRollup_environment_day_idx" ON "FleetDeliveryRollup"("environment", "day");

-- CreateIndex
CREATE INDEX "FleetDeliveryHistogram_environment_day_idx" ON "FleetDeliveryHistogram"("environment", "day");

-- Backfill: the fleet rows are the GROUP BY of the per-target rows, so an upgraded database shows the same figures
-- at once (the code keeps them in step from here on: lib/compare/data/rollups.ts, lib/compare/rebuild-rollups.ts).
INSERT INTO "FleetDeliveryRollup" ("day", "mode", "environment", "deployments", "succeeded", "failures", "leadTimeCount", "leadTimeSumMs", "approvalWaitCount", "approvalWaitSumMs", "restoreCount", "restoreSumMs", "driftDetected", "driftCorrected")
SELECT "day", "mode", "environment", SUM("deployments"), SUM("succeeded"), SUM("failures"), SUM("leadTimeCount"), SUM("leadTimeSumMs"), SUM("approvalWaitCount"), SUM("approvalWaitSumMs"), SUM("restoreCount"), SUM("restoreSumMs"), SUM("driftDetected"), SUM("driftCorrected")
FROM "DeliveryRollup"
GROUP BY "day", "mode", "environment";

INSERT INTO "FleetDeliveryHistogram" ("day", "mode", "environment", "metric", "bucket", "count")
SELECT "day", "mode", "environment", "metric", "bucket", SUM("count")
FROM "DeliveryHistogram"
GROUP BY "day", "mode", "environment", "metric", "bucket";
