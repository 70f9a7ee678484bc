-- CreateTable
CREATE TABLE "AuditFloodCount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "windowStart" DATETIME NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "AuditFloodCount_windowStart_idx" ON "AuditFloodCount"("windowStart");

-- CreateIndex
CREATE UNIQUE INDEX "AuditFloodCount_action_subjectType_windowStart_key" ON "AuditFloodCount"("action", "subjectType", "windowStart");
