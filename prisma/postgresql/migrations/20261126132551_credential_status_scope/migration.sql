-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "dueSoonAt" TIMESTAMP(3),
ADD COLUMN     "overdueAt" TIMESTAMP(3),
ADD COLUMN     "policyMaxAgeDays" INTEGER,
ADD COLUMN     "rotationFailing" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "scopeCheckError" TEXT,
ADD COLUMN     "scopeCheckFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "scopeCheckNextAt" TIMESTAMP(3),
ADD COLUMN     "scopeCheckedAt" TIMESTAMP(3),
ADD COLUMN     "scopeClusterAdmin" BOOLEAN,
ADD COLUMN     "targetEnvironment" TEXT;

-- CreateIndex
CREATE INDEX "Credential_state_overdueAt_idx" ON "Credential"("state", "overdueAt");

-- CreateIndex
CREATE INDEX "Credential_state_dueSoonAt_idx" ON "Credential"("state", "dueSoonAt");

-- CreateIndex
CREATE INDEX "Credential_state_rotationFailing_idx" ON "Credential"("state", "rotationFailing");

-- CreateIndex
CREATE INDEX "Credential_state_lastRotatedAt_idx" ON "Credential"("state", "lastRotatedAt");

-- CreateIndex
CREATE INDEX "Credential_state_targetEnvironment_lastRotatedAt_idx" ON "Credential"("state", "targetEnvironment", "lastRotatedAt");

-- CreateIndex
CREATE INDEX "Credential_state_kind_policyMaxAgeDays_idx" ON "Credential"("state", "kind", "policyMaxAgeDays");

-- CreateIndex
CREATE INDEX "Credential_state_targetEnvironment_kind_policyMaxAgeDays_idx" ON "Credential"("state", "targetEnvironment", "kind", "policyMaxAgeDays");

-- CreateIndex
CREATE INDEX "Credential_state_scopeClusterAdmin_idx" ON "Credential"("state", "scopeClusterAdmin");

-- CreateIndex
CREATE INDEX "Credential_state_scopeCheckFailures_idx" ON "Credential"("state", "scopeCheckFailures");

-- CreateIndex
CREATE INDEX "Credential_state_scopeCheckNextAt_idx" ON "Credential"("state", "scopeCheckNextAt");
