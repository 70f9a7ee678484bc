-- AlterTable
ALTER TABLE "Target" ADD COLUMN "statusReadIntervalSeconds" INTEGER;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ApplicationLiveState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'agent',
    "repoId" TEXT,
    "agentId" TEXT,
    "credentialId" TEXT,
    "credentialLabel" TEXT,
    "revisionId" TEXT,
    "health" TEXT NOT NULL,
    "healthMessage" TEXT,
    "treeJson" TEXT NOT NULL,
    "nodeCount" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "observedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "confirmedAt" DATETIME NOT NULL,
    "readAttemptAt" DATETIME,
    "readError" TEXT,
    CONSTRAINT "ApplicationLiveState_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ApplicationLiveState" ("agentId", "applicationId", "confirmedAt", "digest", "health", "healthMessage", "id", "nodeCount", "observedAt", "receivedAt", "repoId", "revisionId", "treeJson") SELECT "agentId", "applicationId", "confirmedAt", "digest", "health", "healthMessage", "id", "nodeCount", "observedAt", "receivedAt", "repoId", "revisionId", "treeJson" FROM "ApplicationLiveState";
DROP TABLE "ApplicationLiveState";
ALTER TABLE "new_ApplicationLiveState" RENAME TO "ApplicationLiveState";
CREATE UNIQUE INDEX "ApplicationLiveState_applicationId_key" ON "ApplicationLiveState"("applicationId");
CREATE TABLE "new_AuditFloodCount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL DEFAULT 'flood',
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL DEFAULT '',
    "windowStart" DATETIME NOT NULL,
    "windowMs" INTEGER NOT NULL DEFAULT 60000,
    "count" INTEGER NOT NULL DEFAULT 0,
    "targetId" TEXT,
    "credentialId" TEXT,
    "details" TEXT
);
INSERT INTO "new_AuditFloodCount" ("action", "count", "id", "subjectType", "windowStart") SELECT "action", "count", "id", "subjectType", "windowStart" FROM "AuditFloodCount";
DROP TABLE "AuditFloodCount";
ALTER TABLE "new_AuditFloodCount" RENAME TO "AuditFloodCount";
CREATE INDEX "AuditFloodCount_windowStart_idx" ON "AuditFloodCount"("windowStart");
CREATE UNIQUE INDEX "AuditFloodCount_action_subjectType_subjectId_windowStart_key" ON "AuditFloodCount"("action", "subjectType", "subjectId", "windowStart");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
