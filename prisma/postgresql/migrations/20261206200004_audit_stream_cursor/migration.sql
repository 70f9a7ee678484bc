-- CreateTable
CREATE TABLE "AuditStreamCursor" (
    "sinkId" TEXT NOT NULL,
    "afterSeq" INTEGER NOT NULL DEFAULT 0,
    "checkpointSeq" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "lastDeliveredAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditStreamCursor_pkey" PRIMARY KEY ("sinkId")
);

-- AddForeignKey
ALTER TABLE "AuditStreamCursor" ADD CONSTRAINT "AuditStreamCursor_sinkId_fkey" FOREIGN KEY ("sinkId") REFERENCES "NotificationSink"("id") ON DELETE CASCADE ON UPDATE CASCADE;
