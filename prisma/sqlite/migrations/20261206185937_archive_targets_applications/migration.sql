-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Application" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "repoUrl" TEXT,
    "repoKey" TEXT,
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
    "archivedAt" DATETIME,
    "archivedById" TEXT,
    "archivedByName" TEXT,
    "archivedKey" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Application_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Application" ("createdAt", "createdById", "driftInterval", "id", "inventoryKey", "mode", "name", "path", "prune", "ref", "renderOptions", "repoKey", "repoUrl", "selfHeal", "sourceKind", "targetId", "updatedAt") SELECT "createdAt", "createdById", "driftInterval", "id", "inventoryKey", "mode", "name", "path", "prune", "ref", "renderOptions", "repoKey", "repoUrl", "selfHeal", "sourceKind", "targetId", "updatedAt" FROM "Application";
DROP TABLE "Application";
ALTER TABLE "new_Application" RENAME TO "Application";
CREATE UNIQUE INDEX "Application_inventoryKey_key" ON "Application"("inventoryKey");
CREATE INDEX "Application_name_idx" ON "Application"("name");
CREATE INDEX "Application_createdAt_id_idx" ON "Application"("createdAt", "id");
CREATE INDEX "Application_repoKey_idx" ON "Application"("repoKey");
CREATE UNIQUE INDEX "Application_targetId_name_archivedKey_key" ON "Application"("targetId", "name", "archivedKey");
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
    "statusReadIntervalSeconds" INTEGER,
    "credentialPolicyId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "archivedAt" DATETIME,
    "archivedById" TEXT,
    "archivedByName" TEXT,
    "archivedKey" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Target_credentialPolicyId_fkey" FOREIGN KEY ("credentialPolicyId") REFERENCES "CredentialPolicy" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Target" ("allowClusterScoped", "allowTokenApprovals", "allowedNamespaces", "approvalTtlHours", "approverRole", "banCommitAuthor", "banRequester", "caBundle", "createdAt", "credentialPolicyId", "defaultNamespace", "environment", "id", "insecureSkipTlsVerify", "mode", "name", "ownerTeam", "requiredApprovals", "serverUrl", "statusReadIntervalSeconds", "updatedAt") SELECT "allowClusterScoped", "allowTokenApprovals", "allowedNamespaces", "approvalTtlHours", "approverRole", "banCommitAuthor", "banRequester", "caBundle", "createdAt", "credentialPolicyId", "defaultNamespace", "environment", "id", "insecureSkipTlsVerify", "mode", "name", "ownerTeam", "requiredApprovals", "serverUrl", "statusReadIntervalSeconds", "updatedAt" FROM "Target";
DROP TABLE "Target";
ALTER TABLE "new_Target" RENAME TO "Target";
CREATE INDEX "Target_mode_name_idx" ON "Target"("mode", "name");
CREATE INDEX "Target_environment_name_idx" ON "Target"("environment", "name");
CREATE INDEX "Target_credentialPolicyId_idx" ON "Target"("credentialPolicyId");
CREATE UNIQUE INDEX "Target_name_archivedKey_key" ON "Target"("name", "archivedKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
