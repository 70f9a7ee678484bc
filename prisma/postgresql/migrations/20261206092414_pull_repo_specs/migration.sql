-- CreateTable
CREATE TABLE "PullRepoSpec" (
    "id" TEXT NOT NULL,
    "repoId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PullRepoSpec_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PullRepoSpec_repoId_createdAt_idx" ON "PullRepoSpec"("repoId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PullRepoSpec_repoId_digest_key" ON "PullRepoSpec"("repoId", "digest");

-- AddForeignKey
ALTER TABLE "PullRepoSpec" ADD CONSTRAINT "PullRepoSpec_repoId_fkey" FOREIGN KEY ("repoId") REFERENCES "PullRepo"("id") ON DELETE CASCADE ON UPDATE CASCADE;
