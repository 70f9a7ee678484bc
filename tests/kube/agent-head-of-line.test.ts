import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { agentClusterAccess, appManifests, AUTHOR, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

describe("pull agent: no head-of-line blocking", () => {
  it("syncs another repo while one repo's rollout never becomes ready, even with a single reconciliation slot", async () => {
    const stuckNs = uniqueName("hol-stuck");
    const otherNs = uniqueName("hol-other");
    const stuckRepo = await git.createRepo(`${stuckNs}.git`);
    const otherRepo = await git.createRepo(`${otherNs}.git`);
    // The stuck repo's first revision is a paused Deployment: no ReplicaSet is ever made, so the rollout waits until
    // its timeout on both legs. (An image tagged `:fail` is no stand-in: the sandbox reports its crash loop as
    // ProgressDeadlineExceeded at once, so that wait ends in a second or two there.)
    const stuck = appManifests();
    const stuckSha = await stuckRepo.commit({
      files: {
        ...stuck,
        "deploy/deployment.yaml": stuck["deploy/deployment.yaml"]!.replace("\nspec:\n", "\nspec:\n  paused: true\n"),
      },
      author: AUTHOR,
      message: "never ready",
    });
    const otherSha = await otherRepo.commit({ files: appManifests({ value: "v1" }), author: AUTHOR, message: "first" });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [stuckNs, otherNs], `agent-${stuckNs}`);
    const wharf = await startFakeWharf();
    const stuckId = `repo-${stuckNs}`;
    const otherId = `repo-${otherNs}`;
    // The stuck repo is assigned first, so it takes the one slot first.
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${stuckNs}`,
        defaultNamespace: stuckNs,
        repos: [repoAssignment({ repoId: stuckId, url: stuckRepo.url, path: "deploy", pollIntervalSeconds: 3600 })],
      }),
      targetAssignment({
        targetId: `target-${otherNs}`,
        defaultNamespace: otherNs,
        repos: [repoAssignment({ repoId: otherId, url: otherRepo.url, path: "deploy", pollIntervalSeconds: 3600 })],
      }),
    ]);
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      concurrency: 1,
      rolloutTimeoutMs: 20_000,
    });
    try {
      const synced = await wharf.waitForEvent(
        (e) => e.repoId === otherId && e.result === "synced" && e.revision?.sha === otherSha,
        60_000,
      );
      // When the other repo is synced, the stuck one has not finished: it is still waiting for its rollout (had the
      // wait kept the only slot, the other repo would have come after the stuck one's ROLLOUT_FAILED).
      const stuckEvents = wharf.events.filter((e) => e.repoId === stuckId && e.kind === "sync");
      expect(stuckEvents.filter((e) => e.result === "synced" || e.result === "failed")).toEqual([]);
      expect(agent.status().get(otherId)).toMatchObject({ state: "in-sync" });
      expect(agent.status().get(stuckId)?.state).not.toBe("in-sync");
      expect(synced.counts).toMatchObject({ created: 2 });

      // The stuck rollout still ends as it should: failed when its wait times out.
      const failed = await wharf.waitForEvent(
        (e) => e.repoId === stuckId && e.result === "failed" && e.revision?.sha === stuckSha,
        60_000,
      );
      expect(failed.message).toMatch(/^ROLLOUT_FAILED/);
      expect(wharf.events.indexOf(synced)).toBeLessThan(wharf.events.indexOf(failed));
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
