import { writeFile } from "node:fs/promises";
import path from "node:path";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {LOG_LEVEL: info}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: shop}
spec: {size: 3}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: job, image: "busybox:1.36", command: [sh, -c, "echo hi"]}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

let sandbox: Sandbox;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;
let manifestPath: string;

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 300 });
  kubectl = await kubectlRunner(sandbox);
  manifestPath = path.join(os.tmpdir(), `wharf-sandbox-manifests-${process.pid}.yaml`);
  await writeFile(manifestPath, MANIFESTS);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe("kubectl against the sandbox", () => {
  it("lists the default namespaces", async () => {
    const r = await kubectl(["get", "ns"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const names = r.stdout.trim().split("\n").slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+AGE/);
    expect(r.stdout).toMatch(/default\s+Active\s+\d+s/);
  });

  it("server-side applies a multi-document file; the custom resource needs its CRD established first, as on a real cluster", async () => {
    const first = await kubectl(["apply", "--server-side", "-f", manifestPath]);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
    expect(first.stdout).toContain("customresourcedefinition.apiextensions.k8s.io/widgets.example.com serverside-applied");

    const second = await kubectl(["apply", "--server-side", "-f", manifestPath]);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    for (const line of [
      "namespace/shop serverside-applied",
      "configmap/settings serverside-applied",
      "deployment.apps/web serverside-applied",
      "service/web serverside-applied",
      "widget.example.com/w1 serverside-applied",
      "horizontalpodautoscaler.autoscaling/web serverside-applied",
      "cronjob.batch/nightly serverside-applied",
      "poddisruptionbudget.policy/web serverside-applied",
      "networkpolicy.networking.k8s.io/deny-all serverside-applied",
    ]) {
      expect(second.stdout).toContain(line);
    }
    const widgets = await kubectl(["get", "wg", "-n", "shop", "-o", "jsonpath={.items[*].spec.size}"]);
    expect(widgets.stdout).toBe("3");
  });

  it("shows managedFields and simulated status in get -o json, and rollout status completes", async () => {
    const rollout = await kubectl(["rollout", "status", "deployment/web", "-n", "shop", "--timeout=20s"]);
    expect(rollout.stdout).toContain('deployment "web" successfully rolled out');
    const r = await kubectl(["get", "deploy", "web", "-n", "shop", "-o", "json", "--show-managed-fields"]);
    expect(r.code).toBe(0);
    const deploy = JSON.parse(r.stdout) as {
      metadata: { generation: number; managedFields: Array<{ manager: string; operation: string; subresource?: string; fieldsV1: Record<string, unknown> }> };
      spec: { strategy: { type: string } };
      status: { observedGeneration: number; readyReplicas: number; conditions: Array<{ type: string; reason: string }> };
    };
    const apply = deploy.metadata.managedFields.find((m) => m.manager === "kubectl" && m.operation === "Apply");
    expect(apply?.fieldsV1).toMatchObject({ "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {} } } } } } });
    expect(deploy.metadata.managedFields.some((m) => m.manager === "kube-controller-manager" && m.subresource === "status")).toBe(true);
    expect(deploy.spec.strategy.type).toBe("RollingUpdate");
    expect(deploy.status.observedGeneration).toBe(deploy.metadata.generation);
    expect(deploy.status.readyReplicas).toBe(2);
    expect(deploy.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");

    const table = await kubectl(["get", "deploy", "-n", "shop"]);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+/);
  });

  it("reports a failing rollout the way kubectl does on a real cluster", async () => {
    const r = await kubectl(["set", "image", "deployment/web", "nginx=nginx:fail", "-n", "shop"]);
    expect(r.code).toBe(0);
    const rollout = await kubectl(["rollout", "status", "deployment/web", "-n", "shop", "--timeout=20s"]);
    expect(rollout.code).not.toBe(0);
    expect(rollout.stderr).toContain('deployment "web" exceeded its progress deadline');
  });

  it("answers auth can-i for a namespace-scoped token and issues tokens with create token", async () => {
    expect((await kubectl(["create", "namespace", "team-a"])).code).toBe(0);
    expect((await kubectl(["create", "serviceaccount", "deployer", "-n", "team-a"])).code).toBe(0);
    expect((await kubectl(["create", "rolebinding", "deployer-edit", "--clusterrole=edit", "--serviceaccount=team-a:deployer", "-n", "team-a"])).code).toBe(0);
    const created = await kubectl(["create", "token", "deployer", "-n", "team-a", "--duration=20m"]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { sub: string; exp: number; iat: number; "kubernetes.io": { namespace: string } };
    expect(claims.sub).toBe("system:serviceaccount:team-a:deployer");
    expect(claims["kubernetes.io"].namespace).toBe("team-a");
    expect(claims.exp - claims.iat).toBe(1200);

    const yes = await kubectl(["auth", "can-i", "create", "deployments", "-n", "team-a"], { token });
    expect(yes.stdout.trim()).toBe("yes");
    expect(yes.code).toBe(0);
    const no = await kubectl(["auth", "can-i", "create", "deployments", "-n", "shop"], { token });
    expect(no.stdout.trim()).toBe("no");
    expect(no.code).toBe(1);
    const forbidden = await kubectl(["get", "deployments", "-n", "shop"], { token });
    expect(forbidden.stderr).toContain('deployments.apps is forbidden: User "system:serviceaccount:team-a:deployer" cannot list resource "deployments" in API group "apps" in the namespace "shop"');

    const tooShort = await kubectl(["create", "token", "deployer", "-n", "team-a", "--duration=5m"]);
    expect(tooShort.stderr).toContain("may not specify a duration less than 10 minutes");
  });

  it("deletes objects, and deleting a namespace removes its content", async () => {
    const del = await kubectl(["delete", "configmap", "settings", "-n", "shop"]);
    expect(del.stdout).toContain('configmap "settings" deleted');
    const gone = await kubectl(["get", "configmap", "settings", "-n", "shop"]);
    expect(gone.stderr).toContain('configmaps "settings" not found');

    const ns = await kubectl(["delete", "namespace", "shop", "--timeout=20s"]);
    expect(ns.stdout).toContain('namespace "shop" deleted');
    const after = await kubectl(["get", "deployments,services,widgets", "-A", "-o", "name"]);
    expect(after.stdout).not.toContain("web");
    expect(after.stdout).not.toContain("w1");
  });

  it("streams changes with get --watch", async () => {
    const watch = kubectl(["get", "configmaps", "-n", "default", "--watch", "--request-timeout=3s"]);
    await new Promise((r) => setTimeout(r, 700));
    await kubectl(["create", "configmap", "watched", "-n", "default", "--from-literal=a=b"]);
    const r = await watch;
    expect(r.stdout).toMatch(/kube-root-ca\.crt\s+1/);
    expect(r.stdout).toMatch(/watched\s+1/);
  });
});
