import { describe, expect, it } from "vitest";
import type { TLiveNode } from "@/lib/agent/protocol";
import { hasLiveDetails, initialExpanded, liveNodeKey, treeKeyAction, visibleRows } from "@/lib/applications/live-tree";

const healthy = { status: "Healthy" as const };
const node = (kind: string, name: string, children: TLiveNode[] = []): TLiveNode => ({
  apiVersion: kind === "Deployment" || kind === "ReplicaSet" ? "apps/v1" : "v1",
  kind,
  namespace: "web",
  name,
  health: healthy,
  inInventory: kind !== "ReplicaSet" && kind !== "Pod",
  children,
});

// Deployment web → ReplicaSet web-1 → Pods a, b; Service web (a leaf).
const roots = [
  node("Deployment", "web", [node("ReplicaSet", "web-1", [node("Pod", "web-1-a"), node("Pod", "web-1-b")])]),
  node("Service", "web"),
];
const names = (rows: { node: TLiveNode }[]) => rows.map((row) => `${row.node.kind}/${row.node.name}`);

describe("the resource tree's rows", () => {
  it("shows the application's objects expanded and what they own collapsed at first", () => {
    const rows = visibleRows(roots, initialExpanded(roots));
    expect(names(rows)).toEqual(["Deployment/web", "ReplicaSet/web-1", "Service/web"]);
    expect(rows.map((row) => [row.level, row.posInSet, row.setSize, row.expandable])).toEqual([
      [1, 1, 2, true],
      [2, 1, 1, true],
      [1, 2, 2, false],
    ]);
    expect(rows[1]!.parentKey).toBe(rows[0]!.key);
  });

  it("keys nodes by their path, so the same object keeps its key across refreshes and two kinds never collide", () => {
    const deployment = liveNodeKey(roots[0]!, null);
    const service = liveNodeKey(roots[1]!, null);
    expect(deployment).not.toBe(service);
    expect(liveNodeKey(structuredClone(roots[0]!), null)).toBe(deployment);
    expect(liveNodeKey(roots[0]!.children[0]!, deployment).startsWith(deployment)).toBe(true);
  });
});

describe("the tree's keys (WAI-ARIA tree view)", () => {
  const expanded = initialExpanded(roots);
  const rows = visibleRows(roots, expanded);
  const [deployment, replicaSet, service] = rows.map((row) => row.key) as [string, string, string];

  it("moves down and up through the visible rows and stops at the ends", () => {
    expect(treeKeyAction(rows, expanded, deployment, "ArrowDown")).toEqual({ type: "focus", key: replicaSet });
    expect(treeKeyAction(rows, expanded, replicaSet, "ArrowUp")).toEqual({ type: "focus", key: deployment });
    expect(treeKeyAction(rows, expanded, service, "ArrowDown")).toBeNull();
    expect(treeKeyAction(rows, expanded, deployment, "ArrowUp")).toBeNull();
    expect(treeKeyAction(rows, expanded, replicaSet, "End")).toEqual({ type: "focus", key: service });
    expect(treeKeyAction(rows, expanded, service, "Home")).toEqual({ type: "focus", key: deployment });
  });

  it("Right opens a closed node, then enters it; Left closes an open node, else goes to the parent", () => {
    expect(treeKeyAction(rows, expanded, replicaSet, "ArrowRight")).toEqual({ type: "expand", key: replicaSet });
    expect(treeKeyAction(rows, expanded, deployment, "ArrowRight")).toEqual({ type: "focus", key: replicaSet });
    expect(treeKeyAction(rows, expanded, service, "ArrowRight")).toBeNull();
    expect(treeKeyAction(rows, expanded, deployment, "ArrowLeft")).toEqual({ type: "collapse", key: deployment });
    expect(treeKeyAction(rows, expanded, replicaSet, "ArrowLeft")).toEqual({ type: "focus", key: deployment });
    expect(treeKeyAction(rows, expanded, service, "ArrowLeft")).toBeNull();

    const opened = new Set([...expanded, replicaSet]);
    const deeper = visibleRows(roots, opened);
    expect(names(deeper)).toEqual(["Deployment/web", "ReplicaSet/web-1", "Pod/web-1-a", "Pod/web-1-b", "Service/web"]);
    const pod = deeper[3]!;
    expect(pod.level).toBe(3);
    expect(treeKeyAction(deeper, opened, pod.key, "ArrowLeft")).toEqual({ type: "focus", key: replicaSet });
  });

  it("Enter toggles, * opens the closed siblings, other keys do nothing, an unknown row falls back to the first", () => {
    expect(treeKeyAction(rows, expanded, deployment, "Enter")).toEqual({ type: "collapse", key: deployment });
    expect(treeKeyAction(rows, expanded, replicaSet, "Enter")).toEqual({ type: "expand", key: replicaSet });
    expect(treeKeyAction(rows, new Set(), deployment, "*")).toEqual({ type: "expand-siblings", keys: [deployment] });
    expect(treeKeyAction(rows, expanded, deployment, "a")).toBeNull();
    expect(treeKeyAction(rows, expanded, "gone", "ArrowDown")).toEqual({ type: "focus", key: deployment });
  });
});

describe("objects with details (issue 15, Must 1: drifted fields and Events)", () => {
  const drifted: TLiveNode = {
    ...node("ConfigMap", "web-config"),
    sync: { status: "OutOfSync", fields: [{ path: "data.greeting", applied: "hello", live: "hi" }] },
  };
  const synced: TLiveNode = { ...node("Service", "web"), sync: { status: "Synced", fields: [] } };
  const withEvents: TLiveNode = {
    ...node("Pod", "web-1-a"),
    events: [{ type: "Warning", reason: "BackOff", message: "Back-off restarting", count: 3 }],
  };

  it("a leaf with drifted fields or Events expands to show them; a Synced leaf without Events does not", () => {
    expect([drifted, synced, withEvents].map(hasLiveDetails)).toEqual([true, false, true]);
    const missing: TLiveNode = { ...synced, sync: { status: "OutOfSync", fields: [], message: "Missing" } };
    expect(hasLiveDetails(missing)).toBe(true);
    const rows = visibleRows([drifted, synced], new Set());
    expect(rows.map((row) => row.expandable)).toEqual([true, false]);
  });

  it("Right opens a leaf's details and then stays (no child to enter); Left closes them", () => {
    const tree = [drifted, synced];
    const key = liveNodeKey(drifted, null);
    expect(treeKeyAction(visibleRows(tree, new Set()), new Set(), key, "ArrowRight")).toEqual({ type: "expand", key });
    const open = new Set([key]);
    expect(treeKeyAction(visibleRows(tree, open), open, key, "ArrowRight")).toBeNull();
    expect(treeKeyAction(visibleRows(tree, open), open, key, "ArrowLeft")).toEqual({ type: "collapse", key });
    // Down still goes to the next object, not into the details.
    expect(treeKeyAction(visibleRows(tree, open), open, key, "ArrowDown")).toEqual({
      type: "focus",
      key: liveNodeKey(synced, null),
    });
  });
});
