import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  applyManifests,
  INVENTORY_LABEL,
  ManifestError,
  MANAGED_BY_LABEL,
  parseManifests,
  refKey,
  refOf,
  type KubeObject,
} from "@/lib/kube";
import { configMap, deployment, mixedObjects, namespace, startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;

beforeAll(async () => {
  kube = await startKube();
});
afterAll(async () => {
  await kube?.stop();
});

describe("applyManifests against the sandbox", () => {
  it("creates 50 mixed objects in dependency order, then re-applies them as unchanged", async () => {
    const ns = uniqueName("apply");
    const objects = mixedObjects(ns, 50);
    const progress: number[] = [];
    const first = await applyManifests(kube.client, objects, {
      fieldManager: "wharf",
      inventoryId: "target-1",
      onResult: (_result, { done }) => progress.push(done),
    });
    const failures = first.results.filter((r) => r.action !== "created");
    expect(failures).toEqual([]);
    expect(first.counts.created).toBe(50);
    expect(first.ok).toBe(true);
    expect(progress).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

    // Order: the namespace first, the CRD before its instance, the custom resource last.
    const kinds = first.results.map((r) => r.ref.kind);
    expect(kinds[0]).toBe("Namespace");
    expect(kinds.indexOf("CustomResourceDefinition")).toBeLessThan(kinds.indexOf("Widget"));
    expect(kinds.at(-1)).toBe("Widget");
    expect(kinds.indexOf("Role")).toBeLessThan(kinds.indexOf("RoleBinding"));

    // Every object is really there, labelled as Wharf's and with the inventory id.
    for (const obj of objects) {
      const live = await kube.client.get(refOf(obj));
      expect(live, refKey(refOf(obj))).toBeDefined();
      expect(live?.metadata.labels?.[MANAGED_BY_LABEL]).toBe("wharf");
      expect(live?.metadata.labels?.[INVENTORY_LABEL]).toBe("target-1");
    }
    // Unknown-to-client-node fields survive (client-node's typed serializer would drop this one).
    const crd = await kube.client.get(refOf(objects.find((o) => o.kind === "CustomResourceDefinition") as KubeObject));
    expect(JSON.stringify(crd?.spec)).toContain("x-kubernetes-preserve-unknown-fields");

    const again = await applyManifests(kube.client, objects, { fieldManager: "wharf", inventoryId: "target-1" });
    expect(again.results.filter((r) => r.action !== "unchanged")).toEqual([]);
    expect(again.counts.unchanged).toBe(50);
  });

  it("reports configured for exactly the objects that changed", async () => {
    const ns = uniqueName("configure");
    const objects = [namespace(ns), configMap(ns, "a"), configMap(ns, "b")];
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const changed = [namespace(ns), configMap(ns, "a"), configMap(ns, "b", { key: "other" })];
    const report = await applyManifests(kube.client, changed, { fieldManager: "wharf" });
    expect(report.results.map((r) => [r.ref.name, r.action])).toEqual([
      [ns, "unchanged"],
      ["a", "unchanged"],
      ["b", "configured"],
    ]);
    const live = await kube.client.get(refOf(configMap(ns, "b")));
    expect(live?.data).toEqual({ key: "other" });
  });

  it("uses discovery once per group/version, not once per object", async () => {
    const ns = uniqueName("discovery");
    const objects = [namespace(ns), ...Array.from({ length: 40 }, (_, i) => configMap(ns, `c${i}`))];
    const { client } = kube;
    const before = client.stats.discoveryRequests;
    await applyManifests(client, objects, { fieldManager: "wharf" });
    await applyManifests(client, objects, { fieldManager: "wharf" });
    // Only /api/v1 may be fetched, and only if this client never needed it before.
    expect(client.stats.discoveryRequests - before).toBeLessThanOrEqual(1);
  });

  it("dry-run validates but leaves no trace", async () => {
    const ns = uniqueName("dryrun");
    const objects = [namespace(ns), configMap(ns, "cm")];
    const report = await applyManifests(kube.client, objects, { fieldManager: "wharf", dryRun: true });
    expect(report.results.map((r) => r.action)).toEqual(["created", "created"]);
    expect(report.results[1]?.message).toContain(`namespace ${ns} is created by this apply`);
    expect(await kube.client.get(refOf(namespace(ns)))).toBeUndefined();
    expect(await kube.client.get(refOf(configMap(ns, "cm")))).toBeUndefined();

    // On an existing namespace, a dry-run change is reported but not stored.
    await applyManifests(kube.client, objects, { fieldManager: "wharf" });
    const dry = await applyManifests(kube.client, [configMap(ns, "cm", { key: "changed" }), configMap(ns, "new")], {
      fieldManager: "wharf",
      dryRun: true,
    });
    expect(dry.results.map((r) => [r.ref.name, r.action])).toEqual([
      ["cm", "configured"],
      ["new", "created"],
    ]);
    expect((await kube.client.get(refOf(configMap(ns, "cm"))))?.data).toEqual({ key: "value" });
    expect(await kube.client.get(refOf(configMap(ns, "new")))).toBeUndefined();
  });

  it("malformed YAML reports the document and line, and nothing is applied", async () => {
    const ns = uniqueName("malformed");
    const text = `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: good
  namespace: ${ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bad
  namespace: ${ns}
data:
  key: a: b
`;
    let error: unknown;
    try {
      await applyManifests(kube.client, parseManifests(text, { source: "app.yaml" }), { fieldManager: "wharf" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).problems).toEqual([
      expect.objectContaining({ source: "app.yaml", documentIndex: 2, line: 18 }),
    ]);
    expect((error as Error).message).toMatch(/^app\.yaml: document 3, line 18, column \d+: invalid YAML/);
    expect(await kube.client.get(refOf(namespace(ns)))).toBeUndefined();
  });

  it("rejects objects without a name before sending anything", async () => {
    const before = kube.client.stats.requests;
    await expect(
      applyManifests(
        kube.client,
        [configMap("x", "a"), { apiVersion: "v1", kind: "ConfigMap", metadata: {} } as KubeObject],
        { fieldManager: "wharf" },
      ),
    ).rejects.toThrow(ManifestError);
    expect(kube.client.stats.requests).toBe(before);
  });

  it("fails an unknown kind with the server-style message, and applies what it can", async () => {
    const ns = uniqueName("unknown");
    const report = await applyManifests(
      kube.client,
      [
        namespace(ns),
        { apiVersion: "nope.example.com/v1", kind: "Gadget", metadata: { name: "g", namespace: ns } },
        configMap(ns, "cm"),
      ],
      { fieldManager: "wharf" },
    );
    const byName = Object.fromEntries(report.results.map((r) => [r.ref.name, r]));
    expect(byName[ns]?.action).toBe("created");
    expect(byName.cm?.action).toBe("created");
    expect(byName.g?.action).toBe("failed");
    expect(byName.g?.message).toContain('no matches for kind "Gadget" in version "nope.example.com/v1"');
    expect(report.ok).toBe(false);
  });

  it("stops after a failed phase: later objects are skipped, not half-applied", async () => {
    const ns = uniqueName("stop");
    const report = await applyManifests(
      kube.client,
      [
        namespace(ns),
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "Not_A_Valid_Name", namespace: ns } },
        configMap(ns, "cm"),
      ],
      { fieldManager: "wharf", inventoryId: "stop-test" },
    );
    const byName = Object.fromEntries(report.results.map((r) => [r.ref.name, r]));
    expect(byName.Not_A_Valid_Name?.action).toBe("failed");
    expect(byName.Not_A_Valid_Name?.error?.code).toBe(422);
    expect(byName.cm?.action).toBe("skipped");
    expect(byName.cm?.message).toContain("service accounts and roles");
    expect(report.ok).toBe(false);
    expect(await kube.client.get(refOf(configMap(ns, "cm")))).toBeUndefined();
  });

  it("fails with 409 on a field another manager owns, and takes it over with force", async () => {
    const ns = uniqueName("force");
    await applyManifests(kube.client, [namespace(ns), configMap(ns, "shared", { mode: "a" })], {
      fieldManager: "wharf",
    });
    // Someone else changes the field with their own server-side apply (drift).
    await kube.client.apply(configMap(ns, "shared", { mode: "drifted" }), { fieldManager: "kubectl", force: true });

    const refused = await applyManifests(kube.client, [configMap(ns, "shared", { mode: "a" })], {
      fieldManager: "wharf",
    });
    expect(refused.results[0]).toMatchObject({ action: "failed", error: { code: 409, reason: "Conflict" } });
    expect(refused.results[0]?.message).toContain("kubectl");
    expect((await kube.client.get(refOf(configMap(ns, "shared"))))?.data).toEqual({ mode: "drifted" });

    const forced = await applyManifests(kube.client, [configMap(ns, "shared", { mode: "a" })], {
      fieldManager: "wharf",
      force: true,
    });
    expect(forced.results[0]?.action).toBe("configured");
    expect((await kube.client.get(refOf(configMap(ns, "shared"))))?.data).toEqual({ mode: "a" });
  });
});

describe("applyManifests: a phase's preparation overlaps the phase before", () => {
  /**
   * Holds the apply of the ConfigMap named `held` until `release()` — called by the test when the next phase's
   * preparation starts, or after 5 s without it, which the test then reports.
   */
  function holdApplyOf(held: string) {
    let releasedBy: "preparation" | "fallback" | undefined;
    let open!: () => void;
    const released = new Promise<void>((resolve) => (open = resolve));
    const release = (by: "preparation" | "fallback") => {
      releasedBy ??= by;
      open();
    };
    const fallback = setTimeout(() => release("fallback"), 5000);
    const original = kube.client.apply.bind(kube.client);
    const spy = vi.spyOn(kube.client, "apply").mockImplementation(async (obj, opts) => {
      if (obj.kind === "ConfigMap" && obj.metadata.name === held) await released;
      return original(obj, opts);
    });
    return {
      release,
      releasedBy: () => releasedBy,
      restore() {
        clearTimeout(fallback);
        spy.mockRestore();
      },
    };
  }

  it("prepares the next phase once the last object is sent, before its response; a throw at the phase stops it", async () => {
    const ns = uniqueName("prepare");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "wharf" });
    const hold = holdApplyOf("b");
    const events: string[] = [];
    try {
      const applying = applyManifests(kube.client, [configMap(ns, "a"), configMap(ns, "b"), deployment(ns, "web")], {
        fieldManager: "wharf",
        preparePhase: async ({ name }) => {
          events.push(
            `prepare ${name}${name === "workloads" && hold.releasedBy() === undefined ? " (b in flight)" : ""}`,
          );
          if (name === "workloads") hold.release("preparation");
        },
        beforePhase: async ({ name }) => {
          events.push(`start ${name}`);
          // As the executor's checkpoint does on a cancel: nothing of this phase may be written.
          if (name === "workloads") throw new Error("stopped before the workloads");
        },
        onResult: (result) => events.push(`${result.ref.name} ${result.action}`),
      });
      await expect(applying).rejects.toThrow("stopped before the workloads");
    } finally {
      hold.restore();
    }
    // "a" and "b" answer in either order once "b" is released (the real API server often answers "b" first).
    expect([...events.slice(0, 3), ...events.slice(3, 5).sort(), ...events.slice(5)]).toEqual([
      "prepare configuration and storage",
      "start configuration and storage",
      "prepare workloads (b in flight)",
      "a created",
      "b created",
      "start workloads",
    ]);
    expect(await kube.client.get(refOf(configMap(ns, "b")))).toBeDefined();
    expect(await kube.client.get(refOf(deployment(ns, "web")))).toBeUndefined();
  });

  it("after a failed phase, the next phase's early preparation is settled and ignored, its rejection never surfaces", async () => {
    const ns = uniqueName("prepare-failed");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "wharf" });
    const hold = holdApplyOf("b");
    const events: string[] = [];
    let settled = false;
    try {
      const report = await applyManifests(
        kube.client,
        // "a" fails (its namespace does not exist) while "b" is held: the workloads' preparation has started by then.
        [configMap(uniqueName("missing"), "a"), configMap(ns, "b"), deployment(ns, "web")],
        {
          fieldManager: "wharf",
          preparePhase: async ({ name }) => {
            if (name !== "workloads") return;
            events.push(`prepare ${name}`);
            hold.release("preparation");
            await new Promise((resolve) => setTimeout(resolve, 50));
            settled = true;
            throw new Error("an early checkpoint's failure, for a phase that never starts");
          },
          beforePhase: async ({ name }) => {
            events.push(`start ${name}`);
          },
        },
      );
      // Settled before the apply returned: nothing of the caller's runs on after it.
      expect(settled).toBe(true);
      expect(hold.releasedBy()).toBe("preparation");
      expect(events).toEqual(["start configuration and storage", "prepare workloads"]);
      const byName = Object.fromEntries(report.results.map((r) => [r.ref.name, r]));
      expect(byName.a?.action).toBe("failed");
      expect(byName.b?.action).toBe("created");
      expect(byName.web?.action).toBe("skipped");
      expect(byName.web?.message).toContain("configuration and storage");
    } finally {
      hold.restore();
    }
    expect(await kube.client.get(refOf(deployment(ns, "web")))).toBeUndefined();
  });
});
