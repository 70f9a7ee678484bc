-- CreateTable
CREATE TABLE "AuditStreamCursor" (
    "sinkId" TEXT NOT NULL PRIMARY KEY,
    "afterSeq" INTEGER NOT NULL DEFAULT 0,
    "checkpointSeq" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "lastDeliveredAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AuditStreamCursor_sinkId_fkey" FOREIGN KEY ("sinkId") REFERENCES "NotificationSink" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
