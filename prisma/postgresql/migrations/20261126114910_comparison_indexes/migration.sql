-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- CreateIndex
CREATE INDEX "Deployment_targetId_finishedAt_idx" ON "Deployment"("targetId", "finishedAt");
