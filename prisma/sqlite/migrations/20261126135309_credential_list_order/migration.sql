-- AlterTable
ALTER TABLE "Credential" ADD COLUMN "autoRotateAt" DATETIME;
ALTER TABLE "Credential" ADD COLUMN "targetName" TEXT;

-- CreateIndex
CREATE INDEX "Credential_state_targetName_id_idx" ON "Credential"("state", "targetName", "id");

-- CreateIndex
CREATE INDEX "Credential_state_autoRotateAt_idx" ON "Credential"("state", "autoRotateAt");
