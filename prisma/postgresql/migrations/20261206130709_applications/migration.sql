-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "applicationId" TEXT;

-- AlterTable
ALTER TABLE "PullRepo" ADD COLUMN     "applicationId" TEXT;

-- AlterTable
ALTER TABLE "RepoBinding" ADD COLUMN     "applicationId" TEXT;

-- CreateTable
CREATE TABLE "Application" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Application_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Application_inventoryKey_key" ON "Application"("inventoryKey");

-- CreateIndex
CREATE INDEX "Application_name_idx" ON "Application"("name");

-- CreateIndex
CREATE INDEX "Application_createdAt_id_idx" ON "Application"("createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Application_targetId_name_key" ON "Application"("targetId", "name");

-- CreateIndex
CREATE INDEX "Deployment_applicationId_createdAt_idx" ON "Deployment"("applicationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PullRepo_applicationId_key" ON "PullRepo"("applicationId");

-- CreateIndex
CREATE INDEX "RepoBinding_applicationId_idx" ON "RepoBinding"("applicationId");

-- AddForeignKey
ALTER TABLE "Application" ADD CONSTRAINT "Application_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepoBinding" ADD CONSTRAINT "RepoBinding_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PullRepo" ADD CONSTRAINT "PullRepo_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application"("id") ON DELETE SET NULL ON UPDATE CASCADE;

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
