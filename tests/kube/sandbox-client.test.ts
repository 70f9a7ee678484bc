import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiException, CoreV1Api, KubernetesObjectApi, PatchStrategy, Watch } from "@kubernetes/client-node";
import type { KubernetesObject } from "@kubernetes/client-node";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { sandboxInternals } from "@/lib/kube/sandbox/server";
import { kubeConfigFor, rawRequest } from "@/tests/support/sandbox";

let sandbox: Sandbox;
let objects: KubernetesObjectApi;
let core: CoreV1Api;

function deployment(name: string, image: string, replicas: number): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "apps" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image, env: [{ name: "MODE", value: "a" }] }] },
      },
    },
  };
}

async function expectStatus(p: Promise<unknown>, code: number): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiException);
    const err = e as ApiException<string>;
    expect(err.code).toBe(code);
    return (typeof err.body === "string" && err.body ? JSON.parse(err.body) : (err.body ?? {})) as Record<
      string,
      unknown
    >;
  }
  throw new Error(`expected HTTP ${code}`);
}

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 200 });
  objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(sandbox));
  core = kubeConfigFor(sandbox).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "apps" } } });
});

afterAll(async () => {
  await sandbox?.stop();
});

describe("@kubernetes/client-node against the sandbox", () => {
  it("server-side apply creates, updates, and leaves an unchanged object untouched", async () => {
    const created = await objects.patch(
      deployment("api", "nginx:1.27", 2),
      undefined,
      undefined,
      "wharf",
      false,
      PatchStrategy.ServerSideApply,
    );
    const rv1 = created.metadata?.resourceVersion;
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.generation).toBe(1);

    expect(rv1).toBeTruthy();
    const cm: KubernetesObject & { data: Record<string, string> } = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "apps", labels: { tier: "web" } },
      data: { mode: "a" },
    };
    const cm1 = await objects.patch(cm, undefined, undefined, "wharf", false, PatchStrategy.ServerSideApply);
    const cm2 = await objects.patch(cm, undefined, undefined, "wharf", false, PatchStrategy.ServerSideApply);
    expect(cm2.metadata?.resourceVersion).toBe(cm1.metadata?.resourceVersion);
    expect(cm2.metadata?.managedFields).toEqual(cm1.metadata?.managedFields);

    const updated = (await objects.patch(
      deployment("api", "nginx:1.28", 2),
      undefined,
      undefined,
      "wharf",
      false,
      PatchStrategy.ServerSideApply,
    )) as unknown as KubernetesObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(rv1));
    expect(updated.metadata?.generation).toBe(2);
    expect(updated.spec.template.spec.containers[0]?.image).toBe("nginx:1.28");

    // Dropping a field this manager alone owned removes it from the object.
    const withoutEnv = deployment("api", "nginx:1.28", 2);
    (
      withoutEnv.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }
    ).template.spec.containers = [{ name: "main", image: "nginx:1.28" }];
    const pruned = (await objects.patch(
      withoutEnv,
      undefined,
      undefined,
      "wharf",
      false,
      PatchStrategy.ServerSideApply,
    )) as unknown as KubernetesObject & { spec: { template: { spec: { containers: Array<{ env?: unknown }> } } } };
    expect(pruned.spec.template.spec.containers[0]?.env).toBeUndefined();
  });

  it("reports a conflict with another manager (409) and takes ownership with force", async () => {
    const other = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "apps" },
      spec: { replicas: 5 },
    };
    const status = await expectStatus(
      objects.patch(other, undefined, undefined, "hpa-controller", false, PatchStrategy.ServerSideApply),
      409,
    );
    expect(status.reason).toBe("Conflict");
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "wharf": .spec.replicas');
    expect((status.details as { causes: Array<{ field: string; reason: string }> }).causes).toEqual([
      { reason: "FieldManagerConflict", message: 'conflict with "wharf"', field: ".spec.replicas" },
    ]);

    const forced = (await objects.patch(
      other,
      undefined,
      undefined,
      "hpa-controller",
      true,
      PatchStrategy.ServerSideApply,
    )) as KubernetesObject & { spec: { replicas: number } };
    expect(forced.spec.replicas).toBe(5);
    const owners = forced.metadata?.managedFields ?? [];
    const wharf = owners.find((m) => m.manager === "wharf");
    const hpa = owners.find((m) => m.manager === "hpa-controller");
    expect(JSON.stringify(wharf?.fieldsV1)).not.toContain("f:replicas");
    expect(hpa?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("leaves no trace on dry-run", async () => {
    const before = await rawRequest(sandbox, "GET", "/api/v1/namespaces/apps/configmaps");
    const dry = await objects.patch(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: "apps" }, data: { a: "b" } },
      undefined,
      "All",
      "wharf",
      false,
      PatchStrategy.ServerSideApply,
    );
    expect(dry.metadata?.name).toBe("dry");
    await expectStatus(
      objects.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: "apps" } }),
      404,
    );
    const after = await rawRequest(sandbox, "GET", "/api/v1/namespaces/apps/configmaps");
    // The list's resourceVersion is the whole store's, which the workload controllers keep moving; the ConfigMaps themselves are untouched.
    const versions = (l: { json: { items: Array<{ metadata: { name: string; resourceVersion: string } }> } }) =>
      l.json.items.map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`);
    expect(versions(after)).toEqual(versions(before));
  });

  it("resumes a watch from a resourceVersion", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: "apps" });
    const rv = list.metadata?.resourceVersion ?? "";
    await core.createNamespacedConfigMap({ namespace: "apps", body: { metadata: { name: "first" } } });
    await core.createNamespacedConfigMap({ namespace: "apps", body: { metadata: { name: "second" } } });
    await core.deleteNamespacedConfigMap({ namespace: "apps", name: "first" });

    const events: string[] = [];
    const watch = new Watch(kubeConfigFor(sandbox));
    const done = new Promise<void>((resolve) => {
      void watch
        .watch(
          "/api/v1/namespaces/apps/configmaps",
          { resourceVersion: rv, allowWatchBookmarks: true },
          (type, obj: KubernetesObject) => {
            events.push(`${type} ${obj.metadata?.name ?? ""}`);
            if (events.length === 4) resolve();
          },
          () => resolve(),
        )
        .then((ctl) => done.finally(() => ctl.abort()));
    });
    setTimeout(
      () => void core.createNamespacedConfigMap({ namespace: "apps", body: { metadata: { name: "third" } } }),
      200,
    );
    await done;
    expect(events).toEqual(["ADDED first", "ADDED second", "DELETED first", "ADDED third"]);

    sandboxInternals(sandbox).store.compact();
    const expired = await rawRequest(
      sandbox,
      "GET",
      `/api/v1/namespaces/apps/configmaps?watch=1&resourceVersion=${rv}`,
    );
    expect(JSON.parse(expired.text.trim())).toMatchObject({
      type: "ERROR",
      object: { kind: "Status", code: 410, reason: "Expired" },
    });
  });

  it("forbids an out-of-scope namespace (403) and rejects expired tokens (401)", async () => {
    const token = sandbox.mintToken({ serviceAccount: { namespace: "apps", name: "ci" } });
    await rawRequest(sandbox, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/apps/rolebindings", {
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "ci-edit" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
        subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "apps" }],
      },
    });
    const scoped = kubeConfigFor(sandbox, token).makeApiClient(CoreV1Api);
    const own = await scoped.listNamespacedConfigMap({ namespace: "apps" });
    expect(own.items.length).toBeGreaterThan(0);
    const status = await expectStatus(scoped.listNamespacedConfigMap({ namespace: "default" }), 403);
    expect(status.message).toBe(
      'configmaps is forbidden: User "system:serviceaccount:apps:ci" cannot list resource "configmaps" in API group "" in the namespace "default"',
    );

    const internals = sandboxInternals(sandbox);
    const shortLived = internals.mintTokenUnchecked({
      serviceAccount: { namespace: "apps", name: "ci" },
      expirationSeconds: 60,
    });
    const shortClient = kubeConfigFor(sandbox, shortLived).makeApiClient(CoreV1Api);
    await shortClient.listNamespacedConfigMap({ namespace: "apps" });
    internals.clock.offsetMs += 61_000;
    try {
      await expectStatus(shortClient.listNamespacedConfigMap({ namespace: "apps" }), 401);
      const raw = await rawRequest(sandbox, "GET", "/api/v1/namespaces/apps/configmaps", { token: shortLived });
      expect(raw.json).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 });
      // The long-lived token is still fine.
      await scoped.listNamespacedConfigMap({ namespace: "apps" });
    } finally {
      internals.clock.offsetMs = 0;
    }
    expect((await rawRequest(sandbox, "GET", "/api/v1/namespaces", { token: null })).status).toBe(401);
    expect(() => sandbox.mintToken({ user: "x", expirationSeconds: 60 })).toThrow(/600/);
  });

  it("serves the resources of a CRD once applied and stops when it is deleted", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.org" },
      spec: {
        group: "example.org",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
        versions: [
          {
            name: "v1alpha1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
              },
            },
          },
        ],
      },
    };
    expect((await rawRequest(sandbox, "GET", "/apis/example.org/v1alpha1")).status).toBe(404);
    await objects.patch(crd, undefined, undefined, "wharf", false, PatchStrategy.ServerSideApply);
    const discovery = await rawRequest(sandbox, "GET", "/apis/example.org/v1alpha1");
    expect(discovery.json.resources).toContainEqual(
      expect.objectContaining({ name: "gadgets", kind: "Gadget", namespaced: true }),
    );
    const groups = await rawRequest(sandbox, "GET", "/apis");
    expect(groups.json.groups.map((g: { name: string }) => g.name)).toContain("example.org");

    const gadget = await objects.patch<KubernetesObject>(
      {
        apiVersion: "example.org/v1alpha1",
        kind: "Gadget",
        metadata: { name: "g1", namespace: "apps" },
        spec: { color: "blue" },
      } as KubernetesObject,
      undefined,
      undefined,
      "wharf",
      false,
      PatchStrategy.ServerSideApply,
    );
    expect(gadget.metadata?.uid).toBeTruthy();
    const listed = await objects.list("example.org/v1alpha1", "Gadget", "apps");
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(["g1"]);

    await objects.delete(crd);
    expect((await rawRequest(sandbox, "GET", "/apis/example.org/v1alpha1")).status).toBe(404);
    expect((await rawRequest(sandbox, "GET", "/apis/example.org/v1alpha1/namespaces/apps/gadgets")).status).toBe(404);
  });
});
