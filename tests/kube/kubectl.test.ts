import { writeFile } from "node:fs/promises";
import path from "node:path";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { uniqueName } from "./lib-support";

// kubectl's behaviour against an API server, on both legs: what holds for the sandbox must hold for the real control
// plane. Names are unique (namespaces, the CRD's group and short name) because on the real leg the control plane is
// shared with every other file. What only a fresh sandbox shows (its exact default namespaces) is in sandbox-kubectl.

const ns = uniqueName("kctl");
const team = uniqueName("kctl-team");
const group = `${ns}.wharf.test`;
const shortName = `wg${ns.replace(/-/g, "")}`;

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${ns}}
data: {LOG_LEVEL: info}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
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
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.${group}}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [${shortName}]}
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
apiVersion: ${group}/v1
kind: Widget
metadata: {name: w1, namespace: ${ns}}
spec: {size: 3}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: ${ns}}
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
metadata: {name: nightly, namespace: ${ns}}
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
metadata: {name: web, namespace: ${ns}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: ${ns}}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

let cluster: TestCluster;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;
let manifestPath: string;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 300 });
  kubectl = await kubectlRunner(cluster);
  manifestPath = path.join(os.tmpdir(), `wharf-kubectl-manifests-${ns}.yaml`);
  await writeFile(manifestPath, MANIFESTS);
});

afterAll(async () => {
  // The shared real control plane outlives this file: take away what it created there (a sandbox is simply stopped).
  if (cluster?.kind === "real") {
    await kubectl(["delete", "namespace", ns, team, "--ignore-not-found", "--wait=false"]);
    await kubectl(["delete", "customresourcedefinition", `widgets.${group}`, "--ignore-not-found", "--wait=false"]);
  }
  await cluster?.stop();
});

describe("kubectl against an API server", () => {
  it("server-side applies a multi-document file; the custom resource needs its CRD established first", async () => {
    const first = await kubectl(["apply", "--server-side", "-f", manifestPath]);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain(`no matches for kind "Widget" in version "${group}/v1"`);
    expect(first.stdout).toContain(`customresourcedefinition.apiextensions.k8s.io/widgets.${group} serverside-applied`);

    const established = await kubectl([
      "wait",
      "--for=condition=Established",
      `customresourcedefinition/widgets.${group}`,
      "--timeout=20s",
    ]);
    expect(established.code, established.stderr).toBe(0);
    const second = await kubectl(["apply", "--server-side", "-f", manifestPath]);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    for (const line of [
      `namespace/${ns} serverside-applied`,
      "configmap/settings serverside-applied",
      "deployment.apps/web serverside-applied",
      "service/web serverside-applied",
      `widget.${group}/w1 serverside-applied`,
      "horizontalpodautoscaler.autoscaling/web serverside-applied",
      "cronjob.batch/nightly serverside-applied",
      "poddisruptionbudget.policy/web serverside-applied",
      "networkpolicy.networking.k8s.io/deny-all serverside-applied",
    ]) {
      expect(second.stdout).toContain(line);
    }
    // The CRD's short name resolves through discovery.
    const widgets = await kubectl(["get", shortName, "-n", ns, "-o", "jsonpath={.items[*].spec.size}"]);
    expect(widgets.stdout).toBe("3");
  });

  it("shows managedFields and the controller's status in get -o json, and rollout status completes", async () => {
    const rollout = await kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=25s"]);
    expect(rollout.stdout).toContain('deployment "web" successfully rolled out');
    const r = await kubectl(["get", "deploy", "web", "-n", ns, "-o", "json", "--show-managed-fields"]);
    expect(r.code).toBe(0);
    const deploy = JSON.parse(r.stdout) as {
      metadata: {
        generation: number;
        managedFields: Array<{
          manager: string;
          operation: string;
          subresource?: string;
          fieldsV1: Record<string, unknown>;
        }>;
      };
      spec: { strategy: { type: string } };
      status: {
        observedGeneration: number;
        readyReplicas: number;
        conditions: Array<{ type: string; reason: string }>;
      };
    };
    const apply = deploy.metadata.managedFields.find((m) => m.manager === "kubectl" && m.operation === "Apply");
    expect(apply?.fieldsV1).toMatchObject({
      "f:spec": {
        "f:replicas": {},
        "f:template": { "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {} } } } },
      },
    });
    expect(
      deploy.metadata.managedFields.some((m) => m.manager === "kube-controller-manager" && m.subresource === "status"),
    ).toBe(true);
    expect(deploy.spec.strategy.type).toBe("RollingUpdate");
    expect(deploy.status.observedGeneration).toBe(deploy.metadata.generation);
    expect(deploy.status.readyReplicas).toBe(2);
    expect(deploy.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");

    const table = await kubectl(["get", "deploy", "-n", ns]);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+/);
  });

  it("reports a failing rollout with the progress-deadline message", async () => {
    // A short deadline so the controller gives up within the test (the default is 10 minutes); both legs crash-loop
    // an image tagged `fail`.
    const patched = await kubectl([
      "patch",
      "deployment",
      "web",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"spec":{"progressDeadlineSeconds":10}}',
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    const r = await kubectl(["set", "image", "deployment/web", "nginx=nginx:fail", "-n", ns]);
    expect(r.code).toBe(0);
    const rollout = await kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=25s"]);
    expect(rollout.code).not.toBe(0);
    expect(rollout.stderr).toContain('deployment "web" exceeded its progress deadline');
  });

  it("answers auth can-i for a namespace-scoped token and issues tokens with create token", async () => {
    expect((await kubectl(["create", "namespace", team])).code).toBe(0);
    expect((await kubectl(["create", "serviceaccount", "deployer", "-n", team])).code).toBe(0);
    expect(
      (
        await kubectl([
          "create",
          "rolebinding",
          "deployer-edit",
          "--clusterrole=edit",
          `--serviceaccount=${team}:deployer`,
          "-n",
          team,
        ])
      ).code,
    ).toBe(0);
    const created = await kubectl(["create", "token", "deployer", "-n", team, "--duration=20m"]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
      sub: string;
      exp: number;
      iat: number;
      "kubernetes.io": { namespace: string };
    };
    expect(claims.sub).toBe(`system:serviceaccount:${team}:deployer`);
    expect(claims["kubernetes.io"].namespace).toBe(team);
    expect(claims.exp - claims.iat).toBe(1200);

    const yes = await kubectl(["auth", "can-i", "create", "deployments", "-n", team], { token });
    expect(yes.stdout.trim()).toBe("yes");
    expect(yes.code).toBe(0);
    const no = await kubectl(["auth", "can-i", "create", "deployments", "-n", ns], { token });
    expect(no.stdout.trim()).toBe("no");
    expect(no.code).toBe(1);
    const forbidden = await kubectl(["get", "deployments", "-n", ns], { token });
    expect(forbidden.stderr).toContain(
      `deployments.apps is forbidden: User "system:serviceaccount:${team}:deployer" cannot list resource "deployments" in API group "apps" in the namespace "${ns}"`,
    );

    const tooShort = await kubectl(["create", "token", "deployer", "-n", team, "--duration=5m"]);
    expect(tooShort.stderr).toContain("may not specify a duration less than 10 minutes");
  });

  it("deletes objects, and deleting a namespace removes its content", async () => {
    const del = await kubectl(["delete", "configmap", "settings", "-n", ns]);
    expect(del.stdout).toContain('configmap "settings" deleted');
    const gone = await kubectl(["get", "configmap", "settings", "-n", ns]);
    expect(gone.stderr).toContain('configmaps "settings" not found');

    const deleted = await kubectl(["delete", "namespace", ns, "--timeout=25s"]);
    expect(deleted.stdout).toContain(`namespace "${ns}" deleted`);
    expect(deleted.code, deleted.stderr).toBe(0);
    const after = await kubectl(["get", `deployments,services,widgets.${group}`, "-n", ns, "-o", "name"]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe("");
    expect((await kubectl(["get", "namespace", ns])).stderr).toContain(`namespaces "${ns}" not found`);
  });

  it("streams changes with get --watch", async () => {
    const watch = kubectl(["get", "configmaps", "-n", team, "--watch", "--request-timeout=3s"]);
    await new Promise((r) => setTimeout(r, 700));
    await kubectl(["create", "configmap", "watched", "-n", team, "--from-literal=a=b"]);
    const r = await watch;
    expect(r.stdout).toMatch(/kube-root-ca\.crt\s+1/);
    expect(r.stdout).toMatch(/watched\s+1/);
  });
});
