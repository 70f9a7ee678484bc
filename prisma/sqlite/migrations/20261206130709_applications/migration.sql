-- CreateTable
CREATE TABLE "Application" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "repoUrl" TEXT,
    "ref" TEXT,
    "path" TEXT,
    "renderOptions" TEXT NOT NULL DEFAULT '{"kind":"auto"}',
    "prune" BOOLEAN NOT NULL DEFAULT true,
    "selfHeal" BOOLEAN NOT NULL DEFAULT true,
    "driftInterval" INTEGER,
    "inventoryKey" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Application_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Deployment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "applicationId" TEXT,
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
    "outageStartedAt" DATETIME,
    "pullRepoId" TEXT,
    "revision" TEXT,
    "settingsAuthorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Deployment_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Deployment_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Deployment" ("appliedCount", "approvedAt", "attempts", "cancelRequested", "claimedBy", "commitAt", "commitAuthorEmail", "commitAuthorName", "commitMessage", "commitSha", "createdAt", "desiredReplicas", "emergency", "emergencyReason", "finishedAt", "gitPath", "gitRef", "gitUrl", "heartbeatAt", "id", "leaseUntil", "manifests", "manifestsDigest", "objectCount", "outageStartedAt", "phase", "previewError", "previewJson", "previewedAt", "pullRepoId", "queuedAt", "readyReplicas", "reason", "requestedById", "requestedByKind", "requestedByName", "resultMessage", "revision", "rollbackOfId", "settingsAuthorId", "sourceKind", "startedAt", "state", "targetId", "updatedAt") SELECT "appliedCount", "approvedAt", "attempts", "cancelRequested", "claimedBy", "commitAt", "commitAuthorEmail", "commitAuthorName", "commitMessage", "commitSha", "createdAt", "desiredReplicas", "emergency", "emergencyReason", "finishedAt", "gitPath", "gitRef", "gitUrl", "heartbeatAt", "id", "leaseUntil", "manifests", "manifestsDigest", "objectCount", "outageStartedAt", "phase", "previewError", "previewJson", "previewedAt", "pullRepoId", "queuedAt", "readyReplicas", "reason", "requestedById", "requestedByKind", "requestedByName", "resultMessage", "revision", "rollbackOfId", "settingsAuthorId", "sourceKind", "startedAt", "state", "targetId", "updatedAt" FROM "Deployment";
DROP TABLE "Deployment";
ALTER TABLE "new_Deployment" RENAME TO "Deployment";
CREATE INDEX "Deployment_state_queuedAt_idx" ON "Deployment"("state", "queuedAt");
CREATE INDEX "Deployment_targetId_createdAt_idx" ON "Deployment"("targetId", "createdAt");
CREATE INDEX "Deployment_targetId_finishedAt_idx" ON "Deployment"("targetId", "finishedAt");
CREATE INDEX "Deployment_requestedById_createdAt_idx" ON "Deployment"("requestedById", "createdAt");
CREATE INDEX "Deployment_createdAt_id_idx" ON "Deployment"("createdAt", "id");
CREATE INDEX "Deployment_finishedAt_id_idx" ON "Deployment"("finishedAt", "id");
CREATE INDEX "Deployment_approvedAt_id_idx" ON "Deployment"("approvedAt", "id");
CREATE INDEX "Deployment_pullRepoId_revision_idx" ON "Deployment"("pullRepoId", "revision");
CREATE INDEX "Deployment_applicationId_createdAt_idx" ON "Deployment"("applicationId", "createdAt");
CREATE TABLE "new_PullRepo" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "applicationId" TEXT,
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
    CONSTRAINT "PullRepo_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PullRepo_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_PullRepo" ("branch", "createdAt", "createdById", "id", "imagePolicies", "notifySeq", "path", "pinnedRevision", "pollIntervalSeconds", "prune", "selfHeal", "targetId", "updatedAt", "url") SELECT "branch", "createdAt", "createdById", "id", "imagePolicies", "notifySeq", "path", "pinnedRevision", "pollIntervalSeconds", "prune", "selfHeal", "targetId", "updatedAt", "url" FROM "PullRepo";
DROP TABLE "PullRepo";
ALTER TABLE "new_PullRepo" RENAME TO "PullRepo";
CREATE UNIQUE INDEX "PullRepo_applicationId_key" ON "PullRepo"("applicationId");
CREATE INDEX "PullRepo_url_branch_idx" ON "PullRepo"("url", "branch");
CREATE UNIQUE INDEX "PullRepo_targetId_url_branch_path_key" ON "PullRepo"("targetId", "url", "branch", "path");
CREATE TABLE "new_RepoBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "applicationId" TEXT,
    "repoUrl" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "path" TEXT NOT NULL DEFAULT '.',
    "secretCiphertext" TEXT NOT NULL,
    "lastCommitSha" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RepoBinding_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RepoBinding_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_RepoBinding" ("branch", "createdAt", "createdById", "id", "lastCommitSha", "path", "repoUrl", "secretCiphertext", "targetId") SELECT "branch", "createdAt", "createdById", "id", "lastCommitSha", "path", "repoUrl", "secretCiphertext", "targetId" FROM "RepoBinding";
DROP TABLE "RepoBinding";
ALTER TABLE "new_RepoBinding" RENAME TO "RepoBinding";
CREATE INDEX "RepoBinding_repoUrl_branch_idx" ON "RepoBinding"("repoUrl", "branch");
CREATE INDEX "RepoBinding_targetId_idx" ON "RepoBinding"("targetId");
CREATE INDEX "RepoBinding_applicationId_idx" ON "RepoBinding"("applicationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Application_inventoryKey_key" ON "Application"("inventoryKey");

-- CreateIndex
CREATE INDEX "Application_name_idx" ON "Application"("name");

-- CreateIndex
CREATE INDEX "Application_createdAt_id_idx" ON "Application"("createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Application_targetId_name_key" ON "Application"("targetId", "name");

-- Applications from today's rows (written for both databases: the same SQL runs on SQLite and PostgreSQL).
-- A pull repository becomes a pull application keyed by its id, so its agent's ApplySet and the objects labelled
-- with it are adopted, never pruned. The name is a placeholder DNS label; lib/db/migrate.ts renames it right after
-- (repo URL's last segment + path, by the rule new registrations use: lib/applications/naming.ts).
INSERT INTO "Application" ("id", "name", "targetId", "mode", "sourceKind", "repoUrl", "ref", "path", "prune", "selfHeal", "inventoryKey", "createdById", "createdAt", "updatedAt")
SELECT 'app-' || r."id", 'repo-' || lower(r."id"), r."targetId", 'pull', 'git', r."url", r."branch", r."path", r."prune", r."selfHeal", r."id", r."createdById", r."createdAt", r."updatedAt"
FROM "PullRepo" r;

UPDATE "PullRepo" SET "applicationId" = 'app-' || "id";

-- Every other deployment (push deployments, and pull approvals whose repository was removed) and every binding no
-- repository of its target matches belong to the target's default application: named like the target (target names
-- are DNS labels already, and distinct), keyed by the target id, which is the key push deployments' ApplySet has
-- always had, so nothing is re-labelled or pruned.
INSERT INTO "Application" ("id", "name", "targetId", "mode", "sourceKind", "prune", "selfHeal", "inventoryKey", "createdAt", "updatedAt")
SELECT 'app-' || t."id", t."name", t."id", t."mode", CASE WHEN t."mode" = 'pull' THEN 'git' ELSE 'manifests' END, true, true, t."id", t."createdAt", t."updatedAt"
FROM "Target" t
WHERE EXISTS (
    SELECT 1 FROM "Deployment" d
    WHERE d."targetId" = t."id" AND (d."pullRepoId" IS NULL OR NOT EXISTS (SELECT 1 FROM "PullRepo" r WHERE r."id" = d."pullRepoId"))
  ) OR EXISTS (
    SELECT 1 FROM "RepoBinding" b
    WHERE b."targetId" = t."id" AND NOT EXISTS (
      SELECT 1 FROM "PullRepo" r WHERE r."targetId" = b."targetId" AND r."url" = b."repoUrl" AND r."branch" = b."branch" AND r."path" = b."path"
    )
  );

UPDATE "Deployment" SET "applicationId" = COALESCE(
  (SELECT r."applicationId" FROM "PullRepo" r WHERE r."id" = "Deployment"."pullRepoId"),
  'app-' || "Deployment"."targetId"
);

UPDATE "RepoBinding" SET "applicationId" = COALESCE(
  (SELECT r."applicationId" FROM "PullRepo" r WHERE r."targetId" = "RepoBinding"."targetId" AND r."url" = "RepoBinding"."repoUrl" AND r."branch" = "RepoBinding"."branch" AND r."path" = "RepoBinding"."path"),
  'app-' || "RepoBinding"."targetId"
);

-- A default push application's source is what its newest deployment came from (Git: that URL, ref and path), else
-- its first binding's repository and branch.
UPDATE "Application" SET
  "sourceKind" = COALESCE(
    (SELECT d."sourceKind" FROM "Deployment" d WHERE d."applicationId" = "Application"."id" AND d."sourceKind" IN ('git', 'manifests') ORDER BY d."createdAt" DESC, d."id" DESC LIMIT 1),
    CASE WHEN EXISTS (SELECT 1 FROM "RepoBinding" b WHERE b."applicationId" = "Application"."id") THEN 'git' ELSE 'manifests' END
  ),
  "repoUrl" = COALESCE(
    (SELECT d."gitUrl" FROM "Deployment" d WHERE d."applicationId" = "Application"."id" AND d."sourceKind" = 'git' ORDER BY d."createdAt" DESC, d."id" DESC LIMIT 1),
    (SELECT b."repoUrl" FROM "RepoBinding" b WHERE b."applicationId" = "Application"."id" ORDER BY b."createdAt", b."id" LIMIT 1)
  ),
  "ref" = COALESCE(
    (SELECT d."gitRef" FROM "Deployment" d WHERE d."applicationId" = "Application"."id" AND d."sourceKind" = 'git' ORDER BY d."createdAt" DESC, d."id" DESC LIMIT 1),
    (SELECT b."branch" FROM "RepoBinding" b WHERE b."applicationId" = "Application"."id" ORDER BY b."createdAt", b."id" LIMIT 1)
  ),
  "path" = COALESCE(
    (SELECT d."gitPath" FROM "Deployment" d WHERE d."applicationId" = "Application"."id" AND d."sourceKind" = 'git' ORDER BY d."createdAt" DESC, d."id" DESC LIMIT 1),
    (SELECT b."path" FROM "RepoBinding" b WHERE b."applicationId" = "Application"."id" ORDER BY b."createdAt", b."id" LIMIT 1)
  )
WHERE "inventoryKey" = "targetId" AND "mode" = 'push';
