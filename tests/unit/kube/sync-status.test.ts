import { describe, expect, it } from "vitest";
import { diffObjects, type ObjectDiff } from "@/lib/kube/diff";
import { fieldOwner, fieldsV1Holds } from "@/lib/kube/field-owners";
import { syncStatusOf } from "@/lib/kube/sync-status";
import type { KubeObject } from "@/lib/kube/types";

// Issue 15, Must 1: per-object sync status with the drifted fields' values and the field manager that changed them.

const WHARF = "wharf-agent";
const APPLIED_AT = "2026-12-06T10:00:00Z";
const EDITED_AT = "2026-12-06T11:30:00Z";

/** A Deployment as Wharf applied it, then as `kubectl edit` left it: replicas 3 → 7, the web image, an env value. */
function objects() {
  const desired: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
    spec: {
      replicas: 3,
      template: {
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              args: ["--port", "80"],
              env: [{ name: "MODE", value: "fast" }],
              ports: [{ containerPort: 80, protocol: "TCP" }],
            },
          ],
        },
      },
    },
  };
  const live = structuredClone(desired);
  const spec = live.spec as { replicas: number; template: { spec: { containers: Record<string, unknown>[] } } };
  spec.replicas = 7;
  const web = spec.template.spec.containers[0]!;
  web.image = "nginx:1.28";
  web.args = ["--port", "8080"];
  (web.ports as Record<string, unknown>[])[0]!.containerPort = 8080;
  live.metadata.managedFields = [
    {
      manager: WHARF,
      operation: "Apply",
      time: APPLIED_AT,
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:template": {
            "f:spec": {
              "f:containers": {
                'k:{"name":"web"}': { ".": {}, "f:name": {}, "f:env": { 'k:{"name":"MODE"}': { "f:value": {} } } },
              },
            },
          },
        },
      },
    },
    {
      manager: "kubectl-edit",
      operation: "Update",
      time: EDITED_AT,
      fieldsV1: {
        "f:spec": {
          "f:replicas": {},
          "f:template": {
            "f:spec": {
              "f:containers": {
                'k:{"name":"web"}': {
                  "f:image": {},
                  // Atomic list: the whole list is one leaf.
                  "f:args": {},
                  "f:ports": { 'k:{"containerPort":8080,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
                },
              },
            },
          },
        },
      },
    },
    // Status writes are never a drift's author.
    { manager: "kube-controller-manager", operation: "Update", subresource: "status", time: EDITED_AT, fieldsV1: {} },
  ];
  return { desired, live };
}

describe("fieldOwner", () => {
  it("finds the manager owning a nested field, a list item by its merge key, and an atomic list's element", () => {
    const { live } = objects();
    const owner = (segments: Parameters<typeof fieldOwner>[1]) => fieldOwner(live, segments, { except: WHARF });
    expect(owner([{ field: "spec" }, { field: "replicas" }])).toEqual({
      manager: "kubectl-edit",
      operation: "Update",
      time: EDITED_AT,
    });
    const web = [
      { field: "spec" },
      { field: "template" },
      { field: "spec" },
      { field: "containers" },
      { key: "name", value: "web" },
    ];
    expect(owner([...web, { field: "image" }])?.manager).toBe("kubectl-edit");
    expect(owner([...web, { field: "args" }, { index: 1 }])?.manager).toBe("kubectl-edit");
    // Our own fields, and a field nobody owns, have no other owner.
    expect(owner([...web, { field: "env" }, { key: "name", value: "MODE" }, { field: "value" }])).toBeUndefined();
    expect(owner([{ field: "spec" }, { field: "paused" }])).toBeUndefined();
    // Our own manager is found when not excluded.
    expect(fieldOwner(live, [{ field: "metadata" }, { field: "labels" }, { field: "app" }], { except: "x" })).toEqual({
      manager: WHARF,
      operation: "Apply",
      time: APPLIED_AT,
    });
  });

  it("matches a compound merge key (containerPort + protocol) against the live item", () => {
    const fields = { "f:ports": { 'k:{"containerPort":8080,"protocol":"TCP"}': { "f:containerPort": {} } } };
    const port = { containerPort: 8080, protocol: "TCP" };
    expect(fieldsV1Holds(fields, [{ field: "ports" }, { key: "containerPort", value: 8080, item: port }])).toBe(true);
    expect(
      fieldsV1Holds(fields, [
        { field: "ports" },
        { key: "containerPort", value: 8080, item: { ...port, protocol: "UDP" } },
      ]),
    ).toBe(false);
    // An empty field set owns nothing, not even the root.
    expect(fieldsV1Holds({}, [{ field: "spec" }])).toBe(false);
  });

  it("picks the most recently active of several owners and tolerates missing or malformed entries", () => {
    const { live } = objects();
    live.metadata.managedFields = [
      {
        manager: "old-tool",
        operation: "Apply",
        time: "2026-01-01T00:00:00Z",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
      },
      {
        manager: "hpa",
        operation: "Update",
        time: "2026-06-01T00:00:00Z",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
      },
      "not an entry",
      { operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {} } } },
    ];
    expect(fieldOwner(live, [{ field: "spec" }, { field: "replicas" }], { except: WHARF })?.manager).toBe("hpa");
    delete live.metadata.managedFields;
    expect(fieldOwner(live, [{ field: "spec" }, { field: "replicas" }], { except: WHARF })).toBeUndefined();
  });
});

describe("diffObjects with attribution", () => {
  it("names the other manager on each changed field, and only when asked", () => {
    const { desired, live } = objects();
    const changes = diffObjects(live, desired, { attributeExcept: WHARF });
    expect(changes.map((c) => [c.path, c.old, c.new, c.owner?.manager])).toEqual([
      ["spec.replicas", 7, 3, "kubectl-edit"],
      ["spec.template.spec.containers[name=web].args[1]", "8080", "80", "kubectl-edit"],
      ["spec.template.spec.containers[name=web].image", "nginx:1.28", "nginx:1.27", "kubectl-edit"],
      // The port list is keyed by containerPort, so an edited port is one item gone and another added.
      [
        "spec.template.spec.containers[name=web].ports[containerPort=8080]",
        { containerPort: 8080, protocol: "TCP" },
        undefined,
        "kubectl-edit",
      ],
      [
        "spec.template.spec.containers[name=web].ports[containerPort=80]",
        undefined,
        { containerPort: 80, protocol: "TCP" },
        undefined,
      ],
    ]);
    expect(diffObjects(live, desired).some((c) => c.owner)).toBe(false);
  });

  it("keeps a Secret's values hidden but still names who changed them", () => {
    const secret = (value: string, managed?: unknown[]): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "shop", ...(managed ? { managedFields: managed } : {}) },
      data: { password: value },
    });
    const live = secret("bmV3", [
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:data": { "f:password": {} } } },
    ]);
    const [change] = diffObjects(live, secret("b2xk"), { attributeExcept: WHARF });
    expect(change).toEqual({
      path: "data.password",
      op: "change",
      old: "(sensitive value hidden)",
      new: "(sensitive value hidden)",
      owner: { manager: "kubectl-edit", operation: "Update" },
    });
  });
});

describe("syncStatusOf", () => {
  const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };
  const changeDiff = (): ObjectDiff => {
    const { desired, live } = objects();
    return { ref, action: "change", changes: diffObjects(live, desired, { attributeExcept: WHARF }) };
  };

  it("reads applied → live with the owner, strings bare and other values as JSON", () => {
    const status = syncStatusOf(changeDiff());
    expect(status.status).toBe("OutOfSync");
    expect(status.truncated).toBeUndefined();
    expect(status.fields[0]).toEqual({
      path: "spec.replicas",
      applied: "3",
      live: "7",
      owner: { manager: "kubectl-edit", operation: "Update", time: EDITED_AT },
    });
    expect(status.fields[2]).toMatchObject({ applied: "nginx:1.27", live: "nginx:1.28" });
    // A field only one side has: the other side is absent, not an empty string.
    expect(status.fields[3]).toEqual({
      path: "spec.template.spec.containers[name=web].ports[containerPort=8080]",
      live: '{"containerPort":8080,"protocol":"TCP"}',
      owner: expect.objectContaining({ manager: "kubectl-edit" }),
    });
    expect(status.fields[4]).toEqual({
      path: "spec.template.spec.containers[name=web].ports[containerPort=80]",
      applied: '{"containerPort":80,"protocol":"TCP"}',
    });
  });

  it("caps fields, values and paths, and says so", () => {
    const capped = syncStatusOf(changeDiff(), { maxFields: 2, maxValueChars: 8, maxPathChars: 20 });
    expect(capped.fields).toHaveLength(2);
    expect(capped.omittedFields).toBe(3);
    expect(capped.truncated).toBe(true);
    expect(capped.fields[1]!.path).toBe("spec.template.spec.…");
    expect(capped.fields[1]!.path).toHaveLength(20);
    const values = syncStatusOf(changeDiff(), { maxValueChars: 8 });
    expect(values.omittedFields).toBeUndefined();
    expect(values.truncated).toBe(true);
    expect(values.fields[2]).toMatchObject({ applied: "nginx:1…", live: "nginx:1…" });
  });

  it("is Synced when unchanged, OutOfSync when missing or to be pruned, Unknown when the check failed", () => {
    expect(syncStatusOf({ ref, action: "unchanged", changes: [] })).toEqual({ status: "Synced", fields: [] });
    expect(syncStatusOf({ ref, action: "create", changes: [] })).toMatchObject({
      status: "OutOfSync",
      message: "Missing from the cluster",
    });
    expect(syncStatusOf({ ref, action: "prune", changes: [] }).status).toBe("OutOfSync");
    expect(syncStatusOf({ ref, action: "error", changes: [], message: "forbidden" })).toEqual({
      status: "Unknown",
      fields: [],
      message: "forbidden",
    });
  });
});
