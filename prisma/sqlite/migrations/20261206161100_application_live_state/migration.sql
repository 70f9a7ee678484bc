-- CreateTable
CREATE TABLE "ApplicationLiveState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "repoId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "revisionId" TEXT,
    "health" TEXT NOT NULL,
    "healthMessage" TEXT,
    "treeJson" TEXT NOT NULL,
    "nodeCount" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "observedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "confirmedAt" DATETIME NOT NULL,
    CONSTRAINT "ApplicationLiveState_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ApplicationLiveState_applicationId_key" ON "ApplicationLiveState"("applicationId");
