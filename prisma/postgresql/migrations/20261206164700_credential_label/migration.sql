-- AlterTable
ALTER TABLE "Credential" ADD COLUMN "label" TEXT;

-- Backfill: existing credentials get the default label, "<target name> <kind>".
UPDATE "Credential" SET "label" = left(t."name" || ' ' || "Credential"."kind", 100) FROM "Target" t WHERE t."id" = "Credential"."targetId" AND "Credential"."label" IS NULL;
