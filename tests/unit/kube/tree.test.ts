import { describe, expect, it } from "vitest";
import { buildResourceTree, walkResourceTree, type ResourceNode } from "@/lib/kube/tree";
import { refOf, type KubeObject, type ObjectRef } from "@/lib/kube/types";

// The tree an application page shows: its inventory with what each object owns, nested by ownerReferences.

let counter = 0;
function live(
  apiVersion: string,
  kind: string,
  name: string,
  opts: { owners?: KubeObject[]; controller?: KubeObject; uid?: string; spec?: unknown; status?: unknown } = {},
): KubeObject {
  const ownerReferences = [
    ...(opts.controller ? [{ ...ownerRef(opts.controller), controller: true }] : []),
    ...(opts.owners ?? []).map(ownerRef),
  ];
  const obj: KubeObject = {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: "shop",
      uid: opts.uid ?? `uid-${name}-${++counter}`,
      ...(ownerReferences.length ? { ownerReferences } : {}),
    },
  };
  if (opts.spec !== undefined) obj.spec = opts.spec;
  if (opts.status !== undefined) obj.status = opts.status;
  return obj;
}

function ownerRef(owner: KubeObject) {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid };
}

const runningPod = (name: string, controller: KubeObject, restarts: number[] = [0]) =>
  live("v1", "Pod", name, {
    controller,
    spec: { containers: restarts.map((_, i) => ({ name: `c${i}`, image: `shop/c${i}:1.2.${i}` })) },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: restarts.map((restartCount, i) => ({
        name: `c${i}`,
        ready: true,
        restartCount,
        state: { running: {} },
      })),
    },
  });

/** A compact picture of a tree: "Kind/name [Health]" with children indented, to compare whole shapes. */
function shape(nodes: readonly ResourceNode[], indent = ""): string[] {
  return nodes.flatMap((n) => [
    `${indent}${n.kind}/${n.name} [${n.health.status}]${n.omittedChildren ? ` +${n.omittedChildren}` : ""}`,
    ...shape(n.children, indent + "  "),
  ]);
}

const healthyDeployment = (name: string) =>
  live("apps/v1", "Deployment", name, {
    spec: { replicas: 2 },
    status: { observedGeneration: 0, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  });

describe("buildResourceTree", () => {
  it("nests Deployment → ReplicaSets → Pods, StatefulSet → Pods, CronJob → Jobs → Pods, and sorts siblings", () => {
    const deploy = healthyDeployment("web");
    const rsNew = live("apps/v1", "ReplicaSet", "web-2", {
      controller: deploy,
      spec: { replicas: 2 },
      status: { availableReplicas: 2, observedGeneration: 0 },
    });
    const rsOld = live("apps/v1", "ReplicaSet", "web-1", {
      controller: deploy,
      spec: { replicas: 0 },
      status: { observedGeneration: 0 },
    });
    const podB = runningPod("web-2-b", rsNew);
    const podA = runningPod("web-2-a", rsNew);
    const sts = live("apps/v1", "StatefulSet", "db", {
      spec: { replicas: 1, updateStrategy: { type: "OnDelete" } },
      status: { observedGeneration: 1, readyReplicas: 1 },
    });
    const stsPod = runningPod("db-0", sts);
    const cron = live("batch/v1", "CronJob", "report", { spec: { schedule: "@daily" }, status: {} });
    const cronJob = live("batch/v1", "Job", "report-1", {
      controller: cron,
      status: { conditions: [{ type: "Complete", status: "True" }] },
    });
    const jobPod = live("v1", "Pod", "report-1-x", {
      controller: cronJob,
      spec: { restartPolicy: "Never", containers: [{ name: "r", image: "shop/report:3" }] },
      status: { phase: "Succeeded" },
    });
    const svc = live("v1", "Service", "web", { spec: { type: "ClusterIP" } });
    // Pods of another application in the same namespace are not part of this tree.
    const stranger = runningPod("other-1", live("apps/v1", "ReplicaSet", "other"));

    const inventory = [deploy, sts, cron, svc].map(refOf);
    const tree = buildResourceTree(inventory, [
      podA,
      stranger,
      rsOld,
      jobPod,
      podB,
      svc,
      rsNew,
      cronJob,
      stsPod,
      sts,
      cron,
      deploy,
    ]);

    expect(shape(tree.roots)).toEqual([
      "Deployment/web [Healthy]",
      "  ReplicaSet/web-1 [Healthy]",
      "  ReplicaSet/web-2 [Healthy]",
      "    Pod/web-2-a [Healthy]",
      "    Pod/web-2-b [Healthy]",
      "StatefulSet/db [Healthy]",
      "  Pod/db-0 [Healthy]",
      "CronJob/report [Healthy]",
      "  Job/report-1 [Healthy]",
      "    Pod/report-1-x [Healthy]",
      "Service/web [Healthy]",
    ]);
    expect(tree.nodeCount).toBe(11);
    expect(tree.truncated).toBe(false);
    expect(tree.health).toEqual({ status: "Healthy" });
    expect(tree.roots.map((r) => r.inInventory)).toEqual([true, true, true, true]);
    expect(tree.roots[0]!.children[0]!.inInventory).toBe(false);
    expect(tree.roots[0]).toMatchObject({ namespace: "shop", apiVersion: "apps/v1", uid: deploy.metadata.uid });
  });

  it("summarises each Pod: phase, restarts summed over containers, ready containers and images", () => {
    const rs = live("apps/v1", "ReplicaSet", "web-1", { spec: { replicas: 1 }, status: { availableReplicas: 1 } });
    const pod = runningPod("web-1-a", rs, [2, 5]);
    (pod.status as { containerStatuses: { ready: boolean }[] }).containerStatuses[1]!.ready = false;
    const tree = buildResourceTree([refOf(rs)], [rs, pod]);
    const podNode = tree.roots[0]!.children[0]!;
    expect(podNode.pod).toEqual({
      phase: "Running",
      restarts: 7,
      ready: 1,
      containers: 2,
      images: ["shop/c0:1.2.0", "shop/c1:1.2.1"],
    });
    expect(tree.roots[0]!.pod).toBeUndefined();
  });

  it("shows a failing rollout: the Pod Degraded with its reason under a Progressing Deployment", () => {
    const deploy = live("apps/v1", "Deployment", "web", {
      spec: { replicas: 1 },
      status: { observedGeneration: 0, replicas: 2, updatedReplicas: 1, availableReplicas: 1 },
    });
    const rs = live("apps/v1", "ReplicaSet", "web-2", { controller: deploy, spec: { replicas: 1 }, status: {} });
    const pod = live("v1", "Pod", "web-2-a", {
      controller: rs,
      spec: { containers: [{ name: "app", image: "shop:fail" }] },
      status: {
        phase: "Pending",
        containerStatuses: [
          { name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } },
        ],
      },
    });
    const tree = buildResourceTree([refOf(deploy)], [deploy, rs, pod]);
    expect(shape(tree.roots)).toEqual([
      "Deployment/web [Progressing]",
      "  ReplicaSet/web-2 [Progressing]",
      "    Pod/web-2-a [Degraded]",
    ]);
    expect(tree.roots[0]!.children[0]!.children[0]!.health.message).toBe('container "app": ImagePullBackOff');
    // Like Argo CD, the application's health is its own objects' (the Deployment reaches Degraded at its deadline).
    expect(tree.health.status).toBe("Progressing");
  });

  it("marks inventory objects the cluster lacks as Missing, in inventory order, and counts them in the health", () => {
    const cm = live("v1", "ConfigMap", "settings");
    const inventory: ObjectRef[] = [
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "gone" },
      refOf(cm),
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "reader" },
    ];
    const tree = buildResourceTree(inventory, [cm]);
    expect(shape(tree.roots)).toEqual([
      "Deployment/gone [Missing]",
      "ConfigMap/settings [Healthy]",
      "ClusterRole/reader [Missing]",
    ]);
    expect(tree.roots[0]).toMatchObject({ namespace: "shop", inInventory: true, children: [] });
    expect(tree.roots[2]!.namespace).toBeUndefined();
    expect(tree.health.status).toBe("Missing");
  });

  it("matches inventory and live objects across API versions of one group, and lists a doubled entry once", () => {
    const deploy = healthyDeployment("web");
    const inventory: ObjectRef[] = [
      { apiVersion: "apps/v1beta2", kind: "Deployment", namespace: "shop", name: "web" },
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
    ];
    const tree = buildResourceTree(inventory, [deploy]);
    expect(shape(tree.roots)).toEqual(["Deployment/web [Healthy]"]);
  });

  it("keeps an inventory object a root even when another inventory object owns it", () => {
    const parent = live("example.com/v1", "Cluster", "pg");
    const owned = live("v1", "Secret", "pg-creds", { controller: parent });
    const tree = buildResourceTree([refOf(parent), refOf(owned)], [parent, owned]);
    expect(shape(tree.roots)).toEqual(["Cluster/pg [Healthy]", "Secret/pg-creds [Healthy]"]);
  });

  it("places an object with several owners once, under its controller", () => {
    const a = live("example.com/v1", "Widget", "a");
    const b = live("example.com/v1", "Widget", "b");
    const shared = live("v1", "ConfigMap", "shared", { owners: [a], controller: b });
    const tree = buildResourceTree([refOf(a), refOf(b)], [a, b, shared]);
    expect(shape(tree.roots)).toEqual(["Widget/a [Healthy]", "Widget/b [Healthy]", "  ConfigMap/shared [Healthy]"]);
  });

  it("survives ownership cycles (each object once)", () => {
    const root = live("example.com/v1", "Widget", "root");
    // x and y own each other, and x is owned by the root; z owns itself.
    const x = live("example.com/v1", "Part", "x", { uid: "uid-x", owners: [root] });
    const y = live("example.com/v1", "Part", "y", { uid: "uid-y", controller: x });
    x.metadata.ownerReferences = [
      ...(x.metadata.ownerReferences as object[]),
      { apiVersion: "example.com/v1", kind: "Part", name: "y", uid: "uid-y" },
    ];
    const z = live("example.com/v1", "Part", "z", { uid: "uid-z", owners: [root] });
    z.metadata.ownerReferences = [
      ...(z.metadata.ownerReferences as object[]),
      { apiVersion: "example.com/v1", kind: "Part", name: "z", uid: "uid-z" },
    ];
    // The root is also owned by y: a cycle through the inventory object.
    root.metadata.ownerReferences = [{ apiVersion: "example.com/v1", kind: "Part", name: "y", uid: "uid-y" }];
    const tree = buildResourceTree([refOf(root)], [root, x, y, z]);
    expect(shape(tree.roots)).toEqual([
      "Widget/root [Healthy]",
      "  Part/x [Healthy]",
      "    Part/y [Healthy]",
      "  Part/z [Healthy]",
    ]);
    expect(tree.nodeCount).toBe(4);
  });

  it("bounds children per node and says how many were left out", () => {
    const rs = live("apps/v1", "ReplicaSet", "web-1", {
      spec: { replicas: 5 },
      status: { availableReplicas: 5, observedGeneration: 0 },
    });
    const pods = Array.from({ length: 5 }, (_, i) => runningPod(`web-1-${i}`, rs));
    const tree = buildResourceTree([refOf(rs)], [rs, ...pods], { maxChildren: 3 });
    expect(shape(tree.roots)).toEqual([
      "ReplicaSet/web-1 [Healthy] +2",
      "  Pod/web-1-0 [Healthy]",
      "  Pod/web-1-1 [Healthy]",
      "  Pod/web-1-2 [Healthy]",
    ]);
    expect(tree.truncated).toBe(true);
  });

  it("bounds the depth below an inventory object", () => {
    const cron = live("batch/v1", "CronJob", "report", { spec: {}, status: {} });
    const job = live("batch/v1", "Job", "report-1", { controller: cron, status: {} });
    const pod = live("v1", "Pod", "report-1-x", { controller: job, spec: { restartPolicy: "Never" }, status: {} });
    const tree = buildResourceTree([refOf(cron)], [cron, job, pod], { maxDepth: 1 });
    expect(shape(tree.roots)).toEqual(["CronJob/report [Healthy]", "  Job/report-1 [Progressing] +1"]);
    expect(tree.truncated).toBe(true);
  });

  it("caps the whole tree's nodes, cutting the deepest level first", () => {
    const deployments = ["a", "b", "c"].map(healthyDeployment);
    const sets = deployments.map((d) =>
      live("apps/v1", "ReplicaSet", `${d.metadata.name}-1`, { controller: d, spec: { replicas: 1 }, status: {} }),
    );
    const pods = sets.map((rs) => runningPod(`${rs.metadata.name}-x`, rs));
    const tree = buildResourceTree(deployments.map(refOf), [...deployments, ...sets, ...pods], { maxNodes: 7 });
    expect(shape(tree.roots)).toEqual([
      "Deployment/a [Healthy]",
      "  ReplicaSet/a-1 [Progressing]",
      "    Pod/a-1-x [Healthy]",
      "Deployment/b [Healthy]",
      "  ReplicaSet/b-1 [Progressing] +1",
      "Deployment/c [Healthy]",
      "  ReplicaSet/c-1 [Progressing] +1",
    ]);
    expect(tree.nodeCount).toBe(7);
    expect(tree.truncated).toBe(true);
  });

  it("builds a 1,000-object tree and walks it parents first", () => {
    const deploys = Array.from({ length: 100 }, (_, i) => healthyDeployment(`app-${i}`));
    const objects: KubeObject[] = [...deploys];
    for (const d of deploys) {
      const rs = live("apps/v1", "ReplicaSet", `${d.metadata.name}-1`, {
        controller: d,
        spec: { replicas: 8 },
        status: { availableReplicas: 8 },
      });
      objects.push(rs, ...Array.from({ length: 8 }, (_, i) => runningPod(`${rs.metadata.name}-${i}`, rs)));
    }
    const tree = buildResourceTree(deploys.map(refOf), objects.reverse());
    expect(tree.nodeCount).toBe(1000);
    expect(tree.truncated).toBe(false);
    const walked = [...walkResourceTree(tree.roots)];
    expect(walked).toHaveLength(1000);
    expect(walked.slice(0, 3).map((n) => n.name)).toEqual(["app-0", "app-0-1", "app-0-1-0"]);
  });
});
