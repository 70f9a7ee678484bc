import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer, type TestRepo } from "@/tests/support/git-server";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { APPLYSET_PART_OF_LABEL, applySetFor, applySetId, type KubeClient } from "@/lib/kube";
import { agentClusterAccess, appManifests, AUTHOR, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

// Issue 14, Must 2 in pull mode, on both cluster legs (kube: the sandbox, kube-real: a real control plane): two
// applications (repositories) synced by one agent to one target and namespace are two ApplySets that never prune each
// other, and an object of one is refused to the other with an error naming its owner.

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

const configMapFile = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: "${name}"\n`;

const live = (client: KubeClient, ns: string, name: string) =>
  client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name });

/** Two repositories (guestbook-like and podinfo-like), each its own application, on one target and namespace. */
async function setup() {
  const ns = uniqueName("pull-apps");
  const repos: Record<"guestbook" | "podinfo", TestRepo> = {
    guestbook: await git.createRepo(`${ns}-guestbook.git`),
    podinfo: await git.createRepo(`${ns}-podinfo.git`),
  };
  const first = {
    guestbook: await repos.guestbook.commit({
      files: {
        ...appManifests({ name: "guestbook", replicas: 1 }),
        "deploy/redis.yaml": configMapFile("guestbook-redis"),
      },
      author: AUTHOR,
      message: "guestbook",
    }),
    podinfo: await repos.podinfo.commit({
      files: { ...appManifests({ name: "podinfo", replicas: 1 }), "deploy/extra.yaml": configMapFile("podinfo-extra") },
      author: AUTHOR,
      message: "podinfo",
    }),
  };
  const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
  const wharf = await startFakeWharf();
  // Applications made after the upgrade: each repository's ApplySet is keyed by its application's id.
  const ids = {
    guestbook: { repoId: `repo-${ns}-guestbook`, inventoryKey: `app-${ns}-guestbook` },
    podinfo: { repoId: `repo-${ns}-podinfo`, inventoryKey: `app-${ns}-podinfo` },
  };
  wharf.setTargets([
    targetAssignment({
      targetId: `target-${ns}`,
      defaultNamespace: ns,
      repos: (["guestbook", "podinfo"] as const).map((app) =>
        repoAssignment({ ...ids[app], url: repos[app].url, path: "deploy", pollIntervalSeconds: 3600 }),
      ),
    }),
  ]);
  const sets = {
    guestbook: applySetId(applySetFor(ids.guestbook.inventoryKey, ns)),
    podinfo: applySetId(applySetFor(ids.podinfo.inventoryKey, ns)),
  };
  return { ns, repos, first, agentClient, wharf, ids, sets };
}

describe("pull agent: two applications on one target and namespace", () => {
  it("never prune each other: a commit of one prunes only what it dropped, after its rollout", async () => {
    const { ns, repos, first, agentClient, wharf, ids, sets } = await setup();
    // A real control plane reports a pod that never becomes ready only at the rollout timeout.
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      rolloutTimeoutMs: 10_000,
    });
    try {
      for (const app of ["guestbook", "podinfo"] as const) {
        const synced = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first[app]);
        expect(synced.repoId).toBe(ids[app].repoId);
        // Whichever synced second pruned nothing of the first.
        expect(synced.counts).toMatchObject({ created: 3, pruned: 0 });
      }
      expect((await live(kube.client, ns, "guestbook-redis"))?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(
        sets.guestbook,
      );
      expect((await live(kube.client, ns, "podinfo-extra"))?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(
        sets.podinfo,
      );
      const podinfoBefore = await Promise.all(
        ["podinfo-config", "podinfo-extra"].map(
          async (n) => (await live(kube.client, ns, n))?.metadata.resourceVersion,
        ),
      );

      // guestbook drops its redis ConfigMap and rolls a new image out.
      const second = await repos.guestbook.commit({
        files: { ...appManifests({ name: "guestbook", replicas: 1, image: "nginx:1.28" }), "deploy/redis.yaml": null },
        author: AUTHOR,
        message: "drop redis",
      });
      wharf.notify(ids.guestbook.repoId);
      const synced = await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === second);
      expect(synced.counts).toMatchObject({ pruned: 1 });
      expect(await live(kube.client, ns, "guestbook-redis")).toBeUndefined();
      expect(await live(kube.client, ns, "guestbook-config")).toBeDefined();
      const podinfoAfter = await Promise.all(
        ["podinfo-config", "podinfo-extra"].map(
          async (n) => (await live(kube.client, ns, n))?.metadata.resourceVersion,
        ),
      );
      expect(podinfoAfter).toEqual(podinfoBefore);
      const podinfoDeployment = await kube.client.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: ns,
        name: "podinfo",
      });
      expect(podinfoDeployment?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(sets.podinfo);

      // A failing rollout of guestbook that also drops its config prunes nothing, of either application.
      const broken = await repos.guestbook.commit({
        files: {
          ...appManifests({ name: "guestbook", replicas: 1, image: "registry.local/app:fail" }),
          "deploy/config.yaml": null,
        },
        author: AUTHOR,
        message: "broken",
      });
      wharf.notify(ids.guestbook.repoId);
      const failed = await wharf.waitForEvent((e) => e.result === "failed" && e.revision?.sha === broken, 60_000);
      expect(failed.message).toMatch(/^ROLLOUT_FAILED/);
      expect(await live(kube.client, ns, "guestbook-config")).toBeDefined();
      for (const n of ["podinfo-config", "podinfo-extra"]) expect(await live(kube.client, ns, n), n).toBeDefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("refuses an object of the other application, naming it, and applies nothing of that revision", async () => {
    const { ns, repos, first, agentClient, wharf, ids, sets } = await setup();
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      for (const app of ["guestbook", "podinfo"] as const)
        await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first[app]);

      // podinfo's next commit also declares guestbook's ConfigMap (a copy-paste), next to a new object of its own.
      const taking = await repos.podinfo.commit({
        files: {
          "deploy/stolen.yaml": configMapFile("guestbook-redis"),
          "deploy/new.yaml": configMapFile("podinfo-new"),
        },
        author: AUTHOR,
        message: "take guestbook's config",
      });
      wharf.notify(ids.podinfo.repoId);
      const failed = await wharf.waitForEvent((e) => e.result === "failed" && e.revision?.sha === taking);
      expect(failed.message).toMatch(/^APPLY_FAILED/);
      expect(failed.message).toContain("ConfigMap guestbook-redis");
      // The owner is named: the other application's repository and path, and its ApplySet parent.
      expect(failed.message).toContain(`already belongs to application ${repos.guestbook.url} (deploy)`);
      expect(failed.message).toContain(applySetFor(ids.guestbook.inventoryKey, ns).name);

      const redis = await live(kube.client, ns, "guestbook-redis");
      expect(redis?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(sets.guestbook);
      expect((redis?.data as Record<string, string>).greeting).toBe("guestbook-redis");
      expect((redis?.metadata.managedFields as { manager?: string }[]).some((m) => m.manager === "wharf-agent")).toBe(
        true,
      );
      expect(await live(kube.client, ns, "podinfo-new")).toBeUndefined();
      // Nothing of podinfo was pruned either: the refused revision never got as far as a prune.
      expect(await live(kube.client, ns, "podinfo-extra")).toBeDefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
