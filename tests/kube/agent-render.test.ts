import { HttpMethod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
