-- AlterTable
ALTER TABLE "ApplicationLiveState" ADD COLUMN     "driftSignature" TEXT;

-- CreateTable
CREATE TABLE "PushDriftEvent" (
    "id" TEXT NOT NULL,
    "applicationId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "environment" TEXT,
    "deploymentId" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "signature" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "details" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "PushDriftEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PushDriftEvent_applicationId_occurredAt_idx" ON "PushDriftEvent"("applicationId", "occurredAt");

-- CreateIndex
CREATE INDEX "PushDriftEvent_occurredAt_id_idx" ON "PushDriftEvent"("occurredAt", "id");

-- CreateIndex
CREATE INDEX "PushDriftEvent_targetId_occurredAt_idx" ON "PushDriftEvent"("targetId", "occurredAt");
