-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "chainScheme" TEXT NOT NULL DEFAULT 'sha256';

-- CreateTable
CREATE TABLE "AuditChainKey" (
    "id" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditChainKey_pkey" PRIMARY KEY ("id")
);
