import { describe, expect, it } from "vitest";
import { LIVE_EVENT_BOUNDS, withLiveDetails } from "@/lib/agent/live-details";
import { LIVE_SYNC_FIELDS_TOTAL_MAX, ZLiveState, type TLiveNode } from "@/lib/agent/protocol";
import { objectEventOf, readObjectEvents, type KubeClient, type KubeObject, type ObjectSyncStatus } from "@/lib/kube";

// Issue 15, Must 1: what the tree says of each object besides health — sync status (inventory objects) and Events.

const node = (kind: string, name: string, extra: Partial<TLiveNode> = {}): TLiveNode => ({
  apiVersion: kind === "Deployment" || kind === "ReplicaSet" ? "apps/v1" : "v1",
  kind,
  namespace: "shop",
  name,
  health: { status: "Healthy" },
  inInventory: true,
  children: [],
  ...extra,
});

const tree = (): TLiveNode[] => [
  node("Deployment", "web", {
    children: [
      node("ReplicaSet", "web-1", { inInventory: false, children: [node("Pod", "web-1-a", { inInventory: false })] }),
    ],
  }),
  node("ConfigMap", "web-config"),
];

const replicas: ObjectSyncStatus = {
  status: "OutOfSync",
  fields: [
    {
      path: "spec.replicas",
      applied: "3",
      live: "7",
      owner: { manager: "kubectl-edit", operation: "Update", time: "2026-12-06T11:00:00Z" },
    },
  ],
};

describe("withLiveDetails", () => {
  it("marks inventory objects Synced or OutOfSync with their fields, owned objects not at all", () => {
    const roots = withLiveDetails(tree(), { sync: new Map([["apps/Deployment/shop/web", replicas]]) });
    expect(roots[0]!.sync).toEqual(replicas);
    expect(roots[1]!.sync).toEqual({ status: "Synced", fields: [] });
    expect(roots[0]!.children[0]!.sync).toBeUndefined();
    expect(roots[0]!.children[0]!.children[0]!.sync).toBeUndefined();
  });

  it("says nothing of sync before any check, and attaches Events to any object by its key", () => {
    const event = { type: "Warning", reason: "BackOff", message: "Back-off restarting", count: 4, lastTime: "t" };
    const roots = withLiveDetails(tree(), { events: new Map([["/Pod/shop/web-1-a", [event]]]) });
    expect(roots.some((r) => r.sync)).toBe(false);
    expect(roots[0]!.children[0]!.children[0]!.events).toEqual([event]);
    expect(roots[0]!.events).toBeUndefined();
  });

  it("keeps the whole report's drifted fields within the protocol's bound and counts what it left out", () => {
    const many = Array.from({ length: 15 }, (_, i) => node("ConfigMap", `c${i}`));
    const twenty: ObjectSyncStatus = {
      status: "OutOfSync",
      fields: Array.from({ length: 20 }, (_, i) => ({ path: `data.k${i}`, applied: "a", live: "b" })),
      omittedFields: 2,
      truncated: true,
    };
    const roots = withLiveDetails(many, { sync: new Map(many.map((n) => [`/ConfigMap/shop/${n.name}`, twenty])) });
    const kept = roots.reduce((sum, r) => sum + (r.sync?.fields.length ?? 0), 0);
    expect(kept).toBe(LIVE_SYNC_FIELDS_TOTAL_MAX);
    expect(roots[9]!.sync).toMatchObject({ fields: expect.any(Array), omittedFields: 2, truncated: true });
    expect(roots[10]!.sync).toMatchObject({ status: "OutOfSync", fields: [], omittedFields: 22, truncated: true });
    // And the protocol takes it.
    const state = {
      targetId: "t1",
      repoId: "r1",
      revisionId: null,
      health: { status: "Healthy" },
      roots,
      nodeCount: roots.length,
      truncated: false,
      observedAt: new Date().toISOString(),
    };
    expect(ZLiveState.safeParse(state).success).toBe(true);
    // One more field than the bound is refused by the dashboard.
    roots[14]!.sync = { status: "OutOfSync", fields: [{ path: "data.extra" }] };
    expect(ZLiveState.safeParse(state).success).toBe(false);
  });
});

describe("Events", () => {
  const event = (uid: string, name: string, extra: Record<string, unknown>): KubeObject => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "shop", creationTimestamp: "2026-12-06T09:00:00Z" },
    involvedObject: { kind: "Pod", namespace: "shop", name: "web-1-a", uid },
    type: "Normal",
    reason: "Pulled",
    message: "ok",
    ...extra,
  });

  it("reads an Event's count and last time from whichever form it has (core/v1 counts, events.k8s.io series)", () => {
    expect(objectEventOf(event("u", "a", { count: 3, lastTimestamp: "2026-12-06T10:00:00Z" }))).toEqual({
      type: "Normal",
      reason: "Pulled",
      message: "ok",
      count: 3,
      lastTime: "2026-12-06T10:00:00Z",
    });
    expect(
      objectEventOf(event("u", "b", { series: { count: 9, lastObservedTime: "2026-12-06T10:05:00.000000Z" } })),
    ).toMatchObject({ count: 9, lastTime: "2026-12-06T10:05:00.000000Z" });
    expect(objectEventOf(event("u", "c", {}))).toMatchObject({ count: 1, lastTime: "2026-12-06T09:00:00Z" });
    expect(objectEventOf(event("u", "d", { message: "x".repeat(600) }), 500).message).toHaveLength(500);
  });

  it("matches Events to objects by uid, newest first, bounded per object, once per namespace", async () => {
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-1-a", namespace: "shop", uid: "pod-2" },
    };
    const events = [
      // An earlier Pod of the same name: not this one's news.
      event("pod-1", "old", { lastTimestamp: "2026-12-06T08:00:00Z", reason: "Killing" }),
      ...Array.from({ length: 8 }, (_, i) =>
        event("pod-2", `e${i}`, { lastTimestamp: `2026-12-06T10:0${i}:00Z`, reason: `R${i}` }),
      ),
    ];
    const calls: unknown[] = [];
    const client = {
      list: (apiVersion: string, kind: string, opts: unknown) => {
        calls.push([apiVersion, kind, opts]);
        return Promise.resolve(events);
      },
    } as unknown as KubeClient;
    const found = await readObjectEvents(
      client,
      [pod, { ...pod, metadata: { ...pod.metadata, name: "x", uid: "u3" } }],
      LIVE_EVENT_BOUNDS,
    );
    expect(calls).toEqual([["v1", "Event", { namespace: "shop", maxItems: 1000 }]]);
    expect(found.get("/Pod/shop/web-1-a")?.map((e) => e.reason)).toEqual(["R7", "R6", "R5", "R4", "R3"]);
    expect(found.has("/Pod/shop/x")).toBe(false);
  });

  it("leaves Events out of a namespace it may not list instead of failing the read", async () => {
    const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop", uid: "u" } };
    const client = { list: () => Promise.reject(new Error("forbidden")) } as unknown as KubeClient;
    expect((await readObjectEvents(client, [pod])).size).toBe(0);
  });
});
