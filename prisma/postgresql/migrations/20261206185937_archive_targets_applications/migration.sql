/*
  Warnings:

  - A unique constraint covering the columns `[targetId,name,archivedKey]` on the table `Application` will be added. If there are existing duplicate values, this will fail.
  - A unique constraint covering the columns `[name,archivedKey]` on the table `Target` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "Application_targetId_name_key";

-- DropIndex
DROP INDEX "Target_name_key";

-- AlterTable
ALTER TABLE "Application" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "archivedById" TEXT,
ADD COLUMN     "archivedByName" TEXT,
ADD COLUMN     "archivedKey" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Target" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "archivedById" TEXT,
ADD COLUMN     "archivedByName" TEXT,
ADD COLUMN     "archivedKey" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE UNIQUE INDEX "Application_targetId_name_archivedKey_key" ON "Application"("targetId", "name", "archivedKey");

-- CreateIndex
CREATE UNIQUE INDEX "Target_name_archivedKey_key" ON "Target"("name", "archivedKey");
