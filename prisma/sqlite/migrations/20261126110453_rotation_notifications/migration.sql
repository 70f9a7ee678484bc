-- CreateTable
CREATE TABLE "SchedulerLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "leaseUntil" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "NotificationSink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secretCiphertext" TEXT NOT NULL,
    "events" TEXT NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sinkId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "NotificationDelivery_sinkId_fkey" FOREIGN KEY ("sinkId") REFERENCES "NotificationSink" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Credential_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Credential" ("ciphertext", "createdAt", "createdById", "expiresAt", "fingerprint", "id", "issuedAt", "keyId", "kind", "lastRotatedAt", "state", "subject", "supersededAt", "supersededById", "targetId") SELECT "ciphertext", "createdAt", "createdById", "expiresAt", "fingerprint", "id", "issuedAt", "keyId", "kind", "lastRotatedAt", "state", "subject", "supersededAt", "supersededById", "targetId" FROM "Credential";
DROP TABLE "Credential";
ALTER TABLE "new_Credential" RENAME TO "Credential";
CREATE INDEX "Credential_targetId_state_idx" ON "Credential"("targetId", "state");
CREATE INDEX "Credential_state_expiresAt_idx" ON "Credential"("state", "expiresAt");
CREATE INDEX "Credential_keyId_idx" ON "Credential"("keyId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "NotificationSink_name_key" ON "NotificationSink"("name");

-- CreateIndex
CREATE INDEX "NotificationDelivery_state_nextAttemptAt_idx" ON "NotificationDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_sinkId_createdAt_idx" ON "NotificationDelivery"("sinkId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_sinkId_dedupKey_key" ON "NotificationDelivery"("sinkId", "dedupKey");
