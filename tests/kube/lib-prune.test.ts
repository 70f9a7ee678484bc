import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyManifests, INVENTORY_LABEL, MANAGED_BY_LABEL, pruneObjects, refOf, type KubeObject } from "@/lib/kube";
import { configMap, deployment, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

function labelled(obj: KubeObject, labels: Record<string, string>): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, ...labels } } };
}

describe("prune", () => {
  it("removes only Wharf-managed leftovers of the same inventory", async () => {
    const ns = uniqueName("prune");
    const first = await applyManifests(
      kube.client,
      [namespace(ns), configMap(ns, "keep"), configMap(ns, "leftover"), deployment(ns, "old-web")],
      { fieldManager: "wharf", inventoryId: "inv-1" },
    );
    expect(first.ok).toBe(true);

    // Objects Wharf must not touch: created by someone else, and one from another inventory.
    const apply = (obj: KubeObject, manager: string) => kube.client.apply(obj, { fieldManager: manager });
    await apply(configMap(ns, "not-ours"), "kubectl");
    await apply(
      labelled(configMap(ns, "other-inventory"), { [MANAGED_BY_LABEL]: "wharf", [INVENTORY_LABEL]: "inv-2" }),
      "wharf",
    );
    // Someone else's object that even claims the name of a previously applied one (listed in `previous`).
    await apply(configMap(ns, "impostor"), "kubectl");

    const applied = await applyManifests(kube.client, [namespace(ns), configMap(ns, "keep")], {
      fieldManager: "wharf",
      inventoryId: "inv-1",
    });
    // Pruning is its own call, made after the apply (and, by callers, after the rollout).
    const second = await pruneObjects(kube.client, {
      inventoryId: "inv-1",
      keep: applied.inventory,
      previous: [...first.inventory, refOf(configMap(ns, "impostor"))],
    });
    expect(
      second.results
        .filter((r) => r.action === "pruned")
        .map((r) => `${r.ref.kind}/${r.ref.name}`)
        .sort(),
    ).toEqual(["ConfigMap/leftover", "Deployment/old-web"]);
    expect(second.retained.map((r) => r.ref.name)).toEqual(["impostor"]);

    expect(await kube.client.get(refOf(configMap(ns, "leftover")))).toBeUndefined();
    expect(await kube.client.get(refOf(deployment(ns, "old-web")))).toBeUndefined();
    for (const name of ["keep", "not-ours", "other-inventory", "impostor"]) {
      expect(await kube.client.get(refOf(configMap(ns, name))), name).toBeDefined();
    }
  });

  it("finds leftovers by label when no previous inventory is recorded, and keeps namespaces", async () => {
    const ns = uniqueName("prunelabel");
    const extraNs = uniqueName("prunelabel-extra");
    await applyManifests(kube.client, [namespace(ns), namespace(extraNs), configMap(ns, "a"), configMap(ns, "b")], {
      fieldManager: "wharf",
      inventoryId: "inv-label",
    });
    const { results, retained } = await pruneObjects(kube.client, {
      inventoryId: "inv-label",
      keep: [refOf(namespace(ns)), refOf(configMap(ns, "a"))],
      previous: [refOf(namespace(extraNs))],
    });
    expect(results.map((r) => [r.ref.name, r.action])).toEqual([["b", "pruned"]]);
    expect(retained.map((r) => r.ref.name)).toEqual([extraNs]);
    expect(await kube.client.get(refOf(namespace(extraNs)))).toBeDefined();
  });

  it("a dry-run prune deletes nothing", async () => {
    const ns = uniqueName("prunedry");
    await applyManifests(kube.client, [namespace(ns), configMap(ns, "a"), configMap(ns, "b")], {
      fieldManager: "wharf",
      inventoryId: "inv-dry",
    });
    const report = await pruneObjects(kube.client, {
      inventoryId: "inv-dry",
      keep: [refOf(namespace(ns)), refOf(configMap(ns, "a"))],
      dryRun: true,
    });
    expect(report.results.filter((r) => r.action === "pruned").map((r) => r.ref.name)).toEqual(["b"]);
    expect(await kube.client.get(refOf(configMap(ns, "b")))).toBeDefined();
  });
});
