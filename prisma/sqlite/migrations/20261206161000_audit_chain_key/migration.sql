-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "chainScheme" TEXT NOT NULL DEFAULT 'sha256';

-- CreateTable
CREATE TABLE "AuditChainKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sealed" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
