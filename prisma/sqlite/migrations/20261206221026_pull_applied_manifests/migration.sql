-- AlterTable
ALTER TABLE "SyncEvent" ADD COLUMN "manifestsBytes" INTEGER;
ALTER TABLE "SyncEvent" ADD COLUMN "manifestsSha256" TEXT;

-- CreateTable
CREATE TABLE "AppliedManifestsBlob" (
    "sha256" TEXT NOT NULL PRIMARY KEY,
    "gz" BLOB NOT NULL,
    "bytes" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
