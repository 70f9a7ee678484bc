import { describe, expect, it } from "vitest";
import { diffObjects } from "@/lib/kube/diff";
import type { KubeObject } from "@/lib/kube/types";

function deployment(image: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      resourceVersion: String(Math.random()),
      uid: "u1",
      generation: 3,
      creationTimestamp: "2026-01-01T00:00:00Z",
      managedFields: [{ manager: "wharf" }],
      annotations: { "deployment.kubernetes.io/revision": "4" },
      labels: { app: "web" },
    },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: "sidecar", image: "envoy:1", ports: [{ containerPort: 9901 }] },
            { name: "web", image, env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80, name: "http" }] },
          ],
        },
      },
      ...extra,
    },
    status: { readyReplicas: 1 },
  };
}

describe("diffObjects", () => {
  it("ignores status and server-set metadata", () => {
    expect(diffObjects(deployment("nginx:1"), { ...deployment("nginx:1"), status: { readyReplicas: 2 } })).toEqual([]);
  });

  it("names list items by their merge key", () => {
    expect(diffObjects(deployment("nginx:1"), deployment("nginx:2"))).toEqual([
      { path: "spec.template.spec.containers[name=web].image", op: "change", old: "nginx:1", new: "nginx:2" },
    ]);
  });

  it("reports added, removed and changed fields with values", () => {
    const before = deployment("nginx:1");
    const after = deployment("nginx:1", { replicas: 3, paused: true });
    (after.metadata.labels as Record<string, string>)["app.kubernetes.io/part-of"] = "shop";
    delete (after.metadata.labels as Record<string, string>).app;
    const containers = (after.spec as { template: { spec: { containers: { env?: unknown[] }[] } } }).template.spec
      .containers;
    containers[1]!.env = [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ];
    expect(diffObjects(before, after)).toEqual([
      { path: "metadata.labels.app", op: "remove", old: "web" },
      { path: 'metadata.labels["app.kubernetes.io/part-of"]', op: "add", new: "shop" },
      { path: "spec.paused", op: "add", new: true },
      { path: "spec.replicas", op: "change", old: 2, new: 3 },
      { path: "spec.template.spec.containers[name=web].env[name=B]", op: "add", new: { name: "B", value: "2" } },
    ]);
  });

  it("falls back to indexes for lists without a unique key", () => {
    const a: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { args: ["a", "b"] } };
    const b: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { args: ["a", "c", "d"] } };
    expect(diffObjects(a, b)).toEqual([
      { path: "spec.args[1]", op: "change", old: "b", new: "c" },
      { path: "spec.args[2]", op: "add", new: "d" },
    ]);
  });

  it("lists a create as top-level additions and a delete as removals", () => {
    const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "x" }, data: { a: "1" } };
    expect(diffObjects(undefined, cm).map((c) => [c.path, c.op])).toEqual([
      ["apiVersion", "add"],
      ["data", "add"],
      ["kind", "add"],
      ["metadata", "add"],
    ]);
    expect(diffObjects(cm, undefined).every((c) => c.op === "remove")).toBe(true);
  });

  it("never shows Secret values", () => {
    const s = (v: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { password: v },
    });
    expect(diffObjects(s("b2xk"), s("bmV3"))).toEqual([
      { path: "data.password", op: "change", old: "(sensitive value hidden)", new: "(sensitive value hidden)" },
    ]);
  });
});

describe("sameConfiguration", () => {
  it("ignores status, resourceVersion, managedFields and key order", async () => {
    const { sameConfiguration } = await import("@/lib/kube/diff");
    const a = deployment("nginx:1");
    const b: KubeObject = {
      status: { readyReplicas: 2 },
      spec: a.spec,
      metadata: { ...a.metadata, resourceVersion: "999", managedFields: [] },
      kind: a.kind,
      apiVersion: a.apiVersion,
    };
    expect(sameConfiguration(a, b)).toBe(true);
    expect(sameConfiguration(a, deployment("nginx:2"))).toBe(false);
  });
});
