import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureCertificates } from "@/lib/kube/sandbox/certs";
import { createKubeClient, kubeConfigFor, kubeConfigFromFile, KubeError } from "@/lib/kube";
import { clientFor, configMap, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

const defaultNs = { apiVersion: "v1", kind: "Namespace", name: "default" };

describe("connections", () => {
  it("connects from an in-memory connection (CA + token), nothing written to disk", async () => {
    const kc = kubeConfigFor({
      name: "prod-eu",
      server: kube.cluster.url,
      caPem: kube.cluster.caPem,
      token: kube.cluster.adminToken,
      namespace: "team-a",
    });
    expect(kc.getCurrentCluster()).toMatchObject({ name: "prod-eu", server: kube.cluster.url });
    const client = createKubeClient(kc);
    try {
      expect(client.cluster).toBe("prod-eu");
      expect(client.defaultNamespace).toBe("team-a");
      expect((await client.get(defaultNs))?.metadata.name).toBe("default");
    } finally {
      await client.close();
    }
  });

  it("once its pool exists, a request builds and throws away no dispatcher of its own", async () => {
    const kc = kubeConfigFor({
      name: "pooled",
      server: kube.cluster.url,
      caPem: kube.cluster.caPem,
      token: kube.cluster.adminToken,
    });
    const client = createKubeClient(kc);
    try {
      expect((await client.get(defaultNs))?.metadata.name).toBe("default");
      const pooled = kc.pooledDispatcher();
      expect(pooled).toBeDefined();
      // client-node's per-request agent is closed unused as soon as the pool replaces it: no close, none was built.
      const closed = vi.spyOn(Object.getPrototypeOf(pooled) as { close(): Promise<void> }, "close");
      try {
        for (let i = 0; i < 5; i++) expect((await client.get(defaultNs))?.metadata.name).toBe("default");
        expect(closed).not.toHaveBeenCalled();
        expect(kc.pooledDispatcher()).toBe(pooled);
      } finally {
        closed.mockRestore();
      }
    } finally {
      await client.close();
    }
  });

  it("closing a client ends its open watches instead of waiting them out", async () => {
    const ns = uniqueName("close-watch");
    await kube.client.apply(namespace(ns), { fieldManager: "test" });
    const client = clientFor(kube.cluster, kube.cluster.adminToken);
    const listed = await client.listPage("v1", "ConfigMap", { namespace: ns });
    let seen!: () => void;
    const added = new Promise<void>((resolve) => (seen = resolve));
    // Ten minutes: what the server would hold it open for; a close that waited for it would time the test out.
    const watching = client.watch(
      "v1",
      "ConfigMap",
      { namespace: ns, resourceVersion: listed.resourceVersion!, timeoutSeconds: 600 },
      (event) => {
        if (event.type === "ADDED" && event.object.metadata.name === "probe") seen();
      },
    );
    const settled = watching.then(
      () => "ended",
      (err: unknown) => err,
    );
    await kube.client.apply(configMap(ns, "probe"), { fieldManager: "test" });
    await added; // the watch is open and streaming
    await client.close();
    expect(await settled).toBeInstanceOf(KubeError);
    // Still usable: the next request reconnects.
    expect((await client.get(defaultNs))?.metadata.name).toBe("default");
    await client.close();
  }, 30_000);

  it("refuses a server certificate signed by another CA", async () => {
    // A CA of its own (not a second cluster's: on the real leg every file shares one control plane and its CA).
    const other = await ensureCertificates(await mkdtemp(path.join(os.tmpdir(), "wharf-other-ca-")));
    const client = createKubeClient(
      kubeConfigFor({ name: "wrong-ca", server: kube.cluster.url, caPem: other.caPem, token: kube.cluster.adminToken }),
      { retry: { attempts: 3, baseDelayMs: 1 } },
    );
    try {
      const error = await client.get(defaultNs).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(KubeError);
      expect(error).toMatchObject({ code: 0, retryable: false, cluster: "wrong-ca" });
      expect((error as KubeError).reason).toMatch(/CERT|SIGNATURE|VERIFY/);
    } finally {
      await client.close();
    }
  });

  it("loads a kubeconfig file for the agent, with an optional context", async () => {
    const client = createKubeClient(kubeConfigFromFile(kube.cluster.kubeconfigPath));
    try {
      expect((await client.get(defaultNs))?.metadata.name).toBe("default");
    } finally {
      await client.close();
    }
    expect(() => kubeConfigFromFile(kube.cluster.kubeconfigPath, "no-such-context")).toThrow(
      /context "no-such-context" not found/,
    );
  });

  it("rejects plain http unless TLS verification is explicitly off", () => {
    expect(() => kubeConfigFor({ name: "x", server: "http://127.0.0.1:8080", token: "t" })).toThrow(/must use https/);
    expect(() => kubeConfigFor({ name: "x", server: "not a url" })).toThrow(/invalid server URL/);
    expect(() => kubeConfigFor({ name: "x", server: "https://127.0.0.1:6443", clientCertPem: "cert" })).toThrow(
      /both a client certificate and its key/,
    );
  });
});
