/** Objects every fresh cluster has: system namespaces, a node, bootstrap RBAC roles and bindings, priority classes. */
import type { Cluster } from "./cluster";
import { KUBE_VERSION } from "./discovery";

type Obj = Record<string, unknown>;

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const VIEW_RULES = [
  {
    apiGroups: [""],
    resources: [
      "configmaps",
      "endpoints",
      "persistentvolumeclaims",
      "persistentvolumeclaims/status",
      "pods",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "serviceaccounts",
      "services",
      "services/status",
      "bindings",
      "events",
      "limitranges",
      "namespaces/status",
      "pods/log",
      "pods/status",
      "replicationcontrollers/status",
      "resourcequotas",
      "resourcequotas/status",
      "namespaces",
    ],
    verbs: READ,
  },
  {
    apiGroups: ["apps"],
    resources: [
      "controllerrevisions",
      "daemonsets",
      "daemonsets/status",
      "deployments",
      "deployments/scale",
      "deployments/status",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "statefulsets",
      "statefulsets/scale",
      "statefulsets/status",
    ],
    verbs: READ,
  },
  {
    apiGroups: ["autoscaling"],
    resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
    verbs: READ,
  },
  { apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"], verbs: READ },
];

const EDIT_RULES = [
  {
    apiGroups: [""],
    resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
    verbs: READ,
  },
  { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
  { apiGroups: [""], resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], verbs: WRITE },
  { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  {
    apiGroups: [""],
    resources: [
      "configmaps",
      "events",
      "persistentvolumeclaims",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "secrets",
      "serviceaccounts",
      "services",
      "services/proxy",
    ],
    verbs: WRITE,
  },
  { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
  {
    apiGroups: ["apps"],
    resources: [
      "daemonsets",
      "deployments",
      "deployments/rollback",
      "deployments/scale",
      "replicasets",
      "replicasets/scale",
      "statefulsets",
      "statefulsets/scale",
    ],
    verbs: WRITE,
  },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
  { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: WRITE },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: WRITE },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: [...READ, ...WRITE] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: WRITE },
];

const ADMIN_RULES = [
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings", "roles"], verbs: [...READ, ...WRITE] },
];

function clusterRole(name: string, rules: Obj[], extra: Obj = {}): Obj {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules,
    ...extra,
  };
}

function clusterRoleBinding(name: string, role: string, subjects: Obj[]): Obj {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects,
  };
}

const group = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name });

function aggregated(target: string): Obj {
  return {
    aggregationRule: {
      clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${target}`]: "true" } }],
    },
  };
}

/** Creates whatever of the bootstrap state is missing (idempotent, so it also runs over a reloaded snapshot). */
export function bootstrap(cluster: Cluster): void {
  const ensure = (group: string, resource: string, obj: Obj, namespace?: string) => {
    const def = cluster.registry.get(group, group === "" ? "v1" : "v1", resource);
    if (!def) return;
    const name = String((obj.metadata as Obj).name);
    if (cluster.find(def, namespace, name)) return;
    cluster.create(def, namespace, obj, { fieldManager: "kube-apiserver", dryRun: false });
  };
  for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
    ensure("", "namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  }
  ensure("", "nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: "sandbox-control-plane",
      labels: {
        "kubernetes.io/hostname": "sandbox-control-plane",
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/control-plane": "",
      },
    },
    spec: {},
  });
  const nodeDef = cluster.registry.get("", "v1", "nodes");
  const node = nodeDef ? cluster.find(nodeDef, undefined, "sandbox-control-plane") : undefined;
  if (nodeDef && node && !node.status) {
    const next = structuredClone(node);
    next.status = {
      capacity: { cpu: "4", memory: "8Gi", pods: "110" },
      allocatable: { cpu: "4", memory: "8Gi", pods: "110" },
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          message: "kubelet is posting ready status",
          lastHeartbeatTime: node.metadata.creationTimestamp,
          lastTransitionTime: node.metadata.creationTimestamp,
        },
      ],
      addresses: [
        { type: "InternalIP", address: "127.0.0.1" },
        { type: "Hostname", address: "sandbox-control-plane" },
      ],
      nodeInfo: {
        kubeletVersion: KUBE_VERSION.gitVersion,
        kubeProxyVersion: KUBE_VERSION.gitVersion,
        operatingSystem: "linux",
        architecture: "amd64",
        containerRuntimeVersion: "sandbox://1.0",
        osImage: "Wharf sandbox",
        kernelVersion: "",
        machineID: "",
        systemUUID: "",
        bootID: "",
      },
    };
    cluster.commit(nodeDef, node, next, { fieldManager: "kubelet", dryRun: false, subresource: "status" }, undefined);
  }

  const rbac = "rbac.authorization.k8s.io";
  ensure(
    rbac,
    "clusterroles",
    clusterRole("cluster-admin", [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ]),
  );
  ensure(
    rbac,
    "clusterroles",
    clusterRole("admin", [...VIEW_RULES, ...EDIT_RULES, ...ADMIN_RULES], aggregated("admin")),
  );
  ensure(rbac, "clusterroles", clusterRole("edit", [...VIEW_RULES, ...EDIT_RULES], aggregated("edit")));
  ensure(rbac, "clusterroles", clusterRole("view", VIEW_RULES, aggregated("view")));
  ensure(
    rbac,
    "clusterroles",
    clusterRole("system:discovery", [
      {
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
        verbs: ["get"],
      },
    ]),
  );
  ensure(
    rbac,
    "clusterroles",
    clusterRole("system:public-info-viewer", [
      { nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] },
    ]),
  );
  ensure(
    rbac,
    "clusterroles",
    clusterRole("system:basic-user", [
      {
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        verbs: ["create"],
      },
      { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
    ]),
  );
  ensure(rbac, "clusterrolebindings", clusterRoleBinding("cluster-admin", "cluster-admin", [group("system:masters")]));
  ensure(
    rbac,
    "clusterrolebindings",
    clusterRoleBinding("system:discovery", "system:discovery", [group("system:authenticated")]),
  );
  ensure(
    rbac,
    "clusterrolebindings",
    clusterRoleBinding("system:basic-user", "system:basic-user", [group("system:authenticated")]),
  );
  ensure(
    rbac,
    "clusterrolebindings",
    clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", [
      group("system:authenticated"),
      group("system:unauthenticated"),
    ]),
  );

  ensure("scheduling.k8s.io", "priorityclasses", {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "system-cluster-critical" },
    value: 2000000000,
    description:
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    preemptionPolicy: "PreemptLowerPriority",
  });
  ensure("scheduling.k8s.io", "priorityclasses", {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "system-node-critical" },
    value: 2000001000,
    description: "Used for system critical pods that must not be moved from their current node.",
    preemptionPolicy: "PreemptLowerPriority",
  });
  ensure("storage.k8s.io", "storageclasses", {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "sandbox.wharf.dev/local",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  });
}
