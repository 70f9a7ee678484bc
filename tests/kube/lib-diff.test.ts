import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyManifests, diffManifests, refOf, type KubeObject } from "@/lib/kube";
import { configMap, deployment, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

describe("diffManifests against the sandbox", () => {
  it("shows exactly the changed fields after a change, and nothing for unchanged objects", async () => {
    const ns = uniqueName("diff");
    const base = [
      namespace(ns),
      configMap(ns, "settings", { color: "blue", size: "m" }),
      deployment(ns, "web", "nginx:1.27"),
    ];
    await applyManifests(kube.client, base, { fieldManager: "wharf", inventoryId: "diff-inv" });

    const unchanged = await diffManifests(kube.client, base, { fieldManager: "wharf", inventoryId: "diff-inv" });
    expect(unchanged.objects.map((d) => [d.ref.kind, d.action, d.changes])).toEqual([
      ["Namespace", "unchanged", []],
      ["ConfigMap", "unchanged", []],
      ["Deployment", "unchanged", []],
    ]);

    const changed = [
      namespace(ns),
      configMap(ns, "settings", { color: "green", extra: "yes" }),
      deployment(ns, "web", "nginx:1.28", { replicas: 3 }),
      configMap(ns, "brand-new"),
    ];
    const report = await diffManifests(kube.client, changed, { fieldManager: "wharf", inventoryId: "diff-inv" });
    const byName = Object.fromEntries(report.objects.map((d) => [`${d.ref.kind}/${d.ref.name}`, d]));
    expect(byName[`Namespace/${ns}`]?.action).toBe("unchanged");
    expect(byName["ConfigMap/settings"]).toMatchObject({
      action: "change",
      changes: [
        { path: "data.color", op: "change", old: "blue", new: "green" },
        { path: "data.extra", op: "add", new: "yes" },
        { path: "data.size", op: "remove", old: "m" },
      ],
    });
    expect(byName["Deployment/web"]).toMatchObject({
      action: "change",
      changes: [
        { path: "spec.replicas", op: "change", old: 2, new: 3 },
        { path: "spec.template.spec.containers[name=web].image", op: "change", old: "nginx:1.27", new: "nginx:1.28" },
      ],
    });
    expect(byName["ConfigMap/brand-new"]?.action).toBe("create");
    expect(report.counts).toMatchObject({ create: 1, change: 2, unchanged: 1, prune: 0, error: 0 });

    // The diff is a dry run: nothing changed on the server.
    const live = await kube.client.get(refOf(configMap(ns, "settings")));
    expect(live?.data).toEqual({ color: "blue", size: "m" });
    expect(await kube.client.get(refOf(configMap(ns, "brand-new")))).toBeUndefined();
  });

  it("reads the live objects of a kind and namespace with one list, not a GET each, and still tells changes apart", async () => {
    const ns = uniqueName("difflist");
    const names = Array.from({ length: 20 }, (_, i) => `cm-${i}`);
    await applyManifests(kube.client, [namespace(ns), ...names.slice(0, 10).map((n) => configMap(ns, n))], {
      fieldManager: "wharf",
      inventoryId: "diff-list",
    });
    const desired = names.map((n, i) => configMap(ns, n, { key: i < 5 ? "value" : "changed" }));
    const before = kube.client.stats.requests;
    const report = await diffManifests(kube.client, desired, { fieldManager: "wharf", inventoryId: "diff-list" });
    expect(report.counts).toMatchObject({ unchanged: 5, change: 5, create: 10, error: 0 });
    // 20 dry runs and one list (discovery is cached); a GET each would be 40.
    expect(kube.client.stats.requests - before).toBeLessThanOrEqual(22);
  });

  it("lists prune candidates of the inventory only", async () => {
    const ns = uniqueName("diffprune");
    await applyManifests(kube.client, [namespace(ns), configMap(ns, "keep"), configMap(ns, "old")], {
      fieldManager: "wharf",
      inventoryId: "inv-a",
    });
    const report = await diffManifests(kube.client, [namespace(ns), configMap(ns, "keep")], {
      fieldManager: "wharf",
      prune: { inventoryId: "inv-a" },
    });
    expect(report.objects.filter((d) => d.action === "prune").map((d) => d.ref.name)).toEqual(["old"]);
    expect(await kube.client.get(refOf(configMap(ns, "old")))).toBeDefined();
  });

  it("previews objects in a namespace the same set creates, without failing", async () => {
    const ns = uniqueName("diffnew");
    const report = await diffManifests(kube.client, [namespace(ns), configMap(ns, "a")], { fieldManager: "wharf" });
    expect(report.objects.map((d) => d.action)).toEqual(["create", "create"]);
    expect(report.objects[1]?.changes.map((c) => c.path)).toContain("data");
  });

  it("reports a field owned by another manager as a conflict error unless forced", async () => {
    const ns = uniqueName("conflict");
    await applyManifests(kube.client, [namespace(ns), configMap(ns, "shared", { owner: "someone" })], {
      fieldManager: "someone-else",
    });
    const desired: KubeObject[] = [configMap(ns, "shared", { owner: "wharf" })];
    const report = await diffManifests(kube.client, desired, { fieldManager: "wharf" });
    expect(report.objects[0]?.action).toBe("error");
    expect(report.objects[0]?.error?.code).toBe(409);
    const forced = await diffManifests(kube.client, desired, { fieldManager: "wharf", force: true });
    expect(forced.objects[0]).toMatchObject({
      action: "change",
      changes: [{ path: "data.owner", op: "change", old: "someone", new: "wharf" }],
    });
  });
});
