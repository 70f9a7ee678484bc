import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APPLICATION_ANNOTATION,
  applyManifests,
  applySetFor,
  applySetId,
  applySetParentRef,
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_ID_LABEL,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  diffManifests,
  findPruneCandidates,
  INVENTORY_LABEL,
  MANAGED_BY_LABEL,
  observedFrom,
  pruneApplySet,
  refOf,
  type ApplySetRef,
  type KubeObject,
  type ObservedState,
} from "@/lib/kube";
import { kubectlRunner, type KubectlResult } from "@/tests/support/sandbox";
import { configMap, deployment, namespace, startKube, uniqueName } from "./lib-support";

// Applications as KEP-3659 ApplySets, on both legs: each owns only its objects, prunes only its own leftovers, refuses
// another application's objects, and kubectl sees the same inventory.

let kube: Awaited<ReturnType<typeof startKube>>;
let kubectl: (args: string[], opts?: { input?: string }) => Promise<KubectlResult>;
const created: string[] = [];

beforeAll(async () => {
  kube = await startKube();
  kubectl = await kubectlRunner(kube.cluster);
});
afterAll(async () => {
  if (kube?.cluster.kind === "real" && created.length > 0)
    await kubectl(["delete", "namespace", ...created, "--ignore-not-found", "--wait=false"]);
  await kube?.stop();
});

function freshNamespace(prefix: string): string {
  const ns = uniqueName(prefix);
  created.push(ns);
  return ns;
}

const names = (refs: { ref: { kind: string; name: string } }[]) =>
  refs.map((r) => `${r.ref.kind}/${r.ref.name}`).sort();

describe("ApplySet ids", () => {
  it("follows kubectl's format: applyset-<base64url(sha256(name.namespace.kind.group))>-v1", () => {
    const hash = createHash("sha256").update("shop.shop-dev.ConfigMap.").digest("base64url");
    expect(applySetId({ name: "shop", namespace: "shop-dev" })).toBe(`applyset-${hash}-v1`);
    expect(applySetId({ name: "shop", namespace: "shop-dev" })).not.toContain("=");
    expect(applySetFor("cmabc123", "ns").name).toBe("applyset-cmabc123");
    // A key that is no valid object name is cleaned and hashed, so two keys never share a parent.
    const odd = applySetFor("Repo/With Spaces", "ns").name;
    expect(odd).toMatch(/^applyset-repo-with-spaces-[0-9a-f]{10}$/);
    expect(applySetFor("repo-with-spaces", "ns").name).not.toBe(odd);
  });
});

describe("applyManifests and pruneApplySet with an ApplySet", () => {
  it("labels members, records the parent, and two applications in one namespace never prune each other", async () => {
    const ns = freshNamespace("aset");
    const extra = freshNamespace("aset-extra");
    await applyManifests(kube.client, [namespace(ns), namespace(extra)], { fieldManager: "test-setup" });
    const guestbook = applySetFor(uniqueName("guestbook"), ns, { application: "guestbook" });
    const podinfo = applySetFor(uniqueName("podinfo"), ns, { application: "podinfo" });

    const first = await applyManifests(
      kube.client,
      [configMap(ns, "gb-config"), configMap(extra, "gb-extra"), deployment(ns, "gb-web")],
      { fieldManager: "wharf", applySet: guestbook },
    );
    expect(first.ok).toBe(true);
    const pod = await applyManifests(kube.client, [configMap(ns, "pi-config"), deployment(ns, "pi-web")], {
      fieldManager: "wharf",
      applySet: podinfo,
    });
    expect(pod.ok).toBe(true);

    const live = await kube.client.get(refOf(configMap(ns, "gb-config")));
    expect(live?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(applySetId(guestbook));
    expect(live?.metadata.labels?.[MANAGED_BY_LABEL]).toBe("wharf");
    expect(live?.metadata.labels?.[INVENTORY_LABEL]).toBeUndefined();
    const parent = await kube.client.get(applySetParentRef(guestbook));
    expect(parent?.metadata.labels?.[APPLYSET_ID_LABEL]).toBe(applySetId(guestbook));
    expect(parent?.metadata.annotations).toMatchObject({
      [APPLYSET_TOOLING_ANNOTATION]: "wharf/v1",
      [APPLYSET_GROUP_KINDS_ANNOTATION]: "ConfigMap,Deployment.apps",
      [APPLYSET_NAMESPACES_ANNOTATION]: extra,
      [APPLICATION_ANNOTATION]: "guestbook",
    });

    // guestbook's next revision drops everything but its config; podinfo's objects are not its to prune.
    const keep = [refOf(configMap(ns, "gb-config"))];
    const dry = await pruneApplySet(kube.client, { applySet: guestbook, keep, dryRun: true });
    expect(names(dry.results)).toEqual(["ConfigMap/gb-extra", "Deployment/gb-web"]);
    expect(await kube.client.get(refOf(deployment(ns, "gb-web")))).toBeDefined();
    const pruned = await pruneApplySet(kube.client, { applySet: guestbook, keep });
    expect(names(pruned.results)).toEqual(["ConfigMap/gb-extra", "Deployment/gb-web"]);
    expect(pruned.results.every((r) => r.action === "pruned")).toBe(true);
    for (const name of ["pi-config", "gb-config"])
      expect(await kube.client.get(refOf(configMap(ns, name)))).toBeDefined();
    expect(await kube.client.get(refOf(deployment(ns, "pi-web")))).toBeDefined();
    // The parent now lists exactly what is left.
    const after = await kube.client.get(applySetParentRef(guestbook));
    expect(after?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION]).toBe("ConfigMap");
    expect(after?.metadata.annotations?.[APPLYSET_NAMESPACES_ANNOTATION]).toBeUndefined();

    // podinfo pruning with an empty new set removes only its own two objects.
    const podPrune = await pruneApplySet(kube.client, { applySet: podinfo, keep: [] });
    expect(names(podPrune.results)).toEqual(["ConfigMap/pi-config", "Deployment/pi-web"]);
    expect(await kube.client.get(refOf(configMap(ns, "gb-config")))).toBeDefined();
  });

  it("refuses an object another application owns, naming it, and applies nothing", async () => {
    const ns = freshNamespace("asetown");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "test-setup" });
    const owner = applySetFor(uniqueName("owner"), ns, { application: "podinfo" });
    const intruder = applySetFor(uniqueName("intruder"), ns, { application: "guestbook" });
    expect(
      (await applyManifests(kube.client, [configMap(ns, "shared")], { fieldManager: "wharf", applySet: owner })).ok,
    ).toBe(true);

    const report = await applyManifests(
      kube.client,
      [configMap(ns, "mine"), configMap(ns, "shared", { key: "taken" })],
      { fieldManager: "wharf", applySet: intruder },
    );
    expect(report.ok).toBe(false);
    const refused = report.results.find((r) => r.ref.name === "shared");
    expect(refused?.action).toBe("failed");
    expect(refused?.error?.reason).toBe("OwnedByAnotherApplication");
    expect(refused?.message).toContain("application podinfo");
    expect(report.results.find((r) => r.ref.name === "mine")?.action).toBe("skipped");
    // Nothing taken over, nothing half-applied, no parent written.
    const shared = await kube.client.get(refOf(configMap(ns, "shared")));
    expect(shared?.data).toEqual({ key: "value" });
    expect(shared?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(applySetId(owner));
    expect(await kube.client.get(refOf(configMap(ns, "mine")))).toBeUndefined();
    expect(await kube.client.get(applySetParentRef(intruder))).toBeUndefined();

    // The preview shows the same refusal.
    const diff = await diffManifests(kube.client, [configMap(ns, "shared", { key: "taken" })], {
      fieldManager: "wharf",
      applySet: intruder,
    });
    expect(diff.objects[0]?.action).toBe("error");
    expect(diff.objects[0]?.message).toContain("application podinfo");
  });

  it("adopts its own legacy-labelled objects and unlabelled ones; refuses another inventory's", async () => {
    const ns = freshNamespace("asetlegacy");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "test-setup" });
    const key = uniqueName("inv");
    // Yesterday's Wharf: objects labelled with the inventory, no ApplySet.
    await applyManifests(kube.client, [configMap(ns, "old-keep"), configMap(ns, "old-drop")], {
      fieldManager: "wharf",
      inventoryId: key,
    });
    await applyManifests(kube.client, [configMap(ns, "other-inv")], { fieldManager: "wharf", inventoryId: "someone" });
    await kube.client.apply(configMap(ns, "unlabelled"), { fieldManager: "kubectl" });
    const set = applySetFor(key, ns);

    const refused = await applyManifests(kube.client, [configMap(ns, "old-keep"), configMap(ns, "other-inv")], {
      fieldManager: "wharf",
      applySet: set,
    });
    expect(refused.results.find((r) => r.ref.name === "other-inv")?.message).toContain("Wharf inventory someone");

    const report = await applyManifests(kube.client, [configMap(ns, "old-keep"), configMap(ns, "unlabelled")], {
      fieldManager: "wharf",
      applySet: set,
    });
    expect(report.ok).toBe(true);
    const relabelled = await kube.client.get(refOf(configMap(ns, "old-keep")));
    expect(relabelled?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(applySetId(set));
    // The same field manager set the legacy label, so server-side apply removed it.
    expect(relabelled?.metadata.labels?.[INVENTORY_LABEL]).toBeUndefined();
    expect((await kube.client.get(refOf(configMap(ns, "unlabelled"))))?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(
      applySetId(set),
    );

    // The legacy leftover is this application's to prune (found by its old label, with no `previous`).
    const pruned = await pruneApplySet(kube.client, {
      applySet: set,
      keep: [refOf(configMap(ns, "old-keep")), refOf(configMap(ns, "unlabelled"))],
    });
    expect(names(pruned.results)).toEqual(["ConfigMap/old-drop"]);
    expect(await kube.client.get(refOf(configMap(ns, "other-inv")))).toBeDefined();
  });

  it("in a namespace crowded with other applications, reads only its own objects and still refuses theirs", async () => {
    const ns = freshNamespace("asetcrowd");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "test-setup" });
    const crowd = applySetFor(uniqueName("crowd"), ns, { application: "crowd" });
    const others = Array.from({ length: 60 }, (_, i) => configMap(ns, `crowd-${i}`));
    expect((await applyManifests(kube.client, others, { fieldManager: "wharf", applySet: crowd })).ok).toBe(true);
    const mine = applySetFor(uniqueName("mine"), ns, { application: "mine" });
    // Every item any list of these applies returns: a thousand applications in one namespace must not each read all.
    const listedItems: number[] = [];
    const list = kube.client.list.bind(kube.client);
    kube.client.list = async (...args) => {
      const items = await list(...args);
      listedItems.push(items.length);
      return items;
    };
    try {
      const refused = await applyManifests(
        kube.client,
        [configMap(ns, "mine-a"), configMap(ns, "crowd-7", { k: "x" })],
        {
          fieldManager: "wharf",
          applySet: mine,
        },
      );
      expect(refused.ok).toBe(false);
      expect(refused.results.find((r) => r.ref.name === "crowd-7")?.message).toContain("application crowd");
      expect(await kube.client.get(refOf(configMap(ns, "mine-a")))).toBeUndefined();

      const first = await applyManifests(kube.client, [configMap(ns, "mine-a")], {
        fieldManager: "wharf",
        applySet: mine,
      });
      expect(first.results.map((r) => r.action)).toEqual(["created"]);
      const listsBefore = listedItems.length;
      const again = await applyManifests(kube.client, [configMap(ns, "mine-a")], {
        fieldManager: "wharf",
        applySet: mine,
      });
      expect(again.results.map((r) => r.action)).toEqual(["unchanged"]);
      // The namespace was found crowded: this set's own objects are listed straight away, not the crowd's first page.
      expect(Math.max(...listedItems.slice(listsBefore))).toBe(1);
    } finally {
      kube.client.list = list;
    }
    expect(Math.max(...listedItems)).toBeLessThanOrEqual(51);
  });

  it("writes the parent only when the apply would change it", async () => {
    const ns = freshNamespace("asetparent");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "test-setup" });
    const set = applySetFor(uniqueName("steady"), ns, { application: "steady" });
    const applied: string[] = [];
    const apply = kube.client.apply.bind(kube.client);
    kube.client.apply = async (obj, opts) => {
      applied.push(`${obj.kind}/${obj.metadata.name}`);
      return apply(obj, opts);
    };
    const parentName = `ConfigMap/${applySetParentRef(set).name}`;
    const run = async (objects: KubeObject[]) => {
      applied.length = 0;
      expect((await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet: set })).ok).toBe(true);
      return [...applied];
    };
    try {
      expect(await run([configMap(ns, "a")])).toEqual([parentName, "ConfigMap/a"]);
      // The same set again: its parent already says so.
      expect(await run([configMap(ns, "a", { k: "v2" })])).toEqual(["ConfigMap/a"]);
      // A new kind widens the parent before the object is applied.
      expect(await run([configMap(ns, "a"), deployment(ns, "web")])).toEqual([
        parentName,
        "ConfigMap/a",
        "Deployment/web",
      ]);
    } finally {
      kube.client.apply = apply;
    }
    expect(
      (await kube.client.get(applySetParentRef(set)))?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION],
    ).toBe("ConfigMap,Deployment.apps");
  });

  it("writes the parent after the Namespaces phase when the set creates its namespace", async () => {
    const ns = freshNamespace("asetnew");
    const set = applySetFor(uniqueName("fresh"), ns);
    const objects: KubeObject[] = [namespace(ns), configMap(ns, "a")];
    const dry = await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet: set, dryRun: true });
    expect(dry.ok).toBe(true);
    const report = await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet: set });
    expect(report.ok).toBe(true);
    const parent = await kube.client.get(applySetParentRef(set));
    expect(parent?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION]).toBe("ConfigMap,Namespace");
    // The Namespace is a member, and pruning it would take everything inside with it: retained, still a member.
    const pruned = await pruneApplySet(kube.client, { applySet: set, keep: [] });
    expect(names(pruned.results)).toEqual(["ConfigMap/a"]);
    expect(pruned.retained.map((r) => r.ref.name)).toEqual([ns]);
    expect(
      (await kube.client.get(applySetParentRef(set)))?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION],
    ).toBe("Namespace");
  });
});

describe("applyManifests from what the caller just read (the executor after its plan re-check)", () => {
  /** What the plan re-check reads: each object (the diff) and the parent (the prune search). */
  async function observe(objects: KubeObject[], set: ApplySetRef): Promise<ObservedState> {
    const diff = await diffManifests(kube.client, objects, { fieldManager: "wharf", applySet: set });
    const found = await findPruneCandidates(kube.client, { applySet: set, keep: diff.objects.map((o) => o.ref) });
    return observedFrom(diff, found.parent);
  }

  /** Applies `objects` from `observed`; returns the report and every request the apply sent ("PATCH configmaps/a"). */
  async function applyObserved(objects: KubeObject[], set: ApplySetRef, observed: ObservedState) {
    const requests: string[] = [];
    const request = kube.client.request.bind(kube.client);
    kube.client.request = ((method, path, opts) => {
      requests.push(`${String(method)} ${path.split("/").slice(-2).join("/")}`);
      return request(method, path, opts);
    }) as typeof kube.client.request;
    try {
      const report = await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet: set, observed });
      return { report, requests };
    } finally {
      kube.client.request = request;
    }
  }

  async function freshSet(prefix: string) {
    const ns = freshNamespace(prefix);
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "test-setup" });
    const set = applySetFor(uniqueName(prefix), ns, { application: prefix });
    return { ns, set, parent: `PATCH configmaps/${applySetParentRef(set).name}` };
  }

  /** Another application's apply of `obj` (the same field manager: every push application's is "wharf"). */
  const otherApplication = (ns: string) => applySetFor(uniqueName("other"), ns, { application: "other" });

  it("sends no read before its first write: parent then object for a new application, the object alone after", async () => {
    const { ns, set, parent } = await freshSet("asetobs");
    const objects = [configMap(ns, "a")];
    const first = await applyObserved(objects, set, await observe(objects, set));
    expect(first.report.results.map((r) => r.action)).toEqual(["created"]);
    expect(first.requests).toEqual([parent, "PATCH configmaps/a"]);

    const changed = [configMap(ns, "a", { key: "v2" })];
    const second = await applyObserved(changed, set, await observe(changed, set));
    expect(second.report.results.map((r) => r.action)).toEqual(["configured"]);
    expect(second.requests).toEqual(["PATCH configmaps/a"]);
    expect((await kube.client.get(refOf(configMap(ns, "a"))))?.data).toEqual({ key: "v2" });
  });

  it("with parentAlongside, a new application's first object does not wait for the parent write", async () => {
    const { ns, set } = await freshSet("asetalong");
    const parentName = applySetParentRef(set).name;
    const objects = [configMap(ns, "a")];
    const observed = await observe(objects, set);
    const events: string[] = [];
    let objectSent!: () => void;
    const objectStarted = new Promise<void>((resolve) => (objectSent = resolve));
    const request = kube.client.request.bind(kube.client);
    kube.client.request = (async (method, path, opts) => {
      const name = path.split("?")[0]!.split("/").at(-1);
      if (name === parentName) {
        // Held until the object's apply is on its way; written first, it would wait here for the fallback instead.
        await Promise.race([objectStarted, new Promise((r) => setTimeout(r, 3000))]);
        const res = await request(method, path, opts);
        events.push("parent written");
        return res;
      }
      events.push(`${String(method)} ${name}`);
      objectSent();
      return request(method, path, opts);
    }) as typeof kube.client.request;
    try {
      const report = await applyManifests(kube.client, objects, {
        fieldManager: "wharf",
        applySet: set,
        observed,
        parentAlongside: true,
      });
      expect(report.results.map((r) => r.action)).toEqual(["created"]);
    } finally {
      kube.client.request = request;
    }
    expect(events).toEqual(["PATCH a", "parent written"]);
    // The parent records the member all the same.
    expect(
      (await kube.client.get(applySetParentRef(set)))?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION],
    ).toBe("ConfigMap");
  });

  it("never takes an object another application created or took after the read", async () => {
    const { ns, set } = await freshSet("asetrace");
    const other = otherApplication(ns);
    const objects = [configMap(ns, "new", { key: "mine" }), configMap(ns, "kept", { key: "mine" })];
    expect(
      (await applyManifests(kube.client, [configMap(ns, "kept")], { fieldManager: "wharf", applySet: set })).ok,
    ).toBe(true);
    const observed = await observe(objects, set);
    // Between the read and the apply another application creates "new" (read as absent) and takes "kept" over (read as
    // this set's), both with the field manager of every push application.
    expect(
      (
        await applyManifests(kube.client, [configMap(ns, "new", { key: "theirs" })], {
          fieldManager: "wharf",
          applySet: other,
        })
      ).ok,
    ).toBe(true);
    const theirs = configMap(ns, "kept", { key: "theirs" });
    theirs.metadata.labels = { [APPLYSET_PART_OF_LABEL]: applySetId(other) };
    await kube.client.apply(theirs, { fieldManager: "wharf", force: true });

    const { report } = await applyObserved(objects, set, observed);
    expect(report.ok).toBe(false);
    for (const name of ["new", "kept"]) {
      const result = report.results.find((r) => r.ref.name === name);
      expect(result?.error?.reason, `${name}: ${result?.message}`).toBe("OwnedByAnotherApplication");
      const live = await kube.client.get(refOf(configMap(ns, name)));
      expect(live?.data).toEqual({ key: "theirs" });
      expect(live?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(applySetId(other));
    }
  });

  it("applies on a fresh read when its own object or its parent changed after the read", async () => {
    const { ns, set } = await freshSet("asetstale");
    expect((await applyManifests(kube.client, [configMap(ns, "a")], { fieldManager: "wharf", applySet: set })).ok).toBe(
      true,
    );
    const objects = [configMap(ns, "a", { key: "v2" }), deployment(ns, "web")];
    const observed = await observe(objects, set);
    // Meanwhile: someone annotates "a" (a field that is not ours), and another run of this set records Secrets.
    await kube.client.apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: ns, annotations: { note: "hi" } } },
      { fieldManager: "someone" },
    );
    const parentNow = await kube.client.get(applySetParentRef(set));
    await kube.client.apply(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: applySetParentRef(set).name,
          namespace: ns,
          labels: { ...parentNow?.metadata.labels },
          annotations: {
            ...parentNow?.metadata.annotations,
            [APPLYSET_GROUP_KINDS_ANNOTATION]: "ConfigMap,Secret",
          },
        },
      },
      { fieldManager: "wharf-applyset", force: true },
    );

    const { report, requests } = await applyObserved(objects, set, observed);
    expect(report.results.map((r) => `${r.ref.name} ${r.action}`)).toEqual(["a configured", "web created"]);
    // Each stale write was refused (409), re-read and made again: nothing written from the stale read.
    expect(requests.filter((r) => r.startsWith("GET"))).toHaveLength(2);
    const a = await kube.client.get(refOf(configMap(ns, "a")));
    expect(a?.data).toEqual({ key: "v2" });
    expect(a?.metadata.annotations?.note).toBe("hi");
    // The parent's union is taken with what was recorded meanwhile, not with the stale read.
    expect(
      (await kube.client.get(applySetParentRef(set)))?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION],
    ).toBe("ConfigMap,Deployment.apps,Secret");
  });

  it("applies an object that changes after every read on its last read, unconditionally, once the retries are spent", async () => {
    const { ns, set } = await freshSet("asethot");
    expect(
      (await applyManifests(kube.client, [configMap(ns, "hot")], { fieldManager: "wharf", applySet: set })).ok,
    ).toBe(true);
    const objects = [configMap(ns, "hot", { key: "v2" })];
    const observed = await observe(objects, set);
    // A controller writing the object after each read of it (a status that keeps moving): every conditional write
    // meets a newer version than the one it was read at.
    let beats = 0;
    const beat = () =>
      kube.client.apply(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "hot", namespace: ns, annotations: { beat: String(++beats) } },
        },
        { fieldManager: "controller" },
      );
    await beat();
    const request = kube.client.request.bind(kube.client);
    kube.client.request = (async (method, path, opts) => {
      const answer = await request(method, path, opts);
      if (String(method) === "GET" && path.endsWith("/configmaps/hot")) await beat();
      return answer;
    }) as typeof kube.client.request;
    let report: Awaited<ReturnType<typeof applyManifests>>;
    try {
      report = await applyManifests(kube.client, objects, { fieldManager: "wharf", applySet: set, observed });
    } finally {
      kube.client.request = request;
    }
    expect(report.results.map((r) => `${r.ref.name} ${r.action} ${r.message ?? ""}`.trim())).toEqual([
      "hot configured",
    ]);
    // The initial change, then one after each of the three re-reads.
    expect(beats).toBe(4);
    const live = await kube.client.get(refOf(configMap(ns, "hot")));
    expect(live?.data).toEqual({ key: "v2" });
    expect(live?.metadata.annotations?.beat).toBe("4");
  });
});

describe("kubectl sees the same ApplySets", () => {
  it("lists Wharf's parent and members, refuses to mutate it, and Wharf refuses kubectl's", async () => {
    const ns = freshNamespace("asetkctl");
    await applyManifests(kube.client, [namespace(ns)], { fieldManager: "test-setup" });
    const set = applySetFor(uniqueName("app"), ns);
    expect(
      (await applyManifests(kube.client, [configMap(ns, "web-config")], { fieldManager: "wharf", applySet: set })).ok,
    ).toBe(true);

    const parents = await kubectl(["get", "configmaps", "-n", ns, "-l", APPLYSET_ID_LABEL, "-o", "name"]);
    expect(parents.stdout.trim().split("\n")).toEqual([`configmap/${set.name}`]);
    const members = await kubectl([
      "get",
      "configmaps",
      "-n",
      ns,
      "-l",
      `${APPLYSET_PART_OF_LABEL}=${applySetId(set)}`,
      "-o",
      "name",
    ]);
    expect(members.stdout.trim()).toBe("configmap/web-config");

    // kubectl's own ApplySet in the same namespace: its id is the one Wharf computes for that parent.
    const file = path.join(os.tmpdir(), `wharf-applyset-${ns}.yaml`);
    await writeFile(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kubectl-config, namespace: ${ns}}\ndata: {a: b}\n`,
    );
    const env = process.env.KUBECTL_APPLYSET;
    process.env.KUBECTL_APPLYSET = "true";
    try {
      const applied = await kubectl([
        "apply",
        "-n",
        ns,
        "--prune",
        "--applyset=configmaps/kset",
        "--server-side",
        "-f",
        file,
      ]);
      expect(applied.code, applied.stderr).toBe(0);
      const kset = await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "kset" });
      expect(kset?.metadata.labels?.[APPLYSET_ID_LABEL]).toBe(applySetId({ name: "kset", namespace: ns }));

      // kubectl will not mutate Wharf's ApplySet ...
      const hijack = await kubectl([
        "apply",
        "-n",
        ns,
        "--prune",
        `--applyset=configmaps/${set.name}`,
        "--server-side",
        "-f",
        file,
      ]);
      expect(hijack.code).not.toBe(0);
      expect(hijack.stderr).toContain("wharf");
    } finally {
      if (env === undefined) delete process.env.KUBECTL_APPLYSET;
      else process.env.KUBECTL_APPLYSET = env;
    }

    // ... and Wharf neither takes kubectl's objects nor its parent.
    const taken = await applyManifests(kube.client, [configMap(ns, "kubectl-config")], {
      fieldManager: "wharf",
      applySet: set,
    });
    expect(taken.results[0]?.message).toMatch(/ApplySet ConfigMap kset in namespace .* \(kubectl\//);
    await expect(
      applyManifests(kube.client, [configMap(ns, "x")], {
        fieldManager: "wharf",
        applySet: { name: "kset", namespace: ns },
      }),
    ).rejects.toThrow(/managed by kubectl/);
  });
});
