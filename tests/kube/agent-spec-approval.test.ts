import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { HELM_CHART } from "@/tests/support/render-fixtures";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { specOf, type TRepoAssignment } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import type { KubeClient } from "@/lib/kube";
import { agentClusterAccess, appManifests, AUTHOR, eventually, startTestAgent, statusOnceIn } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

// The agent's half of "a change of a repository's spec waits for approval": with the approved revision and its spec
// in the assignment, a changed path (here with prune off) is reported as a new pending revision and nothing of the
// new folder reaches the cluster — not by a sync, not by self-heal, not after a restart — until it is approved.

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

const INTRUDER = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: intruder\ndata:\n  a: b\n";

async function get(client: KubeClient, ns: string, name: string) {
  return client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name });
}

describe("pull agent: a changed spec on an approval-gated target", () => {
  it("keeps applying the approved revision with the approved spec until the new spec's revision is approved", async () => {
    const ns = uniqueName("spec");
    const repo = await git.createRepo(`${ns}.git`);
    const first = await repo.commit({
      files: { ...appManifests({ value: "v1" }), "other/intruder.yaml": INTRUDER },
      author: AUTHOR,
      message: "first",
    });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    const repoId = `repo-${ns}`;
    const approvedAssignment: TRepoAssignment = repoAssignment({
      repoId,
      url: repo.url,
      path: "deploy",
      selfHeal: true,
      pollIntervalSeconds: 3600,
    });
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${ns}`,
        defaultNamespace: ns,
        requiresApproval: true,
        repos: [approvedAssignment],
      }),
    ]);
    const spec1 = specOf(approvedAssignment);
    let agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const pending1 = await wharf.waitForEvent((e) => e.result === "pending-approval" && e.revision?.sha === first);
      expect(pending1.revision?.id).toBe(`${first}@${specDigestOf(spec1)}`);
      // What the real Wharf sends once that revision is approved: the revision and the spec it was approved with.
      wharf.updateRepo(repoId, { approvedRevision: pending1.revision!.id!, approvedSpec: spec1 });
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.id === pending1.revision?.id);
      expect((await get(kube.client, ns, "web-config"))?.data).toEqual({ greeting: "v1" });

      // The repository's settings change: another folder, prune off. The approval stays the one above.
      wharf.updateRepo(repoId, { path: "other", prune: false });
      const spec2 = { ...spec1, path: "other", prune: false };
      const pending2 = await wharf.waitForEvent(
        (e) => e.result === "pending-approval" && e.revision?.id === `${first}@${specDigestOf(spec2)}`,
      );
      expect(pending2.diff?.objects.map((o) => `${o.action} ${o.ref.name}`)).toContain("create intruder");
      expect(await get(kube.client, ns, "intruder")).toBeUndefined();
      expect(await statusOnceIn(agent, repoId, "pending-approval")).toMatchObject({ revision: pending1.revision?.id });

      // Self-heal restores the approved folder's object, and only that: the reported attack's "drift corrected".
      await kube.client.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
      await agent.syncNow(repoId);
      expect((await get(kube.client, ns, "web-config"))?.data).toEqual({ greeting: "v1" });
      expect(await get(kube.client, ns, "intruder")).toBeUndefined();

      // A restarted agent (drift checks from its state directory) still builds the approved revision from the approved spec.
      await agent.stop();
      agent = await startTestAgent({
        wharfUrl: wharf.url,
        credential: wharf.credential,
        kubeClient: agentClient,
        stateDir: agent.stateDir,
      });
      await eventually(() => (agent.status().has(repoId) ? true : undefined), "assignment loaded");
      await kube.client.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
      await agent.syncNow(repoId);
      expect((await get(kube.client, ns, "web-config"))?.data).toEqual({ greeting: "v1" });
      expect(await get(kube.client, ns, "intruder")).toBeUndefined();

      // Approved: the new spec applies, prune off keeps the first folder's objects.
      wharf.updateRepo(repoId, { approvedRevision: pending2.revision!.id!, approvedSpec: spec2 });
      await eventually(
        async () => ((await get(kube.client, ns, "intruder")) ? true : undefined),
        "approved spec applied",
      );
      expect(await get(kube.client, ns, "web-config")).toBeDefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("without approvals, a changed path re-syncs at once, with no new commit", async () => {
    const ns = uniqueName("spec");
    const repo = await git.createRepo(`${ns}.git`);
    const first = await repo.commit({
      files: { ...appManifests({ value: "v1" }), "other/intruder.yaml": INTRUDER },
      author: AUTHOR,
      message: "first",
    });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
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
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      wharf.updateRepo(repoId, { path: "other" });
      const resynced = await wharf.waitForEvent(
        (e) =>
          e.result === "synced" &&
          e.revision?.sha === first &&
          e.revision.id?.endsWith(
            `@${specDigestOf({ ...specOf(repoAssignment({ repoId, url: repo.url })), path: "other" })}`,
          ) === true,
      );
      expect(resynced.counts).toMatchObject({ created: 1 });
      expect(await get(kube.client, ns, "intruder")).toBeDefined();
      // prune is on: the first folder's objects went with the change.
      expect(await get(kube.client, ns, "web-config")).toBeUndefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("refuses settings that do not hash to the approved revision's digest", async () => {
    const ns = uniqueName("spec");
    const repo = await git.createRepo(`${ns}.git`);
    const first = await repo.commit({
      files: { ...appManifests({ value: "v1" }), "other/intruder.yaml": INTRUDER },
      author: AUTHOR,
      message: "first",
    });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    const repoId = `repo-${ns}`;
    const assignment = repoAssignment({ repoId, url: repo.url, path: "deploy", pollIntervalSeconds: 3600 });
    const spec1 = specOf(assignment);
    // Approval of the "deploy" spec, sent with a spec for another folder (a Wharf row edited by hand, say).
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${ns}`,
        defaultNamespace: ns,
        requiresApproval: true,
        repos: [
          {
            ...assignment,
            approvedRevision: `${first}@${specDigestOf(spec1)}`,
            approvedSpec: { ...spec1, path: "other" },
          },
        ],
      }),
    ]);
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const failed = await wharf.waitForEvent((e) => e.result === "failed");
      expect(failed.message).toContain("SPEC_UNKNOWN");
      expect(await get(kube.client, ns, "intruder")).toBeUndefined();
      expect(await get(kube.client, ns, "web-config")).toBeUndefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("a change of render options (a chart's inline values) is a new revision that waits for approval", async () => {
    const ns = uniqueName("spec-render");
    const repo = await git.createRepo(`${ns}.git`);
    const sha = await repo.commit({ files: HELM_CHART, author: AUTHOR, message: "chart" });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    const repoId = `repo-${ns}`;
    const assignment = repoAssignment({
      repoId,
      url: repo.url,
      path: "charts/web",
      pollIntervalSeconds: 3600,
      render: { kind: "helm", helm: { releaseName: "shop", valuesFiles: [], values: { color: "green" } } },
    });
    wharf.setTargets([
      targetAssignment({ targetId: `target-${ns}`, defaultNamespace: ns, requiresApproval: true, repos: [assignment] }),
    ]);
    const spec1 = specOf(assignment);
    const color = async () =>
      ((await get(kube.client, ns, "shop-config"))?.data as Record<string, string> | undefined)?.color;
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const pending1 = await wharf.waitForEvent((e) => e.result === "pending-approval");
      expect(pending1.revision?.id).toBe(`${sha}@${specDigestOf(spec1)}`);
      wharf.updateRepo(repoId, { approvedRevision: pending1.revision!.id!, approvedSpec: spec1 });
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.id === pending1.revision?.id);
      expect(await color()).toBe("green");

      // Only the inline values change: same commit, same path, another revision, which waits.
      const render = { kind: "helm" as const, helm: { ...spec1.render!.helm!, values: { color: "red" } } };
      wharf.updateRepo(repoId, { render });
      const spec2 = { ...spec1, render };
      const pending2 = await wharf.waitForEvent(
        (e) => e.result === "pending-approval" && e.revision?.id === `${sha}@${specDigestOf(spec2)}`,
      );
      expect(pending2.diff?.objects.map((o) => `${o.action} ${o.ref.name}`)).toContain("change shop-config");
      await agent.syncNow(repoId);
      expect(await color()).toBe("green");
      expect(agent.status().get(repoId)).toMatchObject({ state: "pending-approval", revision: pending1.revision?.id });

      // Approved with the spec it was reported with: the new values apply.
      wharf.updateRepo(repoId, { approvedRevision: pending2.revision!.id!, approvedSpec: spec2 });
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.id === pending2.revision?.id);
      expect(await color()).toBe("red");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
