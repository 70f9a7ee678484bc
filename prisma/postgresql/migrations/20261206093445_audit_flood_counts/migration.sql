-- CreateTable
CREATE TABLE "AuditFloodCount" (
    "id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AuditFloodCount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditFloodCount_windowStart_idx" ON "AuditFloodCount"("windowStart");

-- CreateIndex
CREATE UNIQUE INDEX "AuditFloodCount_action_subjectType_windowStart_key" ON "AuditFloodCount"("action", "subjectType", "windowStart");
