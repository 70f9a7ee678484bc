-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "scopeSummary" TEXT;

-- CreateTable
CREATE TABLE "DeliveryRollup" (
    "id" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "targetId" TEXT NOT NULL,
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeliveryRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryHistogram" (
    "id" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "targetId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "DeliveryHistogram_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DeliveryRollup_targetId_day_idx" ON "DeliveryRollup"("targetId", "day");

-- CreateIndex
CREATE INDEX "DeliveryRollup_environment_day_idx" ON "DeliveryRollup"("environment", "day");

-- CreateIndex
CREATE UNIQUE INDEX "DeliveryRollup_day_targetId_key" ON "DeliveryRollup"("day", "targetId");

-- CreateIndex
CREATE INDEX "DeliveryHistogram_metric_day_idx" ON "DeliveryHistogram"("metric", "day");

-- CreateIndex
CREATE INDEX "DeliveryHistogram_targetId_metric_day_idx" ON "DeliveryHistogram"("targetId", "metric", "day");

-- CreateIndex
CREATE UNIQUE INDEX "DeliveryHistogram_day_targetId_metric_bucket_key" ON "DeliveryHistogram"("day", "targetId", "metric", "bucket");
