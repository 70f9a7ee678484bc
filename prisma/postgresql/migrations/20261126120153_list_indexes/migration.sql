-- DropIndex
DROP INDEX "ApiToken_createdById_idx";

-- CreateIndex
CREATE INDEX "ApiToken_createdAt_id_idx" ON "ApiToken"("createdAt", "id");

-- CreateIndex
CREATE INDEX "ApiToken_createdById_createdAt_id_idx" ON "ApiToken"("createdById", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_targetId_seq_idx" ON "AuditEvent"("targetId", "seq");
