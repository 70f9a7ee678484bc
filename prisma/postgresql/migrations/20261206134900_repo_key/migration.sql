-- AlterTable
ALTER TABLE "Application" ADD COLUMN     "repoKey" TEXT;

-- AlterTable
ALTER TABLE "PullRepo" ADD COLUMN     "repoKey" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "RepoBinding" ADD COLUMN     "repoKey" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "Application_repoKey_idx" ON "Application"("repoKey");

-- CreateIndex
CREATE INDEX "RepoBinding_repoKey_branch_idx" ON "RepoBinding"("repoKey", "branch");

-- CreateIndex
CREATE INDEX "PullRepo_repoKey_branch_idx" ON "PullRepo"("repoKey", "branch");
