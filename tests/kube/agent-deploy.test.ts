import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyManifests, parseManifestFiles, selfSubjectAccessReview, type KubeObject } from "@/lib/kube";
import { kubectlRunner } from "@/tests/support/sandbox";
import { clientFor, startKube } from "./lib-support";

const root = path.resolve(import.meta.dirname, "../..");
let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube({ rolloutDelayMs: 200 });
});
afterAll(async () => {
  await kube?.stop();
});

function manifestsIn(dir: string, only?: string[]): KubeObject[] {
  const files = fs
    .readdirSync(path.join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml" && (!only || only.includes(f)))
    .map((f) => ({ path: `${dir}/${f}`, content: fs.readFileSync(path.join(root, dir, f), "utf8") }));
  return parseManifestFiles(files).map((m) => m.object);
}

const namespaces = ["wharf-agent", "wharf", "apps"].map((name): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name },
}));

describe("deploy/ manifests", () => {
  it("are accepted by the API server (lib/kube server-side dry run), every object validated", async () => {
    await applyManifests(kube.client, namespaces, { fieldManager: "test-setup" });
    for (const dir of ["deploy/agent", "deploy/dashboard"]) {
      const objects = manifestsIn(dir);
      expect(objects.length).toBeGreaterThan(3);
      const report = await applyManifests(kube.client, objects, { fieldManager: "test", dryRun: true });
      expect(report.results.filter((r) => r.action === "failed")).toEqual([]);
      expect(report.results.filter((r) => r.message?.startsWith("not validated"))).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });

  it("are accepted by kubectl apply --dry-run=server, including the kustomization", async () => {
    await applyManifests(kube.client, namespaces, { fieldManager: "test-setup" });
    const kubectl = await kubectlRunner(kube.cluster);
    for (const args of [
      ["apply", "--dry-run=server", "-k", path.join(root, "deploy/agent")],
      [
        "apply",
        "--dry-run=server",
        "-f",
        path.join(root, "deploy/agent/rbac-cluster-wide.yaml"),
        "-f",
        path.join(root, "deploy/agent/secrets.example.yaml"),
      ],
      ["apply", "--dry-run=server", "-f", path.join(root, "deploy/dashboard")],
    ]) {
      const result = await kubectl(args);
      expect(result.stderr).not.toMatch(/error|invalid|unknown field/i);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\(server dry run\)/);
    }
  });

  it("give the agent least privilege: its target namespace and its own Secret, nothing else", async () => {
    const objects = [...namespaces, ...manifestsIn("deploy/agent", ["service-account.yaml", "rbac-namespaced.yaml"])];
    const report = await applyManifests(kube.client, objects, { fieldManager: "test-setup" });
    expect(report.ok).toBe(true);
    const agent = clientFor(
      kube.cluster,
      await kube.cluster.mintToken({ serviceAccount: { namespace: "wharf-agent", name: "wharf-agent" } }),
    );
    const can = async (check: Parameters<typeof selfSubjectAccessReview>[1]) =>
      (await selfSubjectAccessReview(agent, check)).allowed;
    try {
      expect(await can({ verb: "patch", resource: "deployments", group: "apps", namespace: "apps" })).toBe(true);
      expect(await can({ verb: "delete", resource: "configmaps", namespace: "apps" })).toBe(true);
      expect(await can({ verb: "list", resource: "services", namespace: "apps" })).toBe(true);
      // Events are read for the live state, never written.
      expect(await can({ verb: "list", resource: "events", namespace: "apps" })).toBe(true);
      expect(await can({ verb: "create", resource: "events", namespace: "apps" })).toBe(false);
      expect(
        await can({ verb: "patch", resource: "secrets", namespace: "wharf-agent", name: "wharf-agent-credential" }),
      ).toBe(true);

      expect(await can({ verb: "patch", resource: "deployments", group: "apps", namespace: "default" })).toBe(false);
      expect(await can({ verb: "get", resource: "secrets", namespace: "wharf-agent", name: "wharf-agent-git" })).toBe(
        false,
      );
      expect(
        await can({ verb: "create", resource: "rolebindings", group: "rbac.authorization.k8s.io", namespace: "apps" }),
      ).toBe(false);
      expect(await can({ verb: "create", resource: "namespaces" })).toBe(false);
      expect(await can({ verb: "create", resource: "clusterroles", group: "rbac.authorization.k8s.io" })).toBe(false);
    } finally {
      await agent.close();
    }
  });
});
