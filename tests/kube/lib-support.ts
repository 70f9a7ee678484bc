import { randomBytes } from "node:crypto";
import type { SandboxOptions } from "@/lib/kube/sandbox";
import { createKubeClient, kubeConfigFor, type KubeClient, type KubeClientOptions, type KubeObject } from "@/lib/kube";
import { startTestCluster, type TestCluster } from "../support/cluster";

export type { TestCluster };

/**
 * The project's cluster (the sandbox, or the shared real control plane: tests/support/cluster.ts) plus an admin
 * lib/kube client talking to it over HTTPS with a bearer token. `sandboxOptions` only shape a sandbox.
 */
export async function startKube(sandboxOptions: SandboxOptions = {}, clientOptions: KubeClientOptions = {}) {
  const cluster = await startTestCluster({ rolloutDelayMs: 300, ...sandboxOptions });
  const client = clientFor(cluster, cluster.adminToken, clientOptions);
  return {
    cluster,
    client,
    async stop() {
      await client.close();
      await cluster.stop();
    },
  };
}

export function clientFor(
  cluster: Pick<TestCluster, "url" | "caPem">,
  token: string,
  opts: KubeClientOptions = {},
): KubeClient {
  return createKubeClient(
    kubeConfigFor({ name: "test-cluster", server: cluster.url, caPem: cluster.caPem, token }),
    opts,
  );
}

let counter = 0;
// Random per module instance: on the real leg many files share one cluster, and a worker process that runs several
// files re-evaluates this module for each, so a pid and a counter alone would repeat.
const run = randomBytes(3).toString("hex");
/** A namespace name unique within the test run (and on the shared real control plane). */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}-${run}-${counter}`;
}

export function namespace(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

export function configMap(ns: string, name: string, data: Record<string, string> = { key: "value" }): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data };
}

export function deployment(
  ns: string,
  name: string,
  image = "nginx:1.27",
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "web",
              image,
              ports: [{ containerPort: 80, name: "http" }],
              env: [{ name: "MODE", value: "prod" }],
            },
          ],
        },
      },
      ...extra,
    },
  };
}

/**
 * A realistic mixed manifest set of exactly `count` objects (count ≥ 20): a Namespace, RBAC, config, Services,
 * workloads, networking and policy objects, a CRD and one of its instances — deliberately shuffled so the apply
 * order has to come from lib/kube, not from the input.
 */
export function mixedObjects(ns: string, count = 50): KubeObject[] {
  const group = `${ns}.wharf.test`;
  const fixed: KubeObject[] = [
    {
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "w1", namespace: ns },
      spec: { size: 3 },
    } as KubeObject,
    deployment(ns, "web"),
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web", namespace: ns },
      spec: {
        rules: [
          {
            host: "web.example.test",
            http: {
              paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }],
            },
          },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: ns },
      spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }] },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "app", namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "app" },
      subjects: [{ kind: "ServiceAccount", name: "app", namespace: ns }],
    } as KubeObject,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "app", namespace: ns },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }],
    } as KubeObject,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: ns } },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: ns },
      spec: {
        serviceName: "db",
        replicas: 1,
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres:17" }] } },
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly", namespace: ns },
      spec: {
        schedule: "0 3 * * *",
        jobTemplate: {
          spec: {
            template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "job", image: "busybox:1.36" }] } },
          },
        },
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web", namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
    },
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 5,
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: ns },
      type: "Opaque",
      stringData: { password: "s3cret" },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: ns },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${ns}-reader` },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
    } as KubeObject,
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
              },
            },
          },
        ],
      },
    } as KubeObject,
    namespace(ns),
  ];
  const objects = [...fixed];
  for (let i = 0; objects.length < count; i++) {
    const slot = i % 3;
    if (slot === 0) objects.push(configMap(ns, `config-${i}`, { index: String(i), "app.properties": `a=${i}\nb=2\n` }));
    else if (slot === 1)
      objects.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `svc-${i}`, namespace: ns },
        spec: { selector: { app: `svc-${i}` }, ports: [{ port: 8080 }] },
      });
    else objects.push(deployment(ns, `app-${i}`, "nginx:1.27"));
  }
  return objects.slice(0, count);
}
