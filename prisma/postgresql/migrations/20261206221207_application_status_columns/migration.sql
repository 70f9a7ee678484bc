-- AlterTable
ALTER TABLE "Application" ADD COLUMN     "health" TEXT,
ADD COLUMN     "syncStatus" TEXT NOT NULL DEFAULT 'Unknown';

-- CreateIndex
CREATE INDEX "Application_syncStatus_name_id_idx" ON "Application"("syncStatus", "name", "id");

-- CreateIndex
CREATE INDEX "Application_health_name_id_idx" ON "Application"("health", "name", "id");

-- Written by hand (the Prisma schema cannot describe it; prisma/migrate-dev.mjs keeps later diffs from dropping it):
-- the Applications list's name search is a substring match (LIKE '%…%'), which a B-tree cannot seek. A trigram GIN
-- index lets PostgreSQL find the few matching rows instead of walking the name index past every other one. Without
-- fastupdate: rows written since the last vacuum would wait in a pending list that every search reads through and
-- that the planner prices in (30,000 fresh rows: 26 ms a search, and a cost that made it walk the name index).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "Application_name_trgm_idx" ON "Application" USING GIN ("name" gin_trgm_ops) WITH (fastupdate = off);
