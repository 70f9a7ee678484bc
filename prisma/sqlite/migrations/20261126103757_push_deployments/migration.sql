-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "manifests" TEXT NOT NULL,
    "manifestsDigest" TEXT NOT NULL,
    "objectCount" INTEGER NOT NULL,
    "gitUrl" TEXT,
    "gitRef" TEXT,
    "gitPath" TEXT,
    "commitSha" TEXT,
    "commitAuthorEmail" TEXT,
    "commitAuthorName" TEXT,
    "commitMessage" TEXT,
    "commitAt" DATETIME,
    "requestedById" TEXT NOT NULL,
    "requestedByKind" TEXT NOT NULL,
    "requestedByName" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "emergency" BOOLEAN NOT NULL DEFAULT false,
    "emergencyReason" TEXT,
    "rollbackOfId" TEXT,
    "previewJson" TEXT,
    "previewError" TEXT,
    "previewedAt" DATETIME,
    "approvedAt" DATETIME,
    "queuedAt" DATETIME,
    "claimedBy" TEXT,
    "leaseUntil" DATETIME,
    "heartbeatAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "phase" TEXT,
    "appliedCount" INTEGER NOT NULL DEFAULT 0,
    "readyReplicas" INTEGER NOT NULL DEFAULT 0,
    "desiredReplicas" INTEGER NOT NULL DEFAULT 0,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "resultMessage" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Deployment_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeploymentApproval" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "approverId" TEXT NOT NULL,
    "approverEmail" TEXT NOT NULL,
    "approverName" TEXT NOT NULL,
    "approverKind" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "manifestsDigest" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeploymentApproval_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeploymentObject" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT,
    "name" TEXT NOT NULL,
    "action" TEXT NOT NULL DEFAULT 'pending',
    "message" TEXT,
    CONSTRAINT "DeploymentObject_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeploymentLog" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "deploymentId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    CONSTRAINT "DeploymentLog_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RepoBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "repoUrl" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "path" TEXT NOT NULL DEFAULT '.',
    "secretCiphertext" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RepoBinding_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Target" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "serverUrl" TEXT NOT NULL,
    "caBundle" TEXT,
    "insecureSkipTlsVerify" BOOLEAN NOT NULL DEFAULT false,
    "defaultNamespace" TEXT NOT NULL DEFAULT 'default',
    "allowedNamespaces" TEXT NOT NULL DEFAULT '[]',
    "allowClusterScoped" BOOLEAN NOT NULL DEFAULT false,
    "requiredApprovals" INTEGER NOT NULL DEFAULT 0,
    "approverRole" TEXT NOT NULL DEFAULT 'approver',
    "banRequester" BOOLEAN NOT NULL DEFAULT true,
    "banCommitAuthor" BOOLEAN NOT NULL DEFAULT true,
    "allowTokenApprovals" BOOLEAN NOT NULL DEFAULT false,
    "approvalTtlHours" INTEGER NOT NULL DEFAULT 24,
    "ownerTeam" TEXT NOT NULL DEFAULT '',
    "credentialPolicyId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Target_credentialPolicyId_fkey" FOREIGN KEY ("credentialPolicyId") REFERENCES "CredentialPolicy" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Target" ("allowClusterScoped", "allowedNamespaces", "caBundle", "createdAt", "credentialPolicyId", "defaultNamespace", "environment", "id", "insecureSkipTlsVerify", "mode", "name", "ownerTeam", "requiredApprovals", "serverUrl", "updatedAt") SELECT "allowClusterScoped", "allowedNamespaces", "caBundle", "createdAt", "credentialPolicyId", "defaultNamespace", "environment", "id", "insecureSkipTlsVerify", "mode", "name", "ownerTeam", "requiredApprovals", "serverUrl", "updatedAt" FROM "Target";
DROP TABLE "Target";
ALTER TABLE "new_Target" RENAME TO "Target";
CREATE UNIQUE INDEX "Target_name_key" ON "Target"("name");
CREATE INDEX "Target_mode_name_idx" ON "Target"("mode", "name");
CREATE INDEX "Target_environment_name_idx" ON "Target"("environment", "name");
CREATE INDEX "Target_credentialPolicyId_idx" ON "Target"("credentialPolicyId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Deployment_state_queuedAt_idx" ON "Deployment"("state", "queuedAt");

-- CreateIndex
CREATE INDEX "Deployment_targetId_createdAt_idx" ON "Deployment"("targetId", "createdAt");

-- CreateIndex
CREATE INDEX "Deployment_requestedById_createdAt_idx" ON "Deployment"("requestedById", "createdAt");

-- CreateIndex
CREATE INDEX "Deployment_createdAt_id_idx" ON "Deployment"("createdAt", "id");

-- CreateIndex
CREATE INDEX "DeploymentApproval_deploymentId_createdAt_idx" ON "DeploymentApproval"("deploymentId", "createdAt");

-- CreateIndex
CREATE INDEX "DeploymentApproval_approverId_idx" ON "DeploymentApproval"("approverId");

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentObject_deploymentId_position_key" ON "DeploymentObject"("deploymentId", "position");

-- CreateIndex
CREATE INDEX "DeploymentLog_deploymentId_seq_idx" ON "DeploymentLog"("deploymentId", "seq");

-- CreateIndex
CREATE INDEX "RepoBinding_repoUrl_branch_idx" ON "RepoBinding"("repoUrl", "branch");

-- CreateIndex
CREATE INDEX "RepoBinding_targetId_idx" ON "RepoBinding"("targetId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");
