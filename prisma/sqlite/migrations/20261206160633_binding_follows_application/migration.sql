-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RepoBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "applicationId" TEXT,
    "repoUrl" TEXT NOT NULL,
    "repoKey" TEXT NOT NULL DEFAULT '',
    "branch" TEXT NOT NULL,
    "path" TEXT NOT NULL DEFAULT '.',
    "secretCiphertext" TEXT NOT NULL,
    "lastCommitSha" TEXT,
    "followsApplication" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RepoBinding_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RepoBinding_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_RepoBinding" ("applicationId", "branch", "createdAt", "createdById", "id", "lastCommitSha", "path", "repoKey", "repoUrl", "secretCiphertext", "targetId") SELECT "applicationId", "branch", "createdAt", "createdById", "id", "lastCommitSha", "path", "repoKey", "repoUrl", "secretCiphertext", "targetId" FROM "RepoBinding";
DROP TABLE "RepoBinding";
ALTER TABLE "new_RepoBinding" RENAME TO "RepoBinding";
CREATE INDEX "RepoBinding_repoUrl_branch_idx" ON "RepoBinding"("repoUrl", "branch");
CREATE INDEX "RepoBinding_repoKey_branch_idx" ON "RepoBinding"("repoKey", "branch");
CREATE INDEX "RepoBinding_targetId_idx" ON "RepoBinding"("targetId");
CREATE INDEX "RepoBinding_applicationId_idx" ON "RepoBinding"("applicationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
