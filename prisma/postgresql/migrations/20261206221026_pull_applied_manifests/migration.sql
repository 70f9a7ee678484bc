-- AlterTable
ALTER TABLE "SyncEvent" ADD COLUMN     "manifestsBytes" INTEGER,
ADD COLUMN     "manifestsSha256" TEXT;

-- CreateTable
CREATE TABLE "AppliedManifestsBlob" (
    "sha256" TEXT NOT NULL,
    "gz" BYTEA NOT NULL,
    "bytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppliedManifestsBlob_pkey" PRIMARY KEY ("sha256")
);
