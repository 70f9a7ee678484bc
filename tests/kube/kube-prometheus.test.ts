import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyManifests,
  applySetFor,
  applySetId,
  APPLYSET_PART_OF_LABEL,
  readApplySetParent,
  refOf,
  type KubeObject,
  type ObjectRef,
} from "@/lib/kube";
import { parseRendered } from "@/lib/render";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { kubePrometheusLike } from "@/tests/support/render-fixtures";
import { AUTHOR, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

// Issue 14: kube-prometheus's manifests (4 MB, mostly CRDs, and custom resources that the API server accepts only once
// those CRDs are Established) deploy as ONE application, in push (lib/kube's apply with an ApplySet, as the executor
// applies) and in pull (the agent), on both legs. The fixture is generated (no network): tests/support/render-fixtures.ts.

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;
const cleanup: ObjectRef[] = [];

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 100 }), startGitServer()]);
});
afterAll(async () => {
  // On the shared real control plane: the CRDs (their custom resources go with them), cluster roles and namespaces.
  if (kube?.cluster.kind === "real")
    for (const ref of cleanup.reverse()) await kube.client.delete(ref).catch(() => undefined);
  await Promise.all([kube?.stop(), git?.stop()]);
});

/** A fresh copy of the set: its namespace, CRD group and cluster-wide names unique to this run. */
function freshSet(prefix: string) {
  const ns = uniqueName(prefix);
  const files = kubePrometheusLike({ namespace: ns, group: `${ns}.monitoring.example.com`, prefix: `${ns}-` });
  const manifests = parseRendered(Object.entries(files).map(([path, content]) => ({ path, content })));
  const objects = manifests.map((m) => m.object);
  for (const obj of objects) if (!obj.metadata.namespace) cleanup.push(refOf(obj));
  return { ns, files, objects };
}

const isCrd = (ref: { kind: string }) => ref.kind === "CustomResourceDefinition";
const CUSTOM_KINDS = new Set(["Prometheus", "Alertmanager", "ServiceMonitor", "PodMonitor", "Probe", "PrometheusRule"]);

describe("a kube-prometheus-like set deploys as one application", () => {
  it(
    "applies CRDs, waits until they are Established, then their custom resources; applying it again changes nothing",
    { timeout: 300_000 },
    async () => {
      const { ns, files, objects } = freshSet("kp-push");
      const bytes = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
      expect(bytes).toBeGreaterThan(4 * 1000 * 1000);
      expect(objects.filter(isCrd)).toHaveLength(10);
      expect(objects.length).toBeGreaterThan(80);
      const applySet = applySetFor(`app-${ns}`, ns, { application: "kube-prometheus" });

      const first = await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet });
      const failed = first.results.filter((r) => r.action !== "created");
      expect(failed.map((r) => `${r.ref.kind}/${r.ref.name}: ${r.action} ${r.message ?? ""}`)).toEqual([]);
      expect(first.counts.created).toBe(objects.length);

      // Results are in apply order: every CRD before the first custom resource of its kinds.
      const kinds = first.results.map((r) => r.ref.kind);
      expect(kinds.lastIndexOf("CustomResourceDefinition")).toBeLessThan(
        kinds.findIndex((kind) => CUSTOM_KINDS.has(kind)),
      );
      for (const crd of first.results.filter((r) => isCrd(r.ref))) {
        const live = await kube.client.get(crd.ref);
        const conditions = (live?.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
        expect(conditions).toContainEqual(expect.objectContaining({ type: "Established", status: "True" }));
      }
      const prometheus = await kube.client.get({
        apiVersion: `${ns}.monitoring.example.com/v1`,
        kind: "Prometheus",
        namespace: ns,
        name: "k8s",
      });
      expect(prometheus?.spec).toMatchObject({ replicas: 2, serviceAccountName: "prometheus-k8s" });
      const rules = await kube.client.list(`${ns}.monitoring.example.com/v1`, "PrometheusRule", { namespace: ns });
      expect(rules).toHaveLength(7);

      // One application: every object is part of its ApplySet, whose parent lists the new kinds too.
      const id = applySetId(applySet);
      for (const ref of [
        {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name: `prometheuses.${ns}.monitoring.example.com`,
        },
        { apiVersion: `${ns}.monitoring.example.com/v1`, kind: "ServiceMonitor", namespace: ns, name: "grafana" },
        { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "grafana-dashboard-3" },
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: `${ns}-node-exporter` },
      ])
        expect((await kube.client.get(ref))?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(id);
      const parent = await readApplySetParent(kube.client, applySet);
      expect(parent.groupKinds).toEqual(
        expect.arrayContaining([
          "CustomResourceDefinition.apiextensions.k8s.io",
          `Prometheus.${ns}.monitoring.example.com`,
          `PrometheusRule.${ns}.monitoring.example.com`,
          "DaemonSet.apps",
        ]),
      );

      // The same set again: a no-op.
      const second = await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet });
      expect(second.ok).toBe(true);
      expect(
        second.results.filter((r) => r.action !== "unchanged").map((r) => `${r.ref.kind}/${r.ref.name}: ${r.action}`),
      ).toEqual([]);
      expect(second.counts.unchanged).toBe(objects.length);
    },
  );

  it("is synced by the pull agent from a repository folder, as one application", { timeout: 300_000 }, async () => {
    const { ns, files, objects } = freshSet("kp-pull");
    const repo = await git.createRepo(`${ns}.git`);
    const sha = await repo.commit({ author: AUTHOR, files });
    const wharf = await startFakeWharf();
    const repoId = `kube-prometheus-${ns}`;
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${ns}`,
        defaultNamespace: ns,
        // CRDs and cluster roles: cluster-scoped objects are part of this application.
        allowClusterScoped: true,
        repos: [repoAssignment({ repoId, url: repo.url, path: "manifests" })],
      }),
    ]);
    // Cluster-wide objects need a cluster-wide credential (deploy/agent's least-privilege one is per namespace).
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: kube.client });
    try {
      const synced = await wharf.waitForEvent(
        (e) => e.repoId === repoId && (e.result === "synced" || e.result === "failed"),
        240_000,
      );
      expect(synced.message ?? "").not.toMatch(/failed/);
      expect(synced).toMatchObject({ result: "synced", revision: { sha } });
      expect(synced.counts).toMatchObject({ created: objects.length, pruned: 0 });
      const probe = await kube.client.get({
        apiVersion: `${ns}.monitoring.example.com/v1`,
        kind: "Probe",
        namespace: ns,
        name: "blackbox-example",
      });
      expect(probe?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toMatch(/^applyset-/);
      const live: KubeObject | undefined = await kube.client.get({
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        namespace: ns,
        name: "node-exporter",
      });
      expect(live?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(probe?.metadata.labels?.[APPLYSET_PART_OF_LABEL]);
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
