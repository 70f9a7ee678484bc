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
    "syncStatus" TEXT NOT NULL DEFAULT 'Unknown',
    "health" TEXT,
    CONSTRAINT "Application_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Application" ("archivedAt", "archivedById", "archivedByName", "archivedKey", "createdAt", "createdById", "driftInterval", "id", "inventoryKey", "mode", "name", "path", "prune", "ref", "renderOptions", "repoKey", "repoUrl", "selfHeal", "sourceKind", "targetId", "updatedAt") SELECT "archivedAt", "archivedById", "archivedByName", "archivedKey", "createdAt", "createdById", "driftInterval", "id", "inventoryKey", "mode", "name", "path", "prune", "ref", "renderOptions", "repoKey", "repoUrl", "selfHeal", "sourceKind", "targetId", "updatedAt" FROM "Application";
DROP TABLE "Application";
ALTER TABLE "new_Application" RENAME TO "Application";
CREATE UNIQUE INDEX "Application_inventoryKey_key" ON "Application"("inventoryKey");
CREATE INDEX "Application_name_id_idx" ON "Application"("name", "id");
CREATE INDEX "Application_syncStatus_name_id_idx" ON "Application"("syncStatus", "name", "id");
CREATE INDEX "Application_health_name_id_idx" ON "Application"("health", "name", "id");
CREATE INDEX "Application_createdAt_id_idx" ON "Application"("createdAt", "id");
CREATE INDEX "Application_repoKey_idx" ON "Application"("repoKey");
CREATE UNIQUE INDEX "Application_targetId_name_archivedKey_key" ON "Application"("targetId", "name", "archivedKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
