import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { kubectlRunner } from "@/tests/support/sandbox";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { commitOfRevision, type TLiveNode, type TLiveState } from "@/lib/agent/protocol";
import { agentClusterAccess, appManifests, AUTHOR, eventually, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

// Issue 15, Must 1 and 2 (pull): the agent reads its application's objects and what they own after each sync and
// reports the resource tree and health; on the sandbox and on the real control plane (kwok runs the Pods there).

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

async function setup(files: Record<string, string>) {
  const ns = uniqueName("live");
  const repo = await git.createRepo(`${ns}.git`);
  const first = await repo.commit({ files, author: AUTHOR, message: "first" });
  const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
  const wharf = await startFakeWharf();
  const repoId = `repo-${ns}`;
  const targetId = `target-${ns}`;
  wharf.setTargets([
    targetAssignment({
      targetId,
      defaultNamespace: ns,
      repos: [repoAssignment({ repoId, url: repo.url, path: "deploy", pollIntervalSeconds: 3600 })],
    }),
  ]);
  return { ns, first, agentClient, wharf, repoId, targetId };
}

const find = (roots: TLiveNode[], kind: string, name?: string) =>
  roots.find((n) => n.kind === kind && (name === undefined || n.name === name));

describe("pull agent live state", () => {
  it("reports a synced application Healthy with Deployment → ReplicaSet → Pods (phase, images), once per change", async () => {
    const { ns, first, agentClient, wharf, repoId, targetId } = await setup(appManifests({ value: "v1" }));
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      liveStateSettleMs: 500,
    });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      const healthy = await eventually(
        () => wharf.liveStates.find((s) => s.repoId === repoId && s.health.status === "Healthy"),
        "a Healthy live state",
        60_000,
      );
      expect(healthy).toMatchObject({ targetId, truncated: false });
      expect(commitOfRevision(healthy.revisionId ?? "")).toBe(first);
      const deployment = find(healthy.roots, "Deployment", "web");
      expect(deployment).toMatchObject({ namespace: ns, inInventory: true, health: { status: "Healthy" } });
      expect(find(healthy.roots, "ConfigMap", "web-config")).toMatchObject({ health: { status: "Healthy" } });
      expect(deployment!.children).toHaveLength(1);
      const replicaSet = deployment!.children[0]!;
      expect(replicaSet).toMatchObject({ kind: "ReplicaSet", inInventory: false, health: { status: "Healthy" } });
      expect(replicaSet.name.startsWith("web-")).toBe(true);
      expect(replicaSet.children).toHaveLength(2);
      for (const pod of replicaSet.children) {
        expect(pod).toMatchObject({
          kind: "Pod",
          namespace: ns,
          health: { status: "Healthy" },
          pod: { phase: "Running", restarts: 0, ready: 1, containers: 1, images: ["nginx:1.27"] },
        });
      }
      expect(healthy.nodeCount).toBe(2 + 1 + 2);
      // Nothing of the tree the UI does not need: no uids, managedFields or annotations.
      expect(JSON.stringify(healthy)).not.toMatch(/"uid"|managedFields|annotations/);

      // A drift check re-reads the cluster; the same state is not sent again.
      await eventually(
        () => (agent.liveStatesSent() === wharf.liveStates.length ? true : undefined),
        "the agent counted what Wharf received",
      );
      const sent = agent.liveStatesSent();
      const reports = wharf.liveStates.length;
      await agent.syncNow(repoId);
      await new Promise((r) => setTimeout(r, 300));
      expect(agent.liveStatesSent()).toBe(sent);
      expect(wharf.liveStates).toHaveLength(reports);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("reports a rollout whose image ends in :fail as Degraded with the reason, its crash-looping Pod under it", async () => {
    // A short progress deadline, so the real control plane's Deployment controller gives up within the test.
    const files = appManifests({ image: "registry.local/app:fail", replicas: 1 });
    files["deploy/deployment.yaml"] = files["deploy/deployment.yaml"]!.replace(
      "spec:\n  replicas",
      "spec:\n  progressDeadlineSeconds: 5\n  replicas",
    );
    const { agentClient, wharf, repoId } = await setup(files);
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      rolloutTimeoutMs: 10_000,
      liveStateSettleMs: 500,
    });
    try {
      const failed = await wharf.waitForEvent((e) => e.result === "failed", 60_000);
      expect(failed.message).toMatch(/^ROLLOUT_FAILED/);
      const degraded: TLiveState = await eventually(
        () => wharf.liveStates.find((s) => s.repoId === repoId && s.health.status === "Degraded"),
        "a Degraded live state",
        60_000,
      );
      expect(degraded.health.message).toMatch(/Deployment "web" exceeded its progress deadline/);
      const deployment = find(degraded.roots, "Deployment", "web")!;
      expect(deployment.health.status).toBe("Degraded");
      const pods = deployment.children.flatMap((rs) => rs.children);
      expect(pods.length).toBeGreaterThan(0);
      expect(pods[0]).toMatchObject({ kind: "Pod", pod: { images: ["registry.local/app:fail"] } });
      expect(pods[0]!.health).toMatchObject({ status: "Degraded" });
      expect(pods[0]!.health.message).toMatch(/CrashLoopBackOff/);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("shows a kubectl edit as OutOfSync with the applied and live values and the manager, and the objects' Events", async () => {
    const { ns, first, agentClient, wharf, repoId } = await setup(appManifests({ value: "v1" }));
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      liveStateSettleMs: 500,
    });
    const kubectl = await kubectlRunner(kube.cluster);
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      // Just applied: Wharf's own objects are Synced, owned ones say nothing of sync.
      const synced = await eventually(
        () =>
          wharf.liveStates.find(
            (s) => s.repoId === repoId && s.health.status === "Healthy" && find(s.roots, "Deployment", "web")?.sync,
          ),
        "a Healthy live state with sync status",
        60_000,
      );
      expect(find(synced.roots, "Deployment", "web")!.sync).toEqual({ status: "Synced", fields: [] });
      expect(find(synced.roots, "ConfigMap", "web-config")!.sync).toEqual({ status: "Synced", fields: [] });
      expect(find(synced.roots, "Deployment", "web")!.children[0]!.sync).toBeUndefined();

      // What `kubectl edit` does: a patch (an Update) under the field manager kubectl-edit.
      const edited = await kubectl([
        "patch",
        "deployment",
        "web",
        "-n",
        ns,
        "--type",
        "merge",
        "-p",
        '{"spec":{"replicas":3}}',
        "--field-manager",
        "kubectl-edit",
      ]);
      expect(edited.stderr).toBe("");
      expect(edited.code).toBe(0);
      await agent.syncNow(repoId);
      const drifted = await eventually(
        () =>
          wharf.liveStates.find(
            (s) => s.repoId === repoId && find(s.roots, "Deployment", "web")?.sync?.status === "OutOfSync",
          ),
        "an OutOfSync Deployment",
        60_000,
      );
      const deployment = find(drifted.roots, "Deployment", "web")!;
      expect(deployment.sync).toEqual({
        status: "OutOfSync",
        fields: [
          {
            path: "spec.replicas",
            applied: "2",
            live: "3",
            owner: { manager: "kubectl-edit", operation: "Update", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
          },
        ],
      });
      expect(Date.parse(deployment.sync!.fields[0]!.owner!.time!)).toBeGreaterThan(Date.now() - 5 * 60_000);
      expect(find(drifted.roots, "ConfigMap", "web-config")!.sync).toEqual({ status: "Synced", fields: [] });

      // Events of the tree's objects: the Deployment controller scaled its ReplicaSet, which created Pods.
      const withEvents = await eventually(
        () =>
          wharf.liveStates.find((s) => {
            const d = find(s.roots, "Deployment", "web");
            return s.repoId === repoId &&
              d?.events?.some((e) => e.reason === "ScalingReplicaSet") &&
              d.children.some((rs) => rs.events?.some((e) => e.reason === "SuccessfulCreate"))
              ? s
              : undefined;
          }),
        "Events on the Deployment and its ReplicaSet",
        60_000,
      );
      const scaled = find(withEvents.roots, "Deployment", "web")!.events!.find(
        (e) => e.reason === "ScalingReplicaSet",
      )!;
      expect(scaled).toMatchObject({ type: "Normal", count: expect.any(Number) });
      expect(scaled.message).toMatch(/replica set web-/i);
      expect(Date.parse(scaled.lastTime ?? "")).not.toBeNaN();
      // No Event of another object is shown against this one.
      expect(JSON.stringify(withEvents)).not.toMatch(/managedFields|"uid"/);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
