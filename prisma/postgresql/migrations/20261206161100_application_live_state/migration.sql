-- CreateTable
CREATE TABLE "ApplicationLiveState" (
    "id" TEXT NOT NULL,
    "applicationId" TEXT NOT NULL,
    "repoId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "revisionId" TEXT,
    "health" TEXT NOT NULL,
    "healthMessage" TEXT,
    "treeJson" TEXT NOT NULL,
    "nodeCount" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "confirmedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApplicationLiveState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApplicationLiveState_applicationId_key" ON "ApplicationLiveState"("applicationId");

-- AddForeignKey
ALTER TABLE "ApplicationLiveState" ADD CONSTRAINT "ApplicationLiveState_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
