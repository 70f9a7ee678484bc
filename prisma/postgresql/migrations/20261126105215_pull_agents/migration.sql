-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "pullRepoId" TEXT,
ADD COLUMN     "revision" TEXT;

-- CreateTable
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enrolmentTokenHash" TEXT,
    "enrolmentExpiresAt" TIMESTAMP(3),
    "enrolledAt" TIMESTAMP(3),
    "credentialHash" TEXT,
    "credentialPrefix" TEXT,
    "credentialIssuedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "version" TEXT,
    "hostname" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentTarget" (
    "id" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PullRepo" (
    "id" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "path" TEXT NOT NULL DEFAULT '.',
    "pollIntervalSeconds" INTEGER NOT NULL DEFAULT 60,
    "prune" BOOLEAN NOT NULL DEFAULT true,
    "selfHeal" BOOLEAN NOT NULL DEFAULT true,
    "imagePolicies" TEXT NOT NULL DEFAULT '[]',
    "pinnedRevision" TEXT,
    "notifySeq" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PullRepo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncEvent" (
    "id" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "repoId" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "revisionSha" TEXT,
    "revisionId" TEXT,
    "revisionMessage" TEXT,
    "revisionAuthorName" TEXT,
    "revisionAuthorEmail" TEXT,
    "createdCount" INTEGER NOT NULL DEFAULT 0,
    "changedCount" INTEGER NOT NULL DEFAULT 0,
    "unchangedCount" INTEGER NOT NULL DEFAULT 0,
    "prunedCount" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "message" TEXT NOT NULL DEFAULT '',
    "details" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "SyncEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepoStatus" (
    "id" TEXT NOT NULL,
    "repoId" TEXT NOT NULL,
    "agentId" TEXT,
    "revision" TEXT,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "lastSyncAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RepoStatus_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Agent_name_key" ON "Agent"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_enrolmentTokenHash_key" ON "Agent"("enrolmentTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_credentialHash_key" ON "Agent"("credentialHash");

-- CreateIndex
CREATE INDEX "Agent_createdAt_id_idx" ON "Agent"("createdAt", "id");

-- CreateIndex
CREATE INDEX "AgentTarget_targetId_idx" ON "AgentTarget"("targetId");

-- CreateIndex
CREATE UNIQUE INDEX "AgentTarget_agentId_targetId_key" ON "AgentTarget"("agentId", "targetId");

-- CreateIndex
CREATE INDEX "PullRepo_url_branch_idx" ON "PullRepo"("url", "branch");

-- CreateIndex
CREATE UNIQUE INDEX "PullRepo_targetId_url_branch_path_key" ON "PullRepo"("targetId", "url", "branch", "path");

-- CreateIndex
CREATE INDEX "SyncEvent_occurredAt_id_idx" ON "SyncEvent"("occurredAt", "id");

-- CreateIndex
CREATE INDEX "SyncEvent_targetId_occurredAt_idx" ON "SyncEvent"("targetId", "occurredAt");

-- CreateIndex
CREATE INDEX "SyncEvent_repoId_occurredAt_idx" ON "SyncEvent"("repoId", "occurredAt");

-- CreateIndex
CREATE INDEX "SyncEvent_result_occurredAt_idx" ON "SyncEvent"("result", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "RepoStatus_repoId_key" ON "RepoStatus"("repoId");

-- CreateIndex
CREATE INDEX "Deployment_pullRepoId_revision_idx" ON "Deployment"("pullRepoId", "revision");

-- AddForeignKey
ALTER TABLE "AgentTarget" ADD CONSTRAINT "AgentTarget_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentTarget" ADD CONSTRAINT "AgentTarget_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PullRepo" ADD CONSTRAINT "PullRepo_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepoStatus" ADD CONSTRAINT "RepoStatus_repoId_fkey" FOREIGN KEY ("repoId") REFERENCES "PullRepo"("id") ON DELETE CASCADE ON UPDATE CASCADE;
