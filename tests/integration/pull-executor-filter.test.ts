import { describe, expect, it } from "vitest";
import { claimNextDeployment } from "@/lib/deployments/data/executor-claim";
import { dbFor } from "@/lib/db/client";
import { createPullTarget, createPushTarget, fakeSha } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);

async function insertQueued(targetId: string, sourceKind: string) {
  const sha = fakeSha();
  return db().deployment.create({
    data: {
      targetId,
      state: "queued",
      sourceKind,
      manifests: "",
      manifestsDigest: sha,
      objectCount: 0,
      requestedById: "someone",
      requestedByKind: "user",
      requestedByName: "someone",
      queuedAt: new Date(Date.now() - 60_000),
      ...(sourceKind === "pull-revision" ? { revision: sha } : {}),
    },
  });
}

describe("the push executor leaves pull revisions to the agent", () => {
  it("claims a queued manifests deployment but never a queued pull-revision one", async () => {
    const pull = await createPullTarget();
    const push = await createPushTarget();
    // The pull revision is older, so without the filter it would be claimed first.
    const pullDeployment = await insertQueued(pull.id, "pull-revision");
    const pushDeployment = await insertQueued(push.id, "manifests");

    const first = await claimNextDeployment({ processId: "test-exec", leaseMs: 30_000 });
    expect(first?.deploymentId).toBe(pushDeployment.id);
    const second = await claimNextDeployment({ processId: "test-exec", leaseMs: 30_000 });
    expect(second).toBeNull();
    const untouched = await db().deployment.findUniqueOrThrow({ where: { id: pullDeployment.id } });
    expect(untouched.claimedBy).toBeNull();
    expect(untouched.attempts).toBe(0);
  });
});
