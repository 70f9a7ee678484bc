-- AlterTable
ALTER TABLE "Target" ADD COLUMN     "allowTokenApprovals" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "approvalTtlHours" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "approverRole" TEXT NOT NULL DEFAULT 'approver',
ADD COLUMN     "banCommitAuthor" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "banRequester" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
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
    "commitAt" TIMESTAMP(3),
    "requestedById" TEXT NOT NULL,
    "requestedByKind" TEXT NOT NULL,
    "requestedByName" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "emergency" BOOLEAN NOT NULL DEFAULT false,
    "emergencyReason" TEXT,
    "rollbackOfId" TEXT,
    "previewJson" TEXT,
    "previewError" TEXT,
    "previewedAt" TIMESTAMP(3),
    "approvedAt" TIMESTAMP(3),
    "queuedAt" TIMESTAMP(3),
    "claimedBy" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "phase" TEXT,
    "appliedCount" INTEGER NOT NULL DEFAULT 0,
    "readyReplicas" INTEGER NOT NULL DEFAULT 0,
    "desiredReplicas" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "resultMessage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentApproval" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "approverId" TEXT NOT NULL,
    "approverEmail" TEXT NOT NULL,
    "approverName" TEXT NOT NULL,
    "approverKind" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "manifestsDigest" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeploymentApproval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentObject" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT,
    "name" TEXT NOT NULL,
    "action" TEXT NOT NULL DEFAULT 'pending',
    "message" TEXT,

    CONSTRAINT "DeploymentObject_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentLog" (
    "seq" SERIAL NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "DeploymentLog_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "RepoBinding" (
    "id" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "repoUrl" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "path" TEXT NOT NULL DEFAULT '.',
    "secretCiphertext" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepoBinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentApproval" ADD CONSTRAINT "DeploymentApproval_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentObject" ADD CONSTRAINT "DeploymentObject_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentLog" ADD CONSTRAINT "DeploymentLog_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepoBinding" ADD CONSTRAINT "RepoBinding_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;
