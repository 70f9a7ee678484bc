-- AlterTable
ALTER TABLE "RepoBinding" ADD COLUMN     "followsApplication" BOOLEAN NOT NULL DEFAULT false;
