import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { uniqueName } from "./lib-support";

// Workloads as kubectl shows them, on both legs: the sandbox's simulator must match what kube-controller-manager,
// kube-scheduler and kwok (the real leg's node) do. Unique namespaces: the real control plane is shared with every
// other file. What only the sandbox can show (its event TTL sweep, kubelet events) is in sandbox-workloads.test.ts.
let cluster: TestCluster;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;
/** The cluster's one node (the sandbox's, or kwok's on the real leg). */
let node: string;
const wl1 = uniqueName("wl1");
const wl2 = uniqueName("wl2");
const wl3 = uniqueName("wl3");

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 150 });
  kubectl = await kubectlRunner(cluster);
  node = await ok(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]);
});
afterAll(async () => {
  // The shared real control plane outlives this file: take away what it created there (a sandbox is simply stopped).
  if (cluster?.kind === "real")
    await kubectl(["delete", "namespace", wl1, wl2, wl3, "--ignore-not-found", "--wait=false"]);
  await cluster?.stop();
});

interface Obj {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
  };
  spec: Record<string, unknown> & { replicas?: number; nodeName?: string };
  status: Record<string, unknown>;
  revision?: number;
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? undefined : { input });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

async function json<T = Obj>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, "-o", "json"])) as T;
}

const deployment = (ns: string, image: string, replicas = 2, progressDeadlineSeconds = 600) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: ${replicas}
  progressDeadlineSeconds: ${progressDeadlineSeconds}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "${image}"}]
`;

describe("workloads as kubectl shows them", () => {
  it("a Deployment owns a ReplicaSet that owns running Pods on the node; rollout, history, undo, events and garbage collection work", async () => {
    await ok(["create", "namespace", wl1]);
    await ok(["apply", "-f", "-"], deployment(wl1, "nginx:1.27"));
    await ok(["rollout", "status", "deployment/web", "-n", wl1, "--timeout=30s"]);

    const deploy = await json(["get", "deployment", "web", "-n", wl1]);
    const rsList = await json<{ items: Obj[] }>(["get", "rs", "-n", wl1]);
    expect(rsList.items).toHaveLength(1);
    const rs1 = rsList.items[0]!;
    expect(rs1.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Deployment", name: "web", uid: deploy.metadata.uid, controller: true }),
    ]);
    expect(rs1.metadata.name).toBe(`web-${rs1.metadata.labels?.["pod-template-hash"] ?? ""}`);
    expect(rs1.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");

    const pods = await json<{ items: Obj[] }>(["get", "pods", "-n", wl1, "-l", "app=web"]);
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({
        kind: "ReplicaSet",
        name: rs1.metadata.name,
        uid: rs1.metadata.uid,
      });
      expect(p.spec.nodeName).toBe(node);
      expect(p.status).toMatchObject({
        phase: "Running",
        containerStatuses: [
          expect.objectContaining({ name: "nginx", image: "nginx:1.27", ready: true, restartCount: 0 }),
        ],
      });
    }
    await ok(["wait", "pod", "-l", "app=web", "-n", wl1, "--for=condition=Ready", "--timeout=20s"]);

    // A new image: a second ReplicaSet, the first scaled to zero.
    await ok(["set", "image", "deployment/web", "nginx=nginx:1.28", "-n", wl1]);
    await ok(["rollout", "status", "deployment/web", "-n", wl1, "--timeout=30s"]);
    const after = (await json<{ items: Obj[] }>(["get", "rs", "-n", wl1])).items;
    expect(
      after.map((r) => [r.metadata.annotations?.["deployment.kubernetes.io/revision"], r.spec.replicas]).sort(),
    ).toEqual([
      ["1", 0],
      ["2", 2],
    ]);
    const history = await ok(["rollout", "history", "deployment/web", "-n", wl1]);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const rev1 = await ok(["rollout", "history", "deployment/web", "-n", wl1, "--revision=1"]);
    expect(rev1).toContain("nginx:1.27");

    await ok(["rollout", "undo", "deployment/web", "-n", wl1]);
    await ok(["rollout", "status", "deployment/web", "-n", wl1, "--timeout=30s"]);
    const undone = await json(["get", "deployment", "web", "-n", wl1]);
    expect(undone.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    const rsAfterUndo = await json(["get", "rs", rs1.metadata.name, "-n", wl1]);
    expect(rsAfterUndo.metadata.uid).toBe(rs1.metadata.uid);
    expect(rsAfterUndo.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(rsAfterUndo.spec.replicas).toBe(2);
    expect(await ok(["rollout", "history", "deployment/web", "-n", wl1])).toMatch(/\n2\s+<none>\n3\s+<none>/);

    const events = await json<{
      items: Array<{
        reason: string;
        message: string;
        involvedObject: { kind: string; name: string };
        source: { component: string };
      }>;
    }>(["get", "events", "-n", wl1]);
    const seen = events.items.map((e) => `${e.involvedObject.kind} ${e.reason}: ${e.message}`);
    expect(seen).toContain(`Deployment ScalingReplicaSet: Scaled up replica set ${rs1.metadata.name} from 0 to 2`);
    // A rolling update of two replicas goes one pod at a time (maxSurge 1, maxUnavailable 0).
    expect(seen).toContain(`Deployment ScalingReplicaSet: Scaled down replica set ${rs1.metadata.name} from 2 to 1`);
    expect(seen).toContain(`Deployment ScalingReplicaSet: Scaled down replica set ${rs1.metadata.name} from 1 to 0`);
    expect(seen.some((s) => s.startsWith(`ReplicaSet SuccessfulCreate: Created pod: ${rs1.metadata.name}-`))).toBe(
      true,
    );
    expect(
      seen.some((s) => new RegExp(`^Pod Scheduled: Successfully assigned ${wl1}/web-\\S+ to ${node}$`).test(s)),
    ).toBe(true);
    expect(await ok(["get", "events", "-n", wl1, "--field-selector", "reason=ScalingReplicaSet"])).toContain(
      "deployment/web",
    );

    await ok(["delete", "deployment", "web", "-n", wl1, "--wait=true"]);
    await expect
      .poll(async () => (await json<{ items: Obj[] }>(["get", "rs,pods", "-n", wl1])).items.length, { timeout: 30_000 })
      .toBe(0);
  });

  it("a failing rollout names the new ReplicaSet, which exists; its pods crash-loop with restarts", async () => {
    await ok(["create", "namespace", wl2]);
    await ok(["apply", "-f", "-"], deployment(wl2, "nginx:fail", 1, 10));
    const status = await kubectl(["rollout", "status", "deployment/web", "-n", wl2, "--timeout=30s"]);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toBe('error: deployment "web" exceeded its progress deadline\n');
    const deploy = await json<{ status: { conditions: Array<{ type: string; message: string }> } }>([
      "get",
      "deployment",
      "web",
      "-n",
      wl2,
    ]);
    const message = deploy.status.conditions.find((c) => c.type === "Progressing")?.message ?? "";
    const m = /^ReplicaSet "([^"]+)" has timed out progressing\.$/.exec(message);
    expect(m, message).not.toBeNull();
    const rs = await json(["get", "rs", m?.[1] ?? "", "-n", wl2]);
    const pods = await json<{ items: Obj[] }>(["get", "pods", "-n", wl2]);
    expect(pods.items[0]?.metadata.ownerReferences?.[0]?.uid).toBe(rs.metadata.uid);
    expect(pods.items[0]?.status).toMatchObject({
      phase: "Running",
      containerStatuses: [
        expect.objectContaining({
          ready: false,
          restartCount: 1,
          state: { waiting: expect.objectContaining({ reason: "CrashLoopBackOff" }) },
        }),
      ],
    });
  });

  it("StatefulSets own ordinal Pods and ControllerRevisions, DaemonSets a Pod on the node, Jobs completed Pods", async () => {
    await ok(["create", "namespace", wl3]);
    await ok(
      ["apply", "-f", "-"],
      `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${wl3}}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ${wl3}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "fluent-bit:3"}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: ${wl3}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "busybox:1.36"}]
`,
    );
    await ok(["rollout", "status", "statefulset/db", "-n", wl3, "--timeout=30s"]);
    await ok(["rollout", "status", "daemonset/agent", "-n", wl3, "--timeout=30s"]);
    await ok(["wait", "job/migrate", "-n", wl3, "--for=condition=Complete", "--timeout=30s"]);

    const pods = (await json<{ items: Obj[] }>(["get", "pods", "-n", wl3])).items;
    const owners = Object.fromEntries(
      pods.map((p) => [p.metadata.name, `${p.metadata.ownerReferences?.[0]?.kind ?? ""} ${String(p.status.phase)}`]),
    );
    expect(owners["db-0"]).toBe("StatefulSet Running");
    expect(owners["db-1"]).toBe("StatefulSet Running");
    expect(
      Object.entries(owners)
        .filter(([n]) => n.startsWith("agent-"))
        .map(([, v]) => v),
    ).toEqual(["DaemonSet Running"]);
    expect(
      Object.entries(owners)
        .filter(([n]) => n.startsWith("migrate-"))
        .map(([, v]) => v),
    ).toEqual(["Job Succeeded"]);

    await ok([
      "patch",
      "statefulset",
      "db",
      "-n",
      wl3,
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"postgres:17"}]',
    ]);
    await ok(["rollout", "status", "statefulset/db", "-n", wl3, "--timeout=30s"]);
    const revisions = (await json<{ items: Obj[] }>(["get", "controllerrevisions", "-n", wl3, "-l", "app=db"])).items;
    expect(revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
    expect(await ok(["rollout", "history", "statefulset/db", "-n", wl3])).toMatch(/\n1\s+<none>\n2\s+<none>/);
    const sts = await json(["get", "statefulset", "db", "-n", wl3]);
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    const db0 = await json(["get", "pod", "db-0", "-n", wl3]);
    expect(db0.metadata.labels?.["controller-revision-hash"]).toBe(sts.status.updateRevision);

    const events = await ok(["get", "events", "-n", wl3]);
    expect(events).toContain("create Pod db-0 in StatefulSet db successful");
    expect(events).toContain("Job completed");

    await ok(["delete", "statefulset", "db", "-n", wl3]);
    await expect
      .poll(
        async () =>
          (await json<{ items: Obj[] }>(["get", "pods,controllerrevisions", "-n", wl3, "-l", "app=db"])).items.length,
        { timeout: 30_000 },
      )
      .toBe(0);
  });
});
