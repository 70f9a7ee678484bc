-- CreateIndex
CREATE INDEX "Credential_label_idx" ON "Credential"("label");
