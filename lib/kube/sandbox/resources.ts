/**
 * The table of resource types the sandbox serves: every built-in of the Kubernetes 1.32 API groups that is enabled
 * by default, plus whatever CustomResourceDefinitions add at run time.
 */

export const STANDARD_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const NO_COLLECTION_DELETE = ["create", "delete", "get", "list", "patch", "update", "watch"];
const CREATE_ONLY = ["create"];

export interface ResourceDef {
  group: string;
  version: string;
  /** Plural name used in URLs. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources served: status, scale, token, … */
  subresources?: string[];
  /** Create-only virtual resources (reviews, token requests) are answered, never stored. */
  virtual?: boolean;
  /** Set for resources defined by a CustomResourceDefinition. */
  crd?: CrdInfo;
}

export interface CrdInfo {
  crdName: string;
  /** openAPIV3Schema of this version, used for list types in server-side apply. */
  schema: unknown;
  scaleSpecReplicasPath?: string;
  scaleStatusReplicasPath?: string;
  scaleLabelSelectorPath?: string;
  printerColumns?: Array<{
    name: string;
    type: string;
    jsonPath: string;
    description?: string;
    priority?: number;
    format?: string;
  }>;
}

export interface GroupDef {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
}

type Row = [
  name: string,
  singular: string,
  kind: string,
  namespaced: boolean,
  opts?: { verbs?: string[]; short?: string[]; cat?: string[]; sub?: string[]; virtual?: boolean },
];

const ALL = ["all"];

const BUILTIN: Record<string, Row[]> = {
  "/v1": [
    ["bindings", "binding", "Binding", true, { verbs: CREATE_ONLY, virtual: true }],
    ["componentstatuses", "componentstatus", "ComponentStatus", false, { verbs: ["get", "list"], short: ["cs"] }],
    ["configmaps", "configmap", "ConfigMap", true, { short: ["cm"] }],
    ["endpoints", "endpoints", "Endpoints", true, { short: ["ep"] }],
    ["events", "event", "Event", true, { short: ["ev"] }],
    ["limitranges", "limitrange", "LimitRange", true, { short: ["limits"] }],
    [
      "namespaces",
      "namespace",
      "Namespace",
      false,
      { verbs: NO_COLLECTION_DELETE, short: ["ns"], sub: ["finalize", "status"] },
    ],
    ["nodes", "node", "Node", false, { short: ["no"], sub: ["status"] }],
    [
      "persistentvolumeclaims",
      "persistentvolumeclaim",
      "PersistentVolumeClaim",
      true,
      { short: ["pvc"], sub: ["status"] },
    ],
    ["persistentvolumes", "persistentvolume", "PersistentVolume", false, { short: ["pv"], sub: ["status"] }],
    ["pods", "pod", "Pod", true, { short: ["po"], cat: ALL, sub: ["status", "ephemeralcontainers", "resize"] }],
    ["podtemplates", "podtemplate", "PodTemplate", true],
    [
      "replicationcontrollers",
      "replicationcontroller",
      "ReplicationController",
      true,
      { short: ["rc"], cat: ALL, sub: ["scale", "status"] },
    ],
    ["resourcequotas", "resourcequota", "ResourceQuota", true, { short: ["quota"], sub: ["status"] }],
    ["secrets", "secret", "Secret", true],
    ["serviceaccounts", "serviceaccount", "ServiceAccount", true, { short: ["sa"], sub: ["token"] }],
    ["services", "service", "Service", true, { short: ["svc"], cat: ALL, sub: ["status"] }],
  ],
  "apps/v1": [
    ["controllerrevisions", "controllerrevision", "ControllerRevision", true],
    ["daemonsets", "daemonset", "DaemonSet", true, { short: ["ds"], cat: ALL, sub: ["status"] }],
    ["deployments", "deployment", "Deployment", true, { short: ["deploy"], cat: ALL, sub: ["scale", "status"] }],
    ["replicasets", "replicaset", "ReplicaSet", true, { short: ["rs"], cat: ALL, sub: ["scale", "status"] }],
    ["statefulsets", "statefulset", "StatefulSet", true, { short: ["sts"], cat: ALL, sub: ["scale", "status"] }],
  ],
  "batch/v1": [
    ["cronjobs", "cronjob", "CronJob", true, { short: ["cj"], cat: ALL, sub: ["status"] }],
    ["jobs", "job", "Job", true, { cat: ALL, sub: ["status"] }],
  ],
  "autoscaling/v2": [
    [
      "horizontalpodautoscalers",
      "horizontalpodautoscaler",
      "HorizontalPodAutoscaler",
      true,
      { short: ["hpa"], cat: ALL, sub: ["status"] },
    ],
  ],
  "autoscaling/v1": [
    [
      "horizontalpodautoscalers",
      "horizontalpodautoscaler",
      "HorizontalPodAutoscaler",
      true,
      { short: ["hpa"], cat: ALL, sub: ["status"] },
    ],
  ],
  "networking.k8s.io/v1": [
    ["ingressclasses", "ingressclass", "IngressClass", false],
    ["ingresses", "ingress", "Ingress", true, { short: ["ing"], sub: ["status"] }],
    ["networkpolicies", "networkpolicy", "NetworkPolicy", true, { short: ["netpol"] }],
  ],
  "policy/v1": [
    ["poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, { short: ["pdb"], sub: ["status"] }],
  ],
  "rbac.authorization.k8s.io/v1": [
    ["clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false],
    ["clusterroles", "clusterrole", "ClusterRole", false],
    ["rolebindings", "rolebinding", "RoleBinding", true],
    ["roles", "role", "Role", true],
  ],
  "storage.k8s.io/v1": [
    ["csidrivers", "csidriver", "CSIDriver", false],
    ["csinodes", "csinode", "CSINode", false],
    ["csistoragecapacities", "csistoragecapacity", "CSIStorageCapacity", true],
    ["storageclasses", "storageclass", "StorageClass", false, { short: ["sc"] }],
    ["volumeattachments", "volumeattachment", "VolumeAttachment", false, { sub: ["status"] }],
  ],
  "scheduling.k8s.io/v1": [["priorityclasses", "priorityclass", "PriorityClass", false, { short: ["pc"] }]],
  "coordination.k8s.io/v1": [["leases", "lease", "Lease", true]],
  "discovery.k8s.io/v1": [["endpointslices", "endpointslice", "EndpointSlice", true]],
  "events.k8s.io/v1": [["events", "event", "Event", true, { short: ["ev"] }]],
  "certificates.k8s.io/v1": [
    [
      "certificatesigningrequests",
      "certificatesigningrequest",
      "CertificateSigningRequest",
      false,
      { short: ["csr"], sub: ["approval", "status"] },
    ],
  ],
  "admissionregistration.k8s.io/v1": [
    [
      "mutatingwebhookconfigurations",
      "mutatingwebhookconfiguration",
      "MutatingWebhookConfiguration",
      false,
      { cat: ["api-extensions"] },
    ],
    [
      "validatingadmissionpolicies",
      "validatingadmissionpolicy",
      "ValidatingAdmissionPolicy",
      false,
      { cat: ["api-extensions"], sub: ["status"] },
    ],
    [
      "validatingadmissionpolicybindings",
      "validatingadmissionpolicybinding",
      "ValidatingAdmissionPolicyBinding",
      false,
      { cat: ["api-extensions"] },
    ],
    [
      "validatingwebhookconfigurations",
      "validatingwebhookconfiguration",
      "ValidatingWebhookConfiguration",
      false,
      { cat: ["api-extensions"] },
    ],
  ],
  "apiextensions.k8s.io/v1": [
    [
      "customresourcedefinitions",
      "customresourcedefinition",
      "CustomResourceDefinition",
      false,
      { short: ["crd", "crds"], cat: ["api-extensions"], sub: ["status"] },
    ],
  ],
  "apiregistration.k8s.io/v1": [
    ["apiservices", "apiservice", "APIService", false, { cat: ["api-extensions"], sub: ["status"] }],
  ],
  "node.k8s.io/v1": [["runtimeclasses", "runtimeclass", "RuntimeClass", false]],
  "flowcontrol.apiserver.k8s.io/v1": [
    ["flowschemas", "flowschema", "FlowSchema", false, { sub: ["status"] }],
    [
      "prioritylevelconfigurations",
      "prioritylevelconfiguration",
      "PriorityLevelConfiguration",
      false,
      { sub: ["status"] },
    ],
  ],
  "authorization.k8s.io/v1": [
    [
      "localsubjectaccessreviews",
      "localsubjectaccessreview",
      "LocalSubjectAccessReview",
      true,
      { verbs: CREATE_ONLY, virtual: true },
    ],
    [
      "selfsubjectaccessreviews",
      "selfsubjectaccessreview",
      "SelfSubjectAccessReview",
      false,
      { verbs: CREATE_ONLY, virtual: true },
    ],
    [
      "selfsubjectrulesreviews",
      "selfsubjectrulesreview",
      "SelfSubjectRulesReview",
      false,
      { verbs: CREATE_ONLY, virtual: true },
    ],
    [
      "subjectaccessreviews",
      "subjectaccessreview",
      "SubjectAccessReview",
      false,
      { verbs: CREATE_ONLY, virtual: true },
    ],
  ],
  "authentication.k8s.io/v1": [
    ["selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false, { verbs: CREATE_ONLY, virtual: true }],
    ["tokenreviews", "tokenreview", "TokenReview", false, { verbs: CREATE_ONLY, virtual: true }],
  ],
};

/** Group order as kube-apiserver lists them in /apis. */
const GROUP_ORDER = [
  "apiregistration.k8s.io",
  "apps",
  "events.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "node.k8s.io",
  "discovery.k8s.io",
  "flowcontrol.apiserver.k8s.io",
];

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Storage identity shared by every version of one resource. */
export function storageKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

/** Subresource endpoints and the kind they speak, as listed in discovery. */
export function subresourceInfo(
  def: ResourceDef,
  sub: string,
): { kind: string; group?: string; version?: string; verbs: string[] } {
  switch (sub) {
    case "scale":
      return { kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] };
    case "token":
      return { kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] };
    case "finalize":
      return { kind: def.kind, verbs: ["update"] };
    case "approval":
    case "status":
    case "ephemeralcontainers":
    case "resize":
    default:
      return { kind: def.kind, verbs: ["get", "patch", "update"] };
  }
}

/** Live registry: the built-in table plus resources defined by CRDs. */
export class ResourceRegistry {
  private readonly byGroupVersion = new Map<string, Map<string, ResourceDef>>();
  private readonly groups = new Map<string, GroupDef>();
  private readonly crdResources = new Map<string, ResourceDef[]>();
  /** Bumped on every change so discovery documents can be cached per generation. */
  generation = 0;

  constructor() {
    for (const [gv, rows] of Object.entries(BUILTIN)) {
      const [group, version] = splitGroupVersion(gv);
      for (const [name, singularName, kind, namespaced, o] of rows) {
        this.add({
          group,
          version,
          name,
          singularName,
          kind,
          namespaced,
          verbs: o?.verbs ?? STANDARD_VERBS,
          ...(o?.short ? { shortNames: o.short } : {}),
          ...(o?.cat ? { categories: o.cat } : {}),
          ...(o?.sub ? { subresources: o.sub } : {}),
          ...(o?.virtual ? { virtual: true } : {}),
        });
      }
    }
  }

  private add(def: ResourceDef): void {
    const gv = apiVersionOf(def.group, def.version);
    let resources = this.byGroupVersion.get(gv);
    if (!resources) {
      resources = new Map();
      this.byGroupVersion.set(gv, resources);
    }
    resources.set(def.name, def);
    if (def.group) {
      const g = this.groups.get(def.group) ?? { name: def.group, versions: [] };
      if (!g.versions.includes(def.version)) g.versions.push(def.version);
      this.groups.set(def.group, g);
    }
    this.generation++;
  }

  private remove(def: ResourceDef): void {
    const gv = apiVersionOf(def.group, def.version);
    const resources = this.byGroupVersion.get(gv);
    resources?.delete(def.name);
    if (resources && resources.size === 0) {
      this.byGroupVersion.delete(gv);
      const g = this.groups.get(def.group);
      if (g) {
        g.versions = g.versions.filter((v) => v !== def.version);
        if (g.versions.length === 0) this.groups.delete(def.group);
      }
    }
    this.generation++;
  }

  get(group: string, version: string, name: string): ResourceDef | undefined {
    return this.byGroupVersion.get(apiVersionOf(group, version))?.get(name);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGroupVersion.has(apiVersionOf(group, version));
  }

  resourcesOf(group: string, version: string): ResourceDef[] {
    return [...(this.byGroupVersion.get(apiVersionOf(group, version))?.values() ?? [])];
  }

  /** API groups in discovery order; the core group is not included. */
  listGroups(): GroupDef[] {
    const known = GROUP_ORDER.flatMap((n) => {
      const g = this.groups.get(n);
      return g ? [g] : [];
    });
    const extra = [...this.groups.values()]
      .filter((g) => !GROUP_ORDER.includes(g.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    return [...known, ...extra];
  }

  group(name: string): GroupDef | undefined {
    return this.groups.get(name);
  }

  /** Finds the definition for an apiVersion + kind (used for bodies and for RBAC/GC lookups). */
  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    for (const def of this.byGroupVersion.get(apiVersion)?.values() ?? []) if (def.kind === kind) return def;
    return undefined;
  }

  /** All served versions of one stored resource. */
  versionsOf(group: string, resource: string): ResourceDef[] {
    const g = group ? this.groups.get(group) : { versions: ["v1"] };
    return (g?.versions ?? []).flatMap((v) => {
      const def = this.get(group, v, resource);
      return def ? [def] : [];
    });
  }

  /** Preferred version's definition of a stored resource. */
  preferred(group: string, resource: string): ResourceDef | undefined {
    return this.versionsOf(group, resource)[0];
  }

  allStored(): ResourceDef[] {
    const seen = new Set<string>();
    const out: ResourceDef[] = [];
    for (const resources of this.byGroupVersion.values()) {
      for (const def of resources.values()) {
        const key = storageKey(def.group, def.name);
        if (def.virtual || seen.has(key)) continue;
        seen.add(key);
        out.push(this.preferred(def.group, def.name) ?? def);
      }
    }
    return out;
  }

  /** Serves (or re-serves) the resources of one CRD; an established CRD replaces its previous definitions. */
  setCrd(crd: Record<string, unknown>): void {
    const name = String((crd.metadata as { name?: string } | undefined)?.name ?? "");
    this.removeCrd(name);
    const spec = (crd.spec ?? {}) as Record<string, unknown>;
    const names = (spec.names ?? {}) as Record<string, unknown>;
    const group = String(spec.group ?? "");
    const versions = Array.isArray(spec.versions) ? (spec.versions as Array<Record<string, unknown>>) : [];
    const served = versions.filter((v) => v.served !== false);
    // Discovery lists versions by kube-aware version priority; storage version first is close enough for clients.
    served.sort((a, b) => compareKubeVersions(String(a.name), String(b.name)));
    const defs: ResourceDef[] = [];
    for (const v of served) {
      const subresources = (v.subresources ?? {}) as Record<string, unknown>;
      const scale = subresources.scale as Record<string, string> | undefined;
      const subs = [...(subresources.status ? ["status"] : []), ...(scale ? ["scale"] : [])];
      const schema = ((v.schema ?? {}) as Record<string, unknown>).openAPIV3Schema;
      const def: ResourceDef = {
        group,
        version: String(v.name),
        name: String(names.plural ?? ""),
        singularName: String(names.singular ?? String(names.kind ?? "").toLowerCase()),
        kind: String(names.kind ?? ""),
        namespaced: spec.scope !== "Cluster",
        verbs: STANDARD_VERBS,
        ...(Array.isArray(names.shortNames) ? { shortNames: names.shortNames.map(String) } : {}),
        ...(Array.isArray(names.categories) ? { categories: names.categories.map(String) } : {}),
        ...(subs.length ? { subresources: subs } : {}),
        crd: {
          crdName: name,
          schema,
          ...(scale
            ? {
                scaleSpecReplicasPath: scale.specReplicasPath,
                scaleStatusReplicasPath: scale.statusReplicasPath,
                ...(scale.labelSelectorPath ? { scaleLabelSelectorPath: scale.labelSelectorPath } : {}),
              }
            : {}),
          ...(Array.isArray(v.additionalPrinterColumns)
            ? { printerColumns: v.additionalPrinterColumns as NonNullable<CrdInfo["printerColumns"]> }
            : {}),
        },
      };
      defs.push(def);
    }
    // Keep the group's version list in priority order.
    for (const def of defs) this.add(def);
    const g = this.groups.get(group);
    if (g) g.versions.sort(compareKubeVersions);
    this.crdResources.set(name, defs);
  }

  removeCrd(crdName: string): void {
    for (const def of this.crdResources.get(crdName) ?? []) this.remove(def);
    this.crdResources.delete(crdName);
  }
}

export function splitGroupVersion(gv: string): [string, string] {
  const idx = gv.indexOf("/");
  if (idx < 0) return ["", gv];
  const group = gv.slice(0, idx);
  return [group, gv.slice(idx + 1)];
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, then non-matching names alphabetically. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stability = m[2] === "alpha" ? 0 : m[2] === "beta" ? 1 : 2;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) {
    if (pa[0] !== pb[0]) return pb[0] - pa[0];
    if (pa[1] !== pb[1]) return pb[1] - pa[1];
    return pb[2] - pa[2];
  }
  if (pa) return -1;
  if (pb) return 1;
  return a.localeCompare(b);
}
