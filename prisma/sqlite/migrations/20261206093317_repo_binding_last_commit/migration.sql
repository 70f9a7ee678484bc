-- AlterTable
ALTER TABLE "RepoBinding" ADD COLUMN "lastCommitSha" TEXT;
