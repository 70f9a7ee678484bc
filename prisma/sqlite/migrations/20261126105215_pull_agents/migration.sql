-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "pullRepoId" TEXT;
ALTER TABLE "Deployment" ADD COLUMN "revision" TEXT;

-- CreateTable
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "enrolmentTokenHash" TEXT,
    "enrolmentExpiresAt" DATETIME,
    "enrolledAt" DATETIME,
    "credentialHash" TEXT,
    "credentialPrefix" TEXT,
    "credentialIssuedAt" DATETIME,
    "revokedAt" DATETIME,
    "lastSeenAt" DATETIME,
    "version" TEXT,
    "hostname" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgentTarget" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agentId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AgentTarget_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AgentTarget_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PullRepo" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PullRepo_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SyncEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agentId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "repoId" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
    "details" TEXT NOT NULL DEFAULT '{}'
);

-- CreateTable
CREATE TABLE "RepoStatus" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "repoId" TEXT NOT NULL,
    "agentId" TEXT,
    "revision" TEXT,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "lastSyncAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RepoStatus_repoId_fkey" FOREIGN KEY ("repoId") REFERENCES "PullRepo" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
