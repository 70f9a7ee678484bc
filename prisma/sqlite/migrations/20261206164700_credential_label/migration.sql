-- AlterTable
ALTER TABLE "Credential" ADD COLUMN "label" TEXT;

-- Backfill: existing credentials get the default label, "<target name> <kind>".
UPDATE "Credential" SET "label" = substr((SELECT "name" FROM "Target" WHERE "Target"."id" = "Credential"."targetId") || ' ' || "kind", 1, 100) WHERE "label" IS NULL;
