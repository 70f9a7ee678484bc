-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Credential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'active',
    "ciphertext" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "subject" TEXT,
    "issuedAt" DATETIME,
    "expiresAt" DATETIME,
    "lastRotatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    "supersededAt" DATETIME,
    "supersededById" TEXT,
    "rotationError" TEXT,
    "rotationFailedAt" DATETIME,
    "rotationAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextRotationAttemptAt" DATETIME,
    "origin" TEXT NOT NULL DEFAULT 'stored',
    "scopeSummary" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "targetEnvironment" TEXT,
    "overdueAt" DATETIME,
    "dueSoonAt" DATETIME,
    "policyMaxAgeDays" INTEGER,
    "rotationFailing" BOOLEAN NOT NULL DEFAULT false,
    "scopeCheckedAt" DATETIME,
    "scopeClusterAdmin" BOOLEAN,
    "scopeCheckError" TEXT,
    "scopeCheckFailures" INTEGER NOT NULL DEFAULT 0,
    "scopeCheckNextAt" DATETIME,
    CONSTRAINT "Credential_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Credential" ("ciphertext", "createdAt", "createdById", "expiresAt", "fingerprint", "id", "issuedAt", "keyId", "kind", "lastRotatedAt", "nextRotationAttemptAt", "origin", "rotationAttempts", "rotationError", "rotationFailedAt", "scopeSummary", "state", "subject", "supersededAt", "supersededById", "targetId") SELECT "ciphertext", "createdAt", "createdById", "expiresAt", "fingerprint", "id", "issuedAt", "keyId", "kind", "lastRotatedAt", "nextRotationAttemptAt", "origin", "rotationAttempts", "rotationError", "rotationFailedAt", "scopeSummary", "state", "subject", "supersededAt", "supersededById", "targetId" FROM "Credential";
DROP TABLE "Credential";
ALTER TABLE "new_Credential" RENAME TO "Credential";
CREATE INDEX "Credential_targetId_state_idx" ON "Credential"("targetId", "state");
CREATE INDEX "Credential_state_expiresAt_idx" ON "Credential"("state", "expiresAt");
CREATE INDEX "Credential_keyId_idx" ON "Credential"("keyId");
CREATE INDEX "Credential_state_overdueAt_idx" ON "Credential"("state", "overdueAt");
CREATE INDEX "Credential_state_dueSoonAt_idx" ON "Credential"("state", "dueSoonAt");
CREATE INDEX "Credential_state_rotationFailing_idx" ON "Credential"("state", "rotationFailing");
CREATE INDEX "Credential_state_lastRotatedAt_idx" ON "Credential"("state", "lastRotatedAt");
CREATE INDEX "Credential_state_targetEnvironment_lastRotatedAt_idx" ON "Credential"("state", "targetEnvironment", "lastRotatedAt");
CREATE INDEX "Credential_state_kind_policyMaxAgeDays_idx" ON "Credential"("state", "kind", "policyMaxAgeDays");
CREATE INDEX "Credential_state_targetEnvironment_kind_policyMaxAgeDays_idx" ON "Credential"("state", "targetEnvironment", "kind", "policyMaxAgeDays");
CREATE INDEX "Credential_state_scopeClusterAdmin_idx" ON "Credential"("state", "scopeClusterAdmin");
CREATE INDEX "Credential_state_scopeCheckFailures_idx" ON "Credential"("state", "scopeCheckFailures");
CREATE INDEX "Credential_state_scopeCheckNextAt_idx" ON "Credential"("state", "scopeCheckNextAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
