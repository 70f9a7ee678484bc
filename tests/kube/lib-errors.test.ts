import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyManifests,
  createKubeClient,
  diffManifests,
  KubeError,
  kubeConfigFor,
  refOf,
  type KubeObject,
} from "@/lib/kube";
import { testClusterKind } from "../support/cluster";
import { clientFor, configMap, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

/** A ServiceAccount in `home` allowed to do anything there and nothing elsewhere. */
async function scopedToken(home: string): Promise<string> {
  const rbac: KubeObject[] = [
    namespace(home),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "deployer", namespace: home } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "deployer", namespace: home },
      rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
    } as KubeObject,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "deployer", namespace: home },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: home }],
    } as KubeObject,
  ];
  const report = await applyManifests(kube.client, rbac, { fieldManager: "test-setup" });
  expect(report.ok).toBe(true);
  const token = await kube.cluster.mintToken({ serviceAccount: { namespace: home, name: "deployer" } });
  // A real API server authorizes from an informer cache: a RoleBinding just written can be unseen for a moment
  // (CI saw the allowed create fail). Wait until the token may read in `home` before a test relies on it.
  const probe = clientFor(kube.cluster, token, { clusterName: "probe" });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await probe.get({ apiVersion: "v1", kind: "ConfigMap", namespace: home, name: "rbac-probe" });
        break;
      } catch (e) {
        if (!(e instanceof KubeError && e.code === 403) || attempt >= 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await probe.close();
  }
  return token;
}

describe("errors", () => {
  it("a 403 from a namespace-scoped token becomes a KubeError with the server's Status message", async () => {
    const home = uniqueName("home");
    const elsewhere = uniqueName("elsewhere");
    await applyManifests(kube.client, [namespace(elsewhere)], { fieldManager: "test-setup" });
    const client = clientFor(kube.cluster, await scopedToken(home), { clusterName: "staging" });
    try {
      const report = await applyManifests(client, [configMap(home, "allowed"), configMap(elsewhere, "denied")], {
        fieldManager: "wharf",
      });
      const byName = Object.fromEntries(report.results.map((r) => [r.ref.name, r]));
      expect(byName.allowed?.action).toBe("created");
      expect(byName.denied?.action).toBe("failed");
      const error = byName.denied?.error;
      expect(error).toBeInstanceOf(KubeError);
      expect(error).toMatchObject({
        code: 403,
        reason: "Forbidden",
        cluster: "staging",
        namespace: elsewhere,
        retryable: false,
      });
      expect(error?.object).toEqual({ apiVersion: "v1", kind: "ConfigMap", namespace: elsewhere, name: "denied" });
      expect(error?.serverMessage).toContain('configmaps "denied" is forbidden');
      expect(error?.serverMessage).toContain(`system:serviceaccount:${home}:deployer`);
      expect(byName.denied?.message).toBe(error?.serverMessage);
      expect(await kube.client.get(refOf(configMap(elsewhere, "denied")))).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it("a bad token is a 401 KubeError", async () => {
    const client = clientFor(kube.cluster, "not-a-token");
    try {
      await expect(client.get(refOf(configMap("default", "x")))).rejects.toMatchObject({
        name: "KubeError",
        code: 401,
        retryable: false,
      });
      // A preview says so plainly: one error, not one per object.
      await expect(diffManifests(client, [configMap("default", "x")], { fieldManager: "wharf" })).rejects.toMatchObject(
        { code: 401, reason: "Unauthorized" },
      );
    } finally {
      await client.close();
    }
  });

  it("an unreachable cluster is a retryable connection KubeError", async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const client = createKubeClient(
      kubeConfigFor({ name: "gone", server: `https://127.0.0.1:${port}`, caPem: kube.cluster.caPem, token: "x" }),
      { retry: { attempts: 2, baseDelayMs: 10 } },
    );
    const error = await client.get(refOf(configMap("default", "x"))).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ code: 0, reason: "ECONNREFUSED", retryable: true, cluster: "gone" });
    // Apply stops at once with that error instead of failing each object.
    const before = client.stats.requests;
    await expect(
      applyManifests(client, [namespace("x"), configMap("x", "a"), configMap("x", "b")], { fieldManager: "wharf" }),
    ).rejects.toMatchObject({
      name: "KubeError",
      reason: "ECONNREFUSED",
    });
    expect(client.stats.requests - before).toBeLessThanOrEqual(2 * 2);
    await client.close();
  });
});

describe("retries", () => {
  // Sandbox only: it answers every Nth request with 429 on demand; a real API server throttles only under real load.
  it.runIf(testClusterKind() === "sandbox")("retries 429 responses and still applies everything", async () => {
    const throttled = await startKube({ throttle: { everyNth: 4 } });
    const retries: number[] = [];
    const client = clientFor(throttled.cluster, throttled.cluster.adminToken, {
      retry: {
        onRetry: ({ error }) => retries.push(error instanceof KubeError ? error.code : -1),
        maxRetryAfterMs: 200,
      },
    });
    try {
      const ns = uniqueName("throttle");
      const objects = [namespace(ns), ...Array.from({ length: 20 }, (_, i) => configMap(ns, `c${i}`))];
      const report = await applyManifests(client, objects, { fieldManager: "wharf" });
      expect(report.results.filter((r) => r.action !== "created")).toEqual([]);
      expect(retries.length).toBeGreaterThan(0);
      expect(new Set(retries)).toEqual(new Set([429]));
    } finally {
      await client.close();
      await throttled.stop();
    }
  });
});
