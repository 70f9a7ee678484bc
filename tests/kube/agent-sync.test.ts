import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { commitOfRevision } from "@/lib/agent/protocol";
import { applySetFor, applySetId, type KubeClient } from "@/lib/kube";
import { agentClusterAccess, appManifests, AUTHOR, eventually, startTestAgent, statusOnceIn } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

async function setup(opts: { selfHeal?: boolean; requiresApproval?: boolean; pollIntervalSeconds?: number } = {}) {
  const ns = uniqueName("pull");
  const repoName = `${ns}.git`;
  const repo = await git.createRepo(repoName);
  const first = await repo.commit({ files: appManifests({ value: "v1" }), author: AUTHOR, message: "first" });
  const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
  const wharf = await startFakeWharf();
  const repoId = `repo-${ns}`;
  wharf.setTargets([
    targetAssignment({
      targetId: `target-${ns}`,
      defaultNamespace: ns,
      requiresApproval: !!opts.requiresApproval,
      repos: [
        repoAssignment({
          repoId,
          url: repo.url,
          path: "deploy",
          selfHeal: !!opts.selfHeal,
          pollIntervalSeconds: opts.pollIntervalSeconds ?? 3600,
        }),
      ],
    }),
  ]);
  return { ns, repo, first, agentClient, wharf, repoId };
}

async function configValue(client: KubeClient, ns: string): Promise<string | undefined> {
  const cm = await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
  return (cm?.data as Record<string, string> | undefined)?.greeting;
}

describe("pull agent against the sandbox, a git daemon and the agent protocol", () => {
  it("syncs a registered repo, then a pushed commit as soon as it is notified, pruning what the commit removed", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const synced = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      expect(synced).toMatchObject({
        kind: "sync",
        trigger: "registered",
        repoId,
        revision: { message: "first", authorEmail: AUTHOR.email },
      });
      expect(synced.counts).toMatchObject({ created: 2 });
      expect(await configValue(kube.client, ns)).toBe("v1");
      const deployment = await kube.client.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: ns,
        name: "web",
      });
      // The repository is an application: an ApplySet whose parent sits in the target's default namespace.
      expect(deployment?.metadata.labels).toMatchObject({
        "app.kubernetes.io/managed-by": "wharf",
        "applyset.kubernetes.io/part-of": applySetId(applySetFor(repoId, ns)),
      });
      expect((deployment?.metadata.managedFields as { manager: string }[]).map((m) => m.manager)).toContain(
        "wharf-agent",
      );

      // Poll interval is an hour: only the notify can explain a quick pickup.
      const files = {
        ...appManifests({ value: "v2" }),
        "deploy/config.yaml": null,
        "deploy/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  greeting: v2\n",
      };
      const second = await repo.commit({ files, author: AUTHOR, message: "second" });
      wharf.notify(repoId);
      await eventually(
        async () =>
          (await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "extra" }))
            ? true
            : undefined,
        "commit 2 applied",
      );
      const event = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === second);
      expect(event.trigger).toBe("notify");
      expect(event.counts).toMatchObject({ created: 1, pruned: 1 });
      expect(await configValue(kube.client, ns)).toBeUndefined();
      await eventually(
        () =>
          agent.status().get(repoId)?.state === "in-sync" &&
          commitOfRevision(agent.status().get(repoId)?.revision ?? "") === second
            ? true
            : undefined,
        "status in-sync",
      );
      const heartbeat = await eventually(
        () => wharf.heartbeats.find((h) => h.repos.some((r) => r.repoId === repoId)),
        "heartbeat",
      );
      expect(heartbeat.version).toMatch(/\d+\.\d+\.\d+/);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("prunes only after the rollout succeeded: a revision that does not roll out deletes nothing", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      rolloutTimeoutMs: 10_000,
    });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      // The config goes away and the new image never becomes ready.
      const broken = await repo.commit({
        files: { ...appManifests({ image: "registry.local/app:fail" }), "deploy/config.yaml": null },
        author: AUTHOR,
        message: "broken rollout",
      });
      wharf.notify(repoId);
      const failed = await wharf.waitForEvent((e) => e.result === "failed" && e.revision?.sha === broken);
      expect(failed.message).toMatch(/^ROLLOUT_FAILED/);
      expect(await configValue(kube.client, ns)).toBe("v1");

      const fixed = await repo.commit({
        files: { ...appManifests({ image: "nginx:1.28" }), "deploy/config.yaml": null },
        author: AUTHOR,
        message: "fixed",
      });
      wharf.notify(repoId);
      const synced = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === fixed);
      // The previous record is the failed revision's (it no longer had the config): the ApplySet label finds it.
      expect(synced.counts).toMatchObject({ pruned: 1 });
      expect(await configValue(kube.client, ns)).toBeUndefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("rejects a commit with bad YAML as a whole: failed event naming file, document and line; cluster unchanged", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      const bad = await repo.commit({
        files: {
          ...appManifests({ value: "v2" }),
          "deploy/broken.yaml":
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: [unclosed\n",
        },
        author: AUTHOR,
        message: "broken",
      });
      wharf.notify(repoId);
      const failed = await wharf.waitForEvent((e) => e.result === "failed" && e.revision?.sha === bad);
      expect(failed.problems?.[0]).toMatchObject({ file: "deploy/broken.yaml", document: 1 });
      expect(failed.problems?.[0]?.line).toBeGreaterThanOrEqual(9);
      expect(failed.message).toMatch(/deploy\/broken\.yaml: document 2, line \d+/);
      // The valid part of that commit (greeting v2) was not applied either.
      expect(await configValue(kube.client, ns)).toBe("v1");
      expect(await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "ok" })).toBeUndefined();
      await statusOnceIn(agent, repoId, "failed");
      expect(commitOfRevision(agent.status().get(repoId)?.revision ?? "")).toBe(first);

      // Retrying the same bad revision does not report it again.
      await agent.syncNow(repoId);
      expect(wharf.events.filter((e) => e.result === "failed")).toHaveLength(1);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("reports drift made by another field manager and corrects it when self-heal is on", async () => {
    const { ns, first, agentClient, wharf, repoId } = await setup({ selfHeal: true });
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      await kube.client.apply(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "web-config", namespace: ns },
          data: { greeting: "hand-edited" },
        },
        { fieldManager: "kubectl-edit", force: true },
      );
      expect(await configValue(kube.client, ns)).toBe("hand-edited");
      await agent.syncNow(repoId);
      const drift = await wharf.waitForEvent((e) => e.kind === "drift");
      expect(drift.result).toBe("drift-corrected");
      expect(drift.trigger).toBe("drift");
      expect(drift.drift?.objects).toEqual([
        {
          ref: expect.objectContaining({ kind: "ConfigMap", name: "web-config", namespace: ns }),
          fields: ["data.greeting"],
        },
      ]);
      expect(await configValue(kube.client, ns)).toBe("v1");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("without self-heal, reports drift once and leaves the change in place", async () => {
    const { ns, first, agentClient, wharf, repoId } = await setup({ selfHeal: false });
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      await kube.client.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
      await agent.syncNow(repoId);
      await agent.syncNow(repoId);
      const drift = await wharf.waitForEvent((e) => e.kind === "drift");
      expect(drift.result).toBe("drift-detected");
      expect(drift.drift?.objects[0]).toMatchObject({
        ref: { kind: "ConfigMap", name: "web-config" },
        fields: ["(object missing)"],
      });
      expect(wharf.events.filter((e) => e.kind === "drift")).toHaveLength(1);
      expect(await configValue(kube.client, ns)).toBeUndefined();
      await statusOnceIn(agent, repoId, "drifted");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("holds a commit on an approval-gated target until that revision is approved", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup({ requiresApproval: true });
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const pending = await wharf.waitForEvent((e) => e.result === "pending-approval" && e.revision?.sha === first);
      expect(pending.kind).toBe("pending-approval");
      expect(pending.diff?.counts).toMatchObject({ create: 2 });
      expect(pending.diff?.objects.map((o) => o.ref.name).sort()).toEqual(["web", "web-config"]);
      expect(await configValue(kube.client, ns)).toBeUndefined();
      await agent.syncNow(repoId);
      expect(wharf.events.filter((e) => e.result === "pending-approval")).toHaveLength(1);

      wharf.updateRepo(repoId, { approvedRevision: first });
      const synced = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      expect(synced.trigger).toBe("approval");
      expect(await configValue(kube.client, ns)).toBe("v1");

      const second = await repo.commit({ files: appManifests({ value: "v2" }), author: AUTHOR, message: "second" });
      wharf.notify(repoId);
      const pending2 = await wharf.waitForEvent((e) => e.result === "pending-approval" && e.revision?.sha === second);
      expect(pending2.diff?.objects.find((o) => o.ref.name === "web-config")?.changes).toEqual([
        expect.objectContaining({ path: "data.greeting", op: "change", old: "v1", new: "v2" }),
      ]);
      expect(await configValue(kube.client, ns)).toBe("v1");
      await statusOnceIn(agent, repoId, "pending-approval");
      wharf.updateRepo(repoId, { approvedRevision: second });
      await eventually(
        async () => ((await configValue(kube.client, ns)) === "v2" ? true : undefined),
        "approved commit applied",
      );
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("rolls back to a pinned revision and stays there while the branch moves on", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      const second = await repo.commit({ files: appManifests({ value: "v2" }), author: AUTHOR, message: "second" });
      wharf.notify(repoId);
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === second);
      wharf.updateRepo(repoId, { pinnedRevision: first });
      const rollback = await wharf.waitForEvent((e) => e.trigger === "rollback");
      expect(rollback).toMatchObject({ result: "synced", revision: { sha: first } });
      expect(await configValue(kube.client, ns)).toBe("v1");
      await repo.commit({ files: appManifests({ value: "v3" }), author: AUTHOR, message: "third" });
      wharf.notify(repoId);
      await agent.syncNow(repoId);
      expect(await configValue(kube.client, ns)).toBe("v1");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("keeps reconciling while Wharf is unreachable and delivers every event exactly once when it is back", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      await wharf.goDown();
      const shas: string[] = [];
      for (const value of ["a", "b", "c"]) {
        shas.push(await repo.commit({ files: appManifests({ value }), author: AUTHOR, message: `commit ${value}` }));
        await agent.syncNow(repoId);
        expect(await configValue(kube.client, ns)).toBe(value);
      }
      expect(agent.pendingEvents()).toBeGreaterThanOrEqual(3);
      await wharf.comeBack();
      await eventually(() => (agent.pendingEvents() === 0 ? true : undefined), "journal drained");
      const synced = wharf.events.filter((e) => e.result === "synced").map((e) => e.revision?.sha);
      expect(synced).toEqual([first, ...shas]);
      expect(new Set(wharf.events.map((e) => e.id)).size).toBe(wharf.events.length);
      expect(wharf.duplicates).toBe(0);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("drops only the events Wharf refuses for good (a repo outside its scope), delivering the rest and counting the drop", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const other = await git.createRepo(`${ns}-other.git`);
    await other.commit({
      files: { "deploy/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other }\ndata: { a: b }\n" },
      author: AUTHOR,
    });
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
      await wharf.goDown();
      wharf.forbidRepo("repo-moved");
      wharf.setTargets([
        targetAssignment({
          targetId: `target-${ns}`,
          defaultNamespace: ns,
          repos: [
            repoAssignment({ repoId, url: repo.url, path: "deploy", pollIntervalSeconds: 3600 }),
            repoAssignment({
              repoId: "repo-moved",
              url: other.url,
              path: "deploy",
              pollIntervalSeconds: 3600,
              prune: false,
            }),
          ],
        }),
      ]);
      await wharf.comeBack();
      await eventually(
        async () =>
          (await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "other" }))
            ? true
            : undefined,
        "second repo applied",
      );
      const second = await repo.commit({ files: appManifests({ value: "v2" }), author: AUTHOR, message: "second" });
      await agent.syncNow(repoId);
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === second);
      await eventually(
        () => (agent.pendingEvents() === 0 && wharf.dropped === 1 ? true : undefined),
        "refused event dropped and reported",
      );
      expect(wharf.events.some((e) => e.repoId === "repo-moved")).toBe(false);
      expect(agent.logs.some((l) => l.includes("Wharf refused event"))).toBe(true);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("resumes its last assignments from the state directory when Wharf is down at start-up", async () => {
    const { ns, repo, first, agentClient, wharf, repoId } = await setup();
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first);
    await agent.stop();
    await wharf.goDown();
    const second = await repo.commit({ files: appManifests({ value: "offline" }), author: AUTHOR, message: "offline" });
    const restarted = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      stateDir: agent.stateDir,
    });
    try {
      await eventually(() => (restarted.status().has(repoId) ? true : undefined), "persisted assignment loaded");
      await restarted.syncNow(repoId);
      expect(await configValue(kube.client, ns)).toBe("offline");
      await wharf.comeBack();
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === second);
    } finally {
      await restarted.stop();
      await wharf.stop();
    }
  });
});
