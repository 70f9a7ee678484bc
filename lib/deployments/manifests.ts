import { createHash } from "node:crypto";
import {
  BUILT_IN_GROUPS,
  formatProblem,
  ManifestError,
  parseManifestFiles,
  parseManifestsDetailed,
  type ManifestProblem,
  type ParsedManifest,
} from "@/lib/kube/manifests";
import { applySetFor, type ApplySetRef } from "@/lib/kube/applyset";
import { crdServedKinds } from "@/lib/kube/objects";
import { groupOf, isRecord, refKey, type KubeObject, type ObjectRef } from "@/lib/kube/types";

/**
 * Pure checks of a deployment's manifests against a push target's rules (allowed namespaces, cluster scope), and the
 * digest approvals name. Plain Node: the webhook handler, the request service and unit tests share it.
 */

/**
 * Built-in kinds that live outside namespaces (Kubernetes 1.32), as `group/Kind` ("Kind" for the core group). Kinds
 * not listed here and not built in (custom resources) are resolved against CRDs in the same set, else treated as
 * possibly cluster-scoped — see `scopeOf`.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "scheduling.k8s.io/PriorityClass",
  "node.k8s.io/RuntimeClass",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "authentication.k8s.io/TokenReview",
  "authentication.k8s.io/SelfSubjectReview",
  "authorization.k8s.io/SubjectAccessReview",
  "authorization.k8s.io/SelfSubjectAccessReview",
  "authorization.k8s.io/SelfSubjectRulesReview",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/ResourceSlice",
  "storagemigration.k8s.io/StorageVersionMigration",
  "internal.apiserver.k8s.io/StorageVersion",
]);

export type ObjectScope = "namespaced" | "cluster" | "unknown";

/** The rules of a push target that manifests must satisfy before a request is stored. */
export interface TargetScopeRules {
  defaultNamespace: string;
  /** Empty means "only the default namespace". */
  allowedNamespaces: string[];
  allowClusterScoped: boolean;
}

function kindKey(obj: { apiVersion: string; kind: string }): string {
  const group = groupOf(obj.apiVersion);
  return group ? `${group}/${obj.kind}` : obj.kind;
}

/**
 * Whether an object is namespaced: from the built-in table, else from a CustomResourceDefinition in the same set
 * (`spec.scope`), else "unknown" — a custom resource whose CRD is already in the cluster. Other kinds of Kubernetes'
 * own groups are namespaced.
 */
export function scopeOf(
  obj: { apiVersion: string; kind: string },
  crds: Map<string, KubeObject> = new Map(),
): ObjectScope {
  const key = kindKey(obj);
  if (CLUSTER_SCOPED_KINDS.has(key)) return "cluster";
  const crd = crds.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
  if (crd) {
    const spec = isRecord(crd.spec) ? crd.spec : {};
    return spec.scope === "Cluster" ? "cluster" : "namespaced";
  }
  const group = groupOf(obj.apiVersion);
  // Groups that merely look official (gateway.networking.k8s.io) are CRDs and stay "unknown".
  if (BUILT_IN_GROUPS.has(group)) return "namespaced";
  return "unknown";
}

/** The namespaces objects may go to: the allow-list, or only the default namespace when the list is empty. */
export function allowedNamespacesOf(rules: TargetScopeRules): string[] {
  return rules.allowedNamespaces.length > 0 ? rules.allowedNamespaces : [rules.defaultNamespace];
}

/**
 * Problems with the target's rules, one per offending object, located like parse problems (document, line). An
 * object without a namespace is checked as if in the target's default namespace, which is where it would land.
 * Custom resources of unknown scope are refused without a namespace unless the target allows cluster-scoped objects:
 * they might be cluster-scoped, and the request must be judged before anything touches the cluster.
 */
export function targetRuleProblems(manifests: ParsedManifest[], rules: TargetScopeRules): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const allowed = allowedNamespacesOf(rules);
  const crds = crdServedKinds(manifests.map((m) => m.object));
  for (const m of manifests) {
    const { object } = m;
    const at = {
      ...(m.source ? { source: m.source } : {}),
      documentIndex: m.documentIndex,
      ...(m.itemIndex === undefined ? {} : { itemIndex: m.itemIndex }),
      line: m.line,
    };
    const scope = scopeOf(object, crds);
    const label = `${object.kind} ${object.metadata.name}`;
    if (scope === "cluster") {
      if (!rules.allowClusterScoped) {
        problems.push({
          ...at,
          message: `${label} is cluster-scoped, and this target does not allow cluster-scoped objects`,
        });
      }
      continue;
    }
    if (scope === "unknown" && !object.metadata.namespace) {
      if (!rules.allowClusterScoped) {
        problems.push({
          ...at,
          message: `${label}: ${kindKey(object)} is not a built-in kind, so Wharf cannot tell whether it is cluster-scoped; set metadata.namespace (this target does not allow cluster-scoped objects)`,
        });
      }
      continue;
    }
    const namespace = object.metadata.namespace ?? rules.defaultNamespace;
    if (!allowed.includes(namespace)) {
      problems.push({
        ...at,
        message: `${label} is in namespace "${namespace}", which this target does not allow (allowed: ${allowed.join(", ")})`,
      });
    }
  }
  return problems;
}

/** A problem as one line for people and for the API's `fields.manifests`. */
export const describeProblem = formatProblem;

export interface ValidatedManifests {
  manifests: ParsedManifest[];
  objects: KubeObject[];
  digest: string;
}

/**
 * Parses and checks a manifest set (text, or files from a repository) against the target's rules. Throws a
 * ManifestError listing every problem — parse errors, missing apiVersion/kind/name, namespaces and scope — so the
 * person fixes them all at once. Parse problems come first; rule problems need parsed objects and are added when
 * every document parsed.
 */
export function validateDeploymentManifests(
  input: string | { path: string; content: string }[],
  rules: TargetScopeRules,
): ValidatedManifests {
  const manifests = typeof input === "string" ? parseManifestsDetailed(input) : parseManifestFiles(input);
  const objects = manifests.map((m) => m.object);
  if (objects.length === 0)
    throw new ManifestError([{ documentIndex: 0, message: "no Kubernetes objects found (every document is empty)" }]);
  const problems = targetRuleProblems(manifests, rules);
  if (problems.length > 0) throw new ManifestError(problems);
  return { manifests, objects, digest: manifestsDigest(objects) };
}

/** JSON with keys sorted at every level, so equal objects serialize equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * SHA-256 (hex) of the manifests as objects: comments, whitespace, key order, quoting style and YAML-vs-JSON do not
 * change it; any change to what would be applied (a value, an object added, removed or reordered) does. Approvals
 * name this digest, so a content change voids them.
 */
export function manifestsDigest(objects: KubeObject[]): string {
  return createHash("sha256").update(canonicalJson(objects)).digest("hex");
}

/** The refs of a set, with the target's default namespace filled in for objects that name none and may take one. */
export function objectRefsFor(objects: KubeObject[], defaultNamespace: string): ObjectRef[] {
  const crds = crdServedKinds(objects);
  return objects.map((obj) => {
    const scope = scopeOf(obj, crds);
    const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
    const namespace =
      scope === "cluster"
        ? undefined
        : (obj.metadata.namespace ?? (scope === "namespaced" ? defaultNamespace : undefined));
    if (namespace) ref.namespace = namespace;
    return ref;
  });
}

export { refKey };

/**
 * The inventory label value a push application's objects carry (lib/kube's `wharf.dev/inventory`), shared by the
 * preview's dry run and the executor's apply so the preview shows what the apply will do. The key is the
 * application's `inventoryKey`: the target id for a target's default application, as before applications.
 */
export function pushInventoryId(inventoryKey: string): string {
  return `push-${inventoryKey}`;
}

/**
 * A push application as a KEP-3659 ApplySet: parent `applyset-push-<inventory key>` in the target's default
 * namespace, adopting the objects labelled with `pushInventoryId` before ApplySets. Without an application (a row
 * from before applications) it is the target's default application, keyed by the target id. Shared by the preview
 * and the executor so the preview shows what the apply and prune will do.
 */
export function pushApplySet(
  target: { id: string; name: string; defaultNamespace: string },
  application?: { name: string; inventoryKey: string } | null,
): ApplySetRef {
  return applySetFor(pushInventoryId(application?.inventoryKey ?? target.id), target.defaultNamespace, {
    application: application ? `${application.name} (push to ${target.name})` : `push to ${target.name}`,
  });
}
