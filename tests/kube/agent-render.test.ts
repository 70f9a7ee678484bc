import { HttpMethod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specOf } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { HELM_BROKEN, HELM_CHART, KUSTOMIZE_OVERLAY } from "@/tests/support/render-fixtures";
import { agentClusterAccess, AUTHOR, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

// The pull agent renders charts and kustomizations with lib/render (the helm and kustomize `npm run cluster:build`
// builds), the same renderer as the dashboard's push sources.

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

describe("pull agent renders Helm charts and kustomizations", () => {
  it("syncs a chart into the target's namespace with the cluster's version, and a kustomize overlay", async () => {
    const ns = uniqueName("render");
    const repo = await git.createRepo(`${ns}.git`);
    const sha = await repo.commit({ author: AUTHOR, files: { ...HELM_CHART, ...KUSTOMIZE_OVERLAY, ...HELM_BROKEN } });
    const client = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${ns}`,
        defaultNamespace: ns,
        repos: [
          repoAssignment({ repoId: `chart-${ns}`, url: repo.url, path: "charts/web" }),
          repoAssignment({ repoId: `overlay-${ns}`, url: repo.url, path: "overlays/prod" }),
          repoAssignment({ repoId: `broken-${ns}`, url: repo.url, path: "broken" }),
        ],
      }),
    ]);
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: client });
    try {
      for (const repoId of [`chart-${ns}`, `overlay-${ns}`])
        await wharf.waitForEvent((e) => e.repoId === repoId && e.result === "synced" && e.revision?.sha === sha);
      const chart = await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
      expect(chart?.metadata.labels).toMatchObject({ "app.kubernetes.io/instance": "web" });
      expect(chart?.data).toMatchObject({ greeting: "hello", color: "blue" });
      // `.Capabilities.KubeVersion` is the cluster's, from its discovery, not helm's built-in default.
      const version = (await kube.client.request<{ gitVersion: string }>(HttpMethod.GET, "/version")).body.gitVersion;
      if (/^v\d+\.\d+\.\d+/.test(version)) expect((chart?.data as Record<string, string>).kubeVersion).toBe(version);
      const overlay = await kube.client.get({
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: ns,
        name: "prod-settings",
      });
      expect(overlay?.metadata.labels).toMatchObject({ env: "prod" });

      const failed = await wharf.waitForEvent((e) => e.repoId === `broken-${ns}` && e.result === "failed");
      expect(failed.message).toMatch(
        /^HELM_FAILED: helm could not render broken\/Chart\.yaml: .*broken\/templates\/broken\.yaml:3/,
      );
      expect(failed.message).not.toContain("[object Object]");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("renders with the application's render options: a chart's release, values file and inline values, re-rendered when the values change; a kustomize overlay on ../base", async () => {
    const ns = uniqueName("render-opts");
    const repo = await git.createRepo(`${ns}.git`);
    const sha = await repo.commit({
      author: AUTHOR,
      files: {
        ...HELM_CHART,
        "apps/base/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "apps/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: base\n",
        "apps/dev/kustomization.yaml": "resources:\n  - ../base\nnamePrefix: dev-\n",
      },
    });
    const client = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    const chartId = `chart-${ns}`;
    const chart = repoAssignment({
      repoId: chartId,
      url: repo.url,
      path: "charts/web",
      render: {
        kind: "helm",
        helm: { releaseName: "shop", valuesFiles: ["values-prod.yaml"], values: { color: "green" } },
      },
    });
    const overlay = repoAssignment({
      repoId: `overlay-${ns}`,
      url: repo.url,
      path: "apps/dev",
      render: { kind: "kustomize" },
    });
    wharf.setTargets([targetAssignment({ targetId: `target-${ns}`, defaultNamespace: ns, repos: [chart, overlay] })]);
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: client });
    const config = async () =>
      (await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "shop-config" }))?.data;
    try {
      const first = await wharf.waitForEvent((e) => e.repoId === chartId && e.result === "synced");
      // The revision names the render options: the digest of the spec that carries them.
      expect(first.revision?.id).toBe(`${sha}@${specDigestOf(specOf(chart))}`);
      // The release name given, the values file over values.yaml, the inline values over both.
      expect(await config()).toMatchObject({ greeting: "hello from prod", color: "green" });
      // The overlay is its own repository, synced on its own: its object is there once its sync is reported.
      await wharf.waitForEvent((e) => e.repoId === `overlay-${ns}` && e.result === "synced");
      const settings = await kube.client.get({
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: ns,
        name: "dev-settings",
      });
      expect(settings?.data).toEqual({ mode: "base" });

      // The inline values change, the commit does not: a new revision (same commit, another digest) re-renders.
      const render = { kind: "helm" as const, helm: { ...chart.render!.helm!, values: { color: "red" } } };
      wharf.updateRepo(chartId, { render });
      const second = await wharf.waitForEvent(
        (e) => e.repoId === chartId && e.result === "synced" && e.revision?.id !== first.revision?.id,
      );
      expect(second.revision?.sha).toBe(sha);
      expect(second.revision?.id).toBe(`${sha}@${specDigestOf(specOf({ ...chart, render }))}`);
      expect(second.counts).toMatchObject({ changed: 1 });
      expect(await config()).toMatchObject({ greeting: "hello from prod", color: "red" });
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
