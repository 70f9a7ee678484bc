import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { AGENT_PATHS } from "@/lib/agent/protocol";
import { deploymentStatus, type KubeClient } from "@/lib/kube";
import { agentClusterAccess, appManifests, AUTHOR, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  // A rollout that takes a while on the sandbox too (kwok takes about as long on the real leg): the first list after
  // the apply finds the Deployment still rolling out, so its end is something to be noticed.
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 1000 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

interface Watched {
  kind: string;
  namespace: string | undefined;
  /** Deployments this watch delivered in their rolled-out state. */
  readyNames: string[];
}

/** Records the agent client's watches, and which Deployments each delivered as rolled out. */
function spyOnWatches(client: KubeClient): Watched[] {
  const watched: Watched[] = [];
  const watch = client.watch.bind(client);
  vi.spyOn(client, "watch").mockImplementation((apiVersion, kind, opts, onEvent) => {
    const entry: Watched = { kind, namespace: opts.namespace, readyNames: [] };
    watched.push(entry);
    return watch(apiVersion, kind, opts, (event) => {
      if (kind === "Deployment" && event.type !== "DELETED" && deploymentStatus(event.object).state === "ready")
        entry.readyNames.push(event.object.metadata.name);
      onEvent(event);
    });
  });
  return watched;
}

describe("pull agent: rollout wait", () => {
  it("follows an applied Deployment's rollout with a watch and learns it rolled out from the watch", async () => {
    const ns = uniqueName("rollwatch-agent");
    const repo = await git.createRepo(`${ns}.git`);
    const sha = await repo.commit({ files: appManifests({ value: "v1" }), author: AUTHOR, message: "first" });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const watched = spyOnWatches(agentClient);
    const wharf = await startFakeWharf();
    const repoId = `repo-${ns}`;
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${ns}`,
        defaultNamespace: ns,
        repos: [repoAssignment({ repoId, url: repo.url, path: "deploy", pollIntervalSeconds: 3600 })],
      }),
    ]);
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const synced = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === sha, 60_000);
      expect(synced.counts).toMatchObject({ created: 2 });
      // The rollout wait watched the namespace's Deployments, and the watch (not a later poll) delivered "rolled out".
      const deploymentWatches = watched.filter((w) => w.kind === "Deployment" && w.namespace === ns);
      expect(deploymentWatches.length).toBeGreaterThan(0);
      expect(deploymentWatches.flatMap((w) => w.readyNames)).toContain("web");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("past its cap on rollout watches polls instead: a never-ready rollout holds the only watch, another still syncs; the stuck sync's manifests are sent while it waits", async () => {
    const stuckNs = uniqueName("rollcap-stuck");
    const otherNs = uniqueName("rollcap-other");
    const stuckRepo = await git.createRepo(`${stuckNs}.git`);
    const otherRepo = await git.createRepo(`${otherNs}.git`);
    // A paused Deployment never gets a ReplicaSet: its rollout waits until the timeout on both legs.
    const stuck = appManifests();
    await stuckRepo.commit({
      files: {
        ...stuck,
        "deploy/deployment.yaml": stuck["deploy/deployment.yaml"]!.replace("\nspec:\n", "\nspec:\n  paused: true\n"),
      },
      author: AUTHOR,
      message: "never ready",
    });
    const otherSha = await otherRepo.commit({ files: appManifests({ value: "v1" }), author: AUTHOR, message: "first" });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [stuckNs, otherNs], `agent-${stuckNs}`);
    const watched = spyOnWatches(agentClient);
    const wharf = await startFakeWharf();
    const stuckId = `repo-${stuckNs}`;
    const otherId = `repo-${otherNs}`;
    // The stuck repo is assigned first and there is one reconciliation slot: its wait takes the one watch first.
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
      rolloutWatches: 1,
      rolloutTimeoutMs: 20_000,
    });
    try {
      await wharf.waitForEvent((e) => e.repoId === otherId && e.result === "synced" && e.revision?.sha === otherSha);
      // Synced while the stuck rollout still holds the only watch: the other's rollout was polled, never watched.
      expect(
        wharf.events.filter((e) => e.repoId === stuckId && (e.result === "synced" || e.result === "failed")),
      ).toEqual([]);
      expect(new Set(watched.filter((w) => w.kind === "Deployment").map((w) => w.namespace))).toEqual(
        new Set([stuckNs]),
      );
      const requestsWhileWaiting = wharf.requests.map((r) => `${r.method} ${r.path}`);
      const failed = await wharf.waitForEvent((e) => e.repoId === stuckId && e.result === "failed", 60_000);
      expect(failed.message).toMatch(/^ROLLOUT_FAILED/);
      // What the stuck sync applied went to Wharf while its rollout was still waited for, not with its event.
      expect(failed.manifests?.sha256).toBeDefined();
      expect(requestsWhileWaiting).toContain(`GET ${AGENT_PATHS.manifests(failed.manifests!.sha256)}`);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
