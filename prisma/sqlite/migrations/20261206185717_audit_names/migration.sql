-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "applicationName" TEXT;
ALTER TABLE "AuditEvent" ADD COLUMN "credentialLabel" TEXT;
ALTER TABLE "AuditEvent" ADD COLUMN "names" TEXT;
ALTER TABLE "AuditEvent" ADD COLUMN "targetName" TEXT;

-- CreateTable
CREATE TABLE "AuditName" (
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "key" TEXT NOT NULL,

    PRIMARY KEY ("kind", "name")
);

-- CreateIndex
CREATE INDEX "AuditName_kind_key_idx" ON "AuditName"("kind", "key");

-- CreateIndex
CREATE INDEX "AuditEvent_targetName_seq_idx" ON "AuditEvent"("targetName", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_credentialLabel_seq_idx" ON "AuditEvent"("credentialLabel", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_applicationName_seq_idx" ON "AuditEvent"("applicationName", "seq");

-- Backfill the name filters' suggestions with what exists today (rows written from now on add their own names).
INSERT INTO "AuditName" ("kind", "name", "key") SELECT 'target', "name", lower("name") FROM "Target" WHERE true ON CONFLICT DO NOTHING;
INSERT INTO "AuditName" ("kind", "name", "key") SELECT 'application', "name", lower("name") FROM "Application" WHERE true ON CONFLICT DO NOTHING;
INSERT INTO "AuditName" ("kind", "name", "key") SELECT 'credential', "label", lower("label") FROM "Credential" WHERE "label" IS NOT NULL ON CONFLICT DO NOTHING;
INSERT INTO "AuditName" ("kind", "name", "key") SELECT 'user', "email", lower("email") FROM "User" WHERE true ON CONFLICT DO NOTHING;
