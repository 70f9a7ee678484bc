/*
  Warnings:

  - A unique constraint covering the columns `[action,subjectType,subjectId,windowStart]` on the table `AuditFloodCount` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "AuditFloodCount_action_subjectType_windowStart_key";

-- AlterTable
ALTER TABLE "ApplicationLiveState" ADD COLUMN     "credentialId" TEXT,
ADD COLUMN     "credentialLabel" TEXT,
ADD COLUMN     "readAttemptAt" TIMESTAMP(3),
ADD COLUMN     "readError" TEXT,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'agent',
ALTER COLUMN "repoId" DROP NOT NULL,
ALTER COLUMN "agentId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "AuditFloodCount" ADD COLUMN     "credentialId" TEXT,
ADD COLUMN     "details" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'flood',
ADD COLUMN     "subjectId" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "targetId" TEXT,
ADD COLUMN     "windowMs" INTEGER NOT NULL DEFAULT 60000;

-- AlterTable
ALTER TABLE "Target" ADD COLUMN     "statusReadIntervalSeconds" INTEGER;

-- CreateIndex
CREATE UNIQUE INDEX "AuditFloodCount_action_subjectType_subjectId_windowStart_key" ON "AuditFloodCount"("action", "subjectType", "subjectId", "windowStart");
