/**
 * The differential fidelity table: requests sent to both the sandbox and a real kube-apiserver (tests/kube/
 * fidelity.test.ts). `expect` is what kube-apiserver v1.34 answers, taken from its sources (k8s.io/apiserver
 * handlers, apimachinery validation, structured-merge-diff); on the real leg the two servers' answers are also
 * compared with each other. A row the sandbox answers differently says why in `sandboxDiffers`.
 *
 * Placeholders in paths and bodies: {ns} is the row's own namespace, {group} a CRD group unique to the run.
 */

export interface FidelityRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  contentType?: string;
  /** Extra headers (Impersonate-User, Impersonate-Group). */
  headers?: Record<string, string | string[]>;
  /** Send with a token of this ServiceAccount in the row's namespace instead of the admin's. */
  serviceAccount?: string;
}

export interface FidelityExpectation {
  status: number;
  /** Status.reason; "" for errors kube-apiserver passes through without one (it omits the field). */
  reason?: string;
  message?: string | RegExp;
  /** Status.details.causes, compared as {field, reason} pairs in order. */
  causes?: Array<{ field: string; reason: string }>;
  /** Texts of the Warning headers (unquoted). */
  warnings?: string[];
  /** The whole body, for the few answers that are not a Status (plain-text filter errors). */
  text?: string;
  /** For watch requests: the event types streamed, in order. */
  watchEvents?: string[];
}

export interface FidelityRow {
  name: string;
  /**
   * Requests that prepare the row; each must succeed. `waitFor` requests are retried until they succeed, `waitForItems`
   * lists until they hold that many items (the controllers work asynchronously on both servers).
   */
  setup?: Array<FidelityRequest & { waitFor?: boolean; ignoreConflict?: boolean; waitForItems?: number }>;
  request: FidelityRequest;
  expect: FidelityExpectation;
  /** A read after the request and what a projection of its body must equal (polled until it does). */
  then?: { request: FidelityRequest; pick: (body: any) => unknown; equals: unknown };
  /** Why the sandbox may answer differently: the row is checked on the real server only. */
  sandboxDiffers?: string;
}

const deployment = (name: string, spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "web", image: "nginx:1.27", ...container }] },
    },
    ...spec,
  },
});

const configMap = (name: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data,
  ...extra,
});

const DEPLOYMENTS = "/apis/apps/v1/namespaces/{ns}/deployments";
const CONFIGMAPS = "/api/v1/namespaces/{ns}/configmaps";
const WIDGETS = "/apis/{group}/v1/namespaces/{ns}/widgets";

/** A CRD with a structural schema: types, bounds, enum, required, a default and a preserve-unknown-fields subtree. */
export const WIDGET_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.{group}" },
  spec: {
    group: "{group}",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["name"],
                properties: {
                  name: { type: "string" },
                  size: { type: "integer", minimum: 1, maximum: 100 },
                  color: { type: "string", enum: ["red", "blue"], default: "red" },
                  extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const widget = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "{group}/v1",
  kind: "Widget",
  metadata: { name },
  spec,
});
const CRD_SETUP = [
  {
    method: "POST" as const,
    path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    body: WIDGET_CRD,
    ignoreConflict: true,
  },
  { method: "GET" as const, path: WIDGETS, waitFor: true },
];

const big = (bytes: number) => "x".repeat(bytes);

export const FIDELITY_TABLE: FidelityRow[] = [
  // ── field validation on built-ins ──
  {
    name: "Strict: an unknown field in a Deployment is a 400 strict decoding error",
    request: {
      method: "POST",
      path: `${DEPLOYMENTS}?fieldValidation=Strict`,
      body: deployment("web", { replicaz: 2 }),
    },
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"',
    },
  },
  {
    name: "Strict: unknown fields are listed in document order with their list indices",
    request: {
      method: "POST",
      path: `${DEPLOYMENTS}?fieldValidation=Strict`,
      body: deployment("web", { replicaz: 2 }, { imagePullPolicyy: "Always" }),
    },
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy", unknown field "spec.replicaz"',
    },
  },
  {
    name: "Warn (the default): created with a Warning header, and the unknown field is dropped",
    request: { method: "POST", path: DEPLOYMENTS, body: deployment("web", { replicaz: 2 }) },
    expect: { status: 201, warnings: ['unknown field "spec.replicaz"'] },
    then: {
      request: { method: "GET", path: `${DEPLOYMENTS}/web` },
      pick: (d) => [d.spec.replicas, d.spec.replicaz],
      equals: [1, undefined],
    },
  },
  {
    name: "Ignore: created without a warning, the unknown field dropped",
    request: {
      method: "POST",
      path: `${DEPLOYMENTS}?fieldValidation=Ignore`,
      body: deployment("web", {}, { imagePullPolicyy: "Always" }),
    },
    expect: { status: 201, warnings: [] },
    then: {
      request: { method: "GET", path: `${DEPLOYMENTS}/web` },
      pick: (d) => Object.keys(d.spec.template.spec.containers[0]).includes("imagePullPolicyy"),
      equals: false,
    },
  },
  {
    name: "a string for an int32 is a 400 naming the Go struct field",
    request: { method: "POST", path: DEPLOYMENTS, body: deployment("web", { replicas: "2" }) },
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    },
  },
  {
    name: "numbers in a ConfigMap's data are a 400 (map values have no field name of their own)",
    request: { method: "POST", path: CONFIGMAPS, body: configMap("settings", { port: 8080, enabled: true }) },
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    },
  },
  {
    name: "Strict merge patch with an unknown field: 422 on the field 'patch'",
    setup: [{ method: "POST", path: CONFIGMAPS, body: configMap("settings", { a: "1" }) }],
    request: {
      method: "PATCH",
      path: `${CONFIGMAPS}/settings?fieldValidation=Strict`,
      contentType: "application/merge-patch+json",
      body: { dataa: { b: "2" } },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "patch", reason: "FieldValueInvalid" }],
      message: /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "dataa"$/s,
    },
  },
  {
    name: "Warn merge patch with an unknown field: 200 with a warning",
    setup: [{ method: "POST", path: CONFIGMAPS, body: configMap("settings", { a: "1" }) }],
    request: {
      method: "PATCH",
      path: `${CONFIGMAPS}/settings`,
      contentType: "application/merge-patch+json",
      body: { dataa: { b: "2" } },
    },
    expect: { status: 200, warnings: ['unknown field "dataa"'] },
  },
  {
    name: "server-side apply with an unknown field fails to build the typed patch, whatever fieldValidation says",
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web?fieldManager=fid&fieldValidation=Ignore`,
      contentType: "application/apply-patch+yaml",
      body: { ...deployment("web", { replicaz: 2 }), metadata: { name: "web", namespace: "{ns}" } },
    },
    expect: {
      status: 500,
      reason: "",
      message:
        "failed to create typed patch object ({ns}/web; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema",
    },
  },
  {
    name: "server-side apply with a wrong type",
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web?fieldManager=fid`,
      contentType: "application/apply-patch+yaml",
      body: { ...deployment("web", { replicas: "2" }), metadata: { name: "web", namespace: "{ns}" } },
    },
    expect: {
      status: 500,
      reason: "",
      message:
        "failed to create typed patch object ({ns}/web; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string",
    },
  },

  // ── CRD structural schemas ──
  {
    name: "CRD, Strict: an unknown field is a 400 strict decoding error",
    setup: CRD_SETUP,
    request: {
      method: "POST",
      path: `${WIDGETS}?fieldValidation=Strict`,
      body: widget("w", { name: "a", colour: "red" }),
    },
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"',
    },
  },
  {
    name: "CRD, Warn: the unknown field is pruned with a warning; the default is applied; preserve-unknown-fields keeps its subtree",
    setup: CRD_SETUP,
    request: {
      method: "POST",
      path: WIDGETS,
      body: widget("w", { name: "a", colour: "red", extra: { anything: { goes: 1 } } }),
    },
    expect: { status: 201, warnings: ['unknown field "spec.colour"'] },
    then: {
      request: { method: "GET", path: `${WIDGETS}/w` },
      pick: (w) => w.spec,
      equals: { name: "a", color: "red", extra: { anything: { goes: 1 } } },
    },
  },
  {
    name: "CRD, server-side apply with an unknown field fails to build the typed patch (Strict)",
    setup: CRD_SETUP,
    request: {
      method: "PATCH",
      path: `${WIDGETS}/w?fieldManager=fid&fieldValidation=Strict`,
      contentType: "application/apply-patch+yaml",
      body: { ...widget("w", { name: "a", colour: "red" }), metadata: { name: "w", namespace: "{ns}" } },
    },
    expect: {
      status: 500,
      reason: "",
      message:
        "failed to create typed patch object ({ns}/w; {group}/v1, Kind=Widget): .spec.colour: field not declared in schema",
    },
  },
  {
    name: "CRD, server-side apply with an unknown field fails to build the typed patch (Warn too)",
    setup: CRD_SETUP,
    request: {
      method: "PATCH",
      path: `${WIDGETS}/w?fieldManager=fid`,
      contentType: "application/apply-patch+yaml",
      body: { ...widget("w", { name: "a", colour: "red" }), metadata: { name: "w", namespace: "{ns}" } },
    },
    expect: {
      status: 500,
      reason: "",
      message:
        "failed to create typed patch object ({ns}/w; {group}/v1, Kind=Widget): .spec.colour: field not declared in schema",
    },
  },
  {
    name: "CRD, server-side apply with a wrong type",
    setup: CRD_SETUP,
    request: {
      method: "PATCH",
      path: `${WIDGETS}/w?fieldManager=fid`,
      contentType: "application/apply-patch+yaml",
      body: { ...widget("w", { name: "a", size: "big" }), metadata: { name: "w", namespace: "{ns}" } },
    },
    expect: {
      status: 500,
      reason: "",
      message:
        "failed to create typed patch object ({ns}/w; {group}/v1, Kind=Widget): .spec.size: expected numeric (int or float), got string",
    },
  },
  {
    name: "strategic merge patch with an unknown field under Strict",
    setup: [{ method: "POST", path: DEPLOYMENTS, body: deployment("web") }],
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web?fieldValidation=Strict`,
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { replicaz: 3 } },
    },
    // The value shown is the patch as Go prints a map (%+v), not the patched object as for merge and JSON patches.
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "patch", reason: "FieldValueInvalid" }],
      message:
        ' "" is invalid: patch: Invalid value: "map[spec:map[replicaz:3]]": strict decoding error: unknown field "spec.replicaz"',
    },
  },
  {
    name: "PUT with an unknown field under Strict",
    setup: [{ method: "POST", path: CONFIGMAPS, body: configMap("settings", { a: "1" }) }],
    request: {
      method: "PUT",
      path: `${CONFIGMAPS}/settings?fieldValidation=Strict`,
      body: { ...configMap("settings", { a: "1" }), dataa: {} },
    },
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa"',
    },
  },
  {
    name: "CRD: a wrong type is 422 FieldValueTypeInvalid",
    setup: CRD_SETUP,
    request: { method: "POST", path: WIDGETS, body: widget("w", { name: "a", size: "big" }) },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "spec.size", reason: "FieldValueTypeInvalid" }],
      message:
        'Widget.{group} "w" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
    },
  },
  {
    name: "CRD: above maximum, outside the enum, missing a required field: one 422 with every cause",
    setup: CRD_SETUP,
    request: { method: "POST", path: WIDGETS, body: widget("w", { size: 200, color: "pink" }) },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [
        { field: "spec.color", reason: "FieldValueNotSupported" },
        { field: "spec.name", reason: "FieldValueRequired" },
        { field: "spec.size", reason: "FieldValueInvalid" },
      ],
    },
  },

  // ── size limits ──
  {
    name: 'a ConfigMap over 1 MiB of data is 422 TooLong on the whole object (field "[]")',
    request: { method: "POST", path: CONFIGMAPS, body: configMap("big", { blob: big(1_100_000) }) },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "[]", reason: "FieldValueTooLong" }],
      message: 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes',
    },
  },
  {
    name: "a Secret over 1 MiB of data is 422 TooLong on data",
    request: {
      method: "POST",
      path: "/api/v1/namespaces/{ns}/secrets",
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "big" },
        data: { blob: Buffer.from(big(1_100_000)).toString("base64") },
      },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "data", reason: "FieldValueTooLong" }],
      message: 'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes',
    },
  },
  {
    name: "annotations over 256 KiB in total are 422 TooLong on metadata.annotations",
    request: {
      method: "POST",
      path: CONFIGMAPS,
      body: {
        ...configMap("ann", { a: "1" }),
        metadata: { name: "ann", annotations: { "kubectl.kubernetes.io/last-applied-configuration": big(484_000) } },
      },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "metadata.annotations", reason: "FieldValueTooLong" }],
      message: 'ConfigMap "ann" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes',
    },
  },
  {
    name: "an object over etcd's 1.5 MiB request limit is refused",
    setup: CRD_SETUP,
    request: { method: "POST", path: WIDGETS, body: widget("huge", { name: "a", extra: { blob: big(1_600_000) } }) },
    expect: { status: 500, reason: "", message: "etcdserver: request is too large" },
  },
  {
    name: "a request body over 3 MiB is 413",
    request: { method: "POST", path: CONFIGMAPS, body: configMap("huge", { blob: big(3_200_000) }) },
    expect: { status: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 3145728" },
  },

  // ── immutable fields ──
  {
    name: "a Deployment's selector cannot change",
    setup: [{ method: "POST", path: DEPLOYMENTS, body: deployment("web") }],
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web`,
      contentType: "application/merge-patch+json",
      body: {
        spec: {
          selector: { matchLabels: { app: "web", tier: "x" } },
          template: { metadata: { labels: { app: "web", tier: "x" } } },
        },
      },
    },
    expect: { status: 422, reason: "Invalid", causes: [{ field: "spec.selector", reason: "FieldValueInvalid" }] },
  },
  {
    name: "a StatefulSet's serviceName cannot change",
    setup: [
      {
        method: "POST",
        path: "/apis/apps/v1/namespaces/{ns}/statefulsets",
        body: {
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "db" },
          spec: {
            replicas: 1,
            serviceName: "db",
            selector: { matchLabels: { app: "db" } },
            template: {
              metadata: { labels: { app: "db" } },
              spec: { containers: [{ name: "db", image: "postgres:16" }] },
            },
          },
        },
      },
    ],
    request: {
      method: "PATCH",
      path: "/apis/apps/v1/namespaces/{ns}/statefulsets/db",
      contentType: "application/merge-patch+json",
      body: { spec: { serviceName: "other" } },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "spec", reason: "FieldValueForbidden" }],
      message:
        "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    },
  },
  {
    name: "a Pod's spec is immutable but for images",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/pods",
        body: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p" },
          spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
        },
      },
    ],
    request: {
      method: "PATCH",
      path: "/api/v1/namespaces/{ns}/pods/p",
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { restartPolicy: "Never" } },
    },
    expect: { status: 422, reason: "Invalid", causes: [{ field: "spec", reason: "FieldValueForbidden" }] },
  },
  {
    name: "a Service's clusterIP cannot change",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/services",
        body: {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "web" },
          spec: { ports: [{ port: 80 }], clusterIP: "10.96.200.77" },
        },
      },
    ],
    request: {
      method: "PATCH",
      path: "/api/v1/namespaces/{ns}/services/web",
      contentType: "application/merge-patch+json",
      body: { spec: { clusterIP: "10.96.200.78", clusterIPs: ["10.96.200.78"] } },
    },
    expect: { status: 422, reason: "Invalid", causes: [{ field: "spec.clusterIPs[0]", reason: "FieldValueInvalid" }] },
  },
  {
    name: "an immutable ConfigMap's data cannot change",
    setup: [{ method: "POST", path: CONFIGMAPS, body: configMap("frozen", { a: "1" }, { immutable: true }) }],
    request: {
      method: "PATCH",
      path: `${CONFIGMAPS}/frozen`,
      contentType: "application/merge-patch+json",
      body: { data: { a: "2" } },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "data", reason: "FieldValueForbidden" }],
      message: 'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set',
    },
  },
  {
    name: "an immutable ConfigMap cannot become mutable",
    setup: [{ method: "POST", path: CONFIGMAPS, body: configMap("frozen", { a: "1" }, { immutable: true }) }],
    request: {
      method: "PATCH",
      path: `${CONFIGMAPS}/frozen`,
      contentType: "application/merge-patch+json",
      body: { immutable: false },
    },
    expect: { status: 422, reason: "Invalid", causes: [{ field: "immutable", reason: "FieldValueForbidden" }] },
  },

  // ── impersonation ──
  {
    name: "impersonating a ServiceAccount authorizes as that ServiceAccount (no rights: 403)",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/serviceaccounts",
        body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "limited" } },
      },
      { method: "POST", path: CONFIGMAPS, body: configMap("victim", { a: "1" }) },
    ],
    request: {
      method: "DELETE",
      path: `${CONFIGMAPS}/victim`,
      headers: { "Impersonate-User": "system:serviceaccount:{ns}:limited" },
    },
    expect: {
      status: 403,
      reason: "Forbidden",
      message:
        'configmaps "victim" is forbidden: User "system:serviceaccount:{ns}:limited" cannot delete resource "configmaps" in API group "" in the namespace "{ns}"',
    },
  },
  {
    name: "impersonating needs the impersonate verb",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/serviceaccounts",
        body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "limited" } },
      },
    ],
    request: {
      method: "GET",
      path: CONFIGMAPS,
      serviceAccount: "limited",
      headers: { "Impersonate-User": "someone-else" },
    },
    expect: {
      status: 403,
      reason: "Forbidden",
      message:
        'users "someone-else" is forbidden: User "system:serviceaccount:{ns}:limited" cannot impersonate resource "users" in API group "" at the cluster scope',
    },
  },
  {
    name: "an impersonated group's rights apply",
    request: {
      method: "GET",
      path: CONFIGMAPS,
      headers: { "Impersonate-User": "someone", "Impersonate-Group": "system:masters" },
    },
    expect: { status: 200 },
  },

  // ── server-side apply conflicts ──
  {
    name: "SSA: another manager's field is a 409 conflict naming the field and the manager",
    setup: [
      {
        method: "PATCH",
        path: `${CONFIGMAPS}/owned?fieldManager=first`,
        contentType: "application/apply-patch+yaml",
        body: { ...configMap("owned", { a: "1" }), metadata: { name: "owned", namespace: "{ns}" } },
      },
    ],
    request: {
      method: "PATCH",
      path: `${CONFIGMAPS}/owned?fieldManager=second`,
      contentType: "application/apply-patch+yaml",
      body: { ...configMap("owned", { a: "2" }), metadata: { name: "owned", namespace: "{ns}" } },
    },
    expect: {
      status: 409,
      reason: "Conflict",
      causes: [{ field: ".data.a", reason: "FieldManagerConflict" }],
      message: 'Apply failed with 1 conflict: conflict with "first": .data.a',
    },
  },
  {
    name: "SSA: force takes the field over",
    setup: [
      {
        method: "PATCH",
        path: `${CONFIGMAPS}/owned?fieldManager=first`,
        contentType: "application/apply-patch+yaml",
        body: { ...configMap("owned", { a: "1" }), metadata: { name: "owned", namespace: "{ns}" } },
      },
    ],
    request: {
      method: "PATCH",
      path: `${CONFIGMAPS}/owned?fieldManager=second&force=true`,
      contentType: "application/apply-patch+yaml",
      body: { ...configMap("owned", { a: "2" }), metadata: { name: "owned", namespace: "{ns}" } },
    },
    expect: { status: 200 },
  },

  // ── RBAC and tokens ──
  {
    name: "a ServiceAccount without a RoleBinding is forbidden",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/serviceaccounts",
        body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "limited" } },
      },
    ],
    request: { method: "GET", path: CONFIGMAPS, serviceAccount: "limited" },
    expect: {
      status: 403,
      reason: "Forbidden",
      message:
        'configmaps is forbidden: User "system:serviceaccount:{ns}:limited" cannot list resource "configmaps" in API group "" in the namespace "{ns}"',
    },
  },
  {
    name: "TokenRequest below ten minutes is 422 (on an unnamed TokenRequest)",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/serviceaccounts",
        body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "limited" } },
      },
    ],
    request: {
      method: "POST",
      path: "/api/v1/namespaces/{ns}/serviceaccounts/limited/token",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 60 } },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "spec.expirationSeconds", reason: "FieldValueInvalid" }],
    },
  },
  {
    name: "TokenRequest above 2^32 seconds is 422",
    setup: [
      {
        method: "POST",
        path: "/api/v1/namespaces/{ns}/serviceaccounts",
        body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "limited" } },
      },
    ],
    request: {
      method: "POST",
      path: "/api/v1/namespaces/{ns}/serviceaccounts/limited/token",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 2 ** 32 + 1 } },
    },
    expect: {
      status: 422,
      reason: "Invalid",
      causes: [{ field: "spec.expirationSeconds", reason: "FieldValueInvalid" }],
      message:
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    },
  },
  {
    name: "impersonating a group without a user is the filter's plain-text 500",
    request: { method: "GET", path: CONFIGMAPS, headers: { "Impersonate-Group": "system:masters" } },
    expect: {
      status: 500,
      text: 'Internal Server Error: "/api/v1/namespaces/{ns}/configmaps": requested [{Group  system:masters    }] without impersonating a user\n',
    },
  },

  // ── watch ──
  {
    name: "a watch resumed from a resourceVersion replays the later changes",
    setup: [
      { method: "POST", path: CONFIGMAPS, body: configMap("watched", { a: "1" }) },
      {
        method: "PATCH",
        path: `${CONFIGMAPS}/watched`,
        contentType: "application/merge-patch+json",
        body: { data: { a: "2" } },
      },
      { method: "DELETE", path: `${CONFIGMAPS}/watched` },
    ],
    // {rv:0} is the resourceVersion the first setup request answered with.
    request: {
      method: "GET",
      path: `${CONFIGMAPS}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dwatched&resourceVersion={rv:0}`,
    },
    expect: { status: 200, watchEvents: ["MODIFIED", "DELETED"] },
  },

  // ── workloads, rollout history, events (the controllers) ──
  {
    name: "a Deployment's rollout leaves two ReplicaSets with revisions and ScalingReplicaSet events",
    setup: [
      { method: "POST", path: DEPLOYMENTS, body: deployment("web") },
      { method: "GET", path: `${DEPLOYMENTS}/web`, waitFor: true },
    ],
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web`,
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } },
    },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app%3Dweb" },
      pick: (l) =>
        (l.items as Array<{ metadata: { annotations: Record<string, string> } }>)
          .map((r) => r.metadata.annotations["deployment.kubernetes.io/revision"])
          .sort(),
      equals: ["1", "2"],
    },
  },
  {
    name: "rolling back to the first template makes its ReplicaSet current again with the next revision (kubectl rollout undo)",
    setup: [
      { method: "POST", path: DEPLOYMENTS, body: deployment("web") },
      { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app%3Dweb", waitForItems: 1 },
      {
        method: "PATCH",
        path: `${DEPLOYMENTS}/web`,
        contentType: "application/strategic-merge-patch+json",
        body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } },
      },
      { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app%3Dweb", waitForItems: 2 },
    ],
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web`,
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } },
    },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app%3Dweb" },
      pick: (l) =>
        (
          l.items as Array<{
            metadata: { annotations: Record<string, string> };
            spec: { template: { spec: { containers: Array<{ image: string }> } } };
          }>
        )
          .map(
            (r) =>
              `${r.spec.template.spec.containers[0]?.image ?? ""} rev ${r.metadata.annotations["deployment.kubernetes.io/revision"] ?? ""}`,
          )
          .sort(),
      equals: ["nginx:1.27 rev 3", "nginx:1.28 rev 2"],
    },
  },
  {
    name: "a Deployment's Pods are owned by its ReplicaSet, scheduled on the node, and named after it",
    setup: [{ method: "POST", path: DEPLOYMENTS, body: deployment("web", { replicas: 2 }) }],
    request: { method: "GET", path: `${DEPLOYMENTS}/web` },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/api/v1/namespaces/{ns}/pods?labelSelector=app%3Dweb" },
      pick: (l) =>
        (
          l.items as Array<{
            metadata: { name: string; ownerReferences: Array<{ kind: string; name: string; controller: boolean }> };
            spec: { nodeName?: string };
          }>
        ).map(
          (p) =>
            `${p.metadata.ownerReferences[0]?.kind ?? ""} controller=${String(p.metadata.ownerReferences[0]?.controller)} named-after-owner=${String(p.metadata.name.startsWith(`${p.metadata.ownerReferences[0]?.name ?? "?"}-`))} scheduled=${String(Boolean(p.spec.nodeName))}`,
        ),
      equals: [
        "ReplicaSet controller=true named-after-owner=true scheduled=true",
        "ReplicaSet controller=true named-after-owner=true scheduled=true",
      ],
    },
  },
  {
    name: "the ReplicaSet controller records SuccessfulCreate events naming the pods",
    setup: [{ method: "POST", path: DEPLOYMENTS, body: deployment("web") }],
    request: { method: "GET", path: "/api/v1/namespaces/{ns}/events" },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/api/v1/namespaces/{ns}/events?fieldSelector=reason%3DSuccessfulCreate" },
      pick: (l) =>
        (l.items as Array<{ involvedObject: { kind: string }; message: string; source: { component: string } }>).map(
          (e) =>
            `${e.involvedObject.kind} ${e.source.component}: ${e.message.replace(/web-\w+-\w+/, "web-<hash>-<id>")}`,
        ),
      equals: ["ReplicaSet replicaset-controller: Created pod: web-<hash>-<id>"],
    },
  },
  {
    name: "a StatefulSet owns ordinal Pods and a ControllerRevision",
    setup: [
      {
        method: "POST",
        path: "/apis/apps/v1/namespaces/{ns}/statefulsets",
        body: {
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "db" },
          spec: {
            replicas: 2,
            serviceName: "db",
            selector: { matchLabels: { app: "db" } },
            template: {
              metadata: { labels: { app: "db" } },
              spec: { containers: [{ name: "db", image: "postgres:16" }] },
            },
          },
        },
      },
    ],
    request: { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/statefulsets/db" },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/api/v1/namespaces/{ns}/pods?labelSelector=app%3Ddb" },
      pick: (l) =>
        (
          l.items as Array<{
            metadata: { name: string; labels: Record<string, string>; ownerReferences: Array<{ kind: string }> };
          }>
        )
          .map(
            (p) =>
              `${p.metadata.name} ${p.metadata.ownerReferences[0]?.kind ?? ""} revision=${String(p.metadata.labels["controller-revision-hash"]?.startsWith("db-"))}`,
          )
          .sort(),
      equals: ["db-0 StatefulSet revision=true", "db-1 StatefulSet revision=true"],
    },
  },
  {
    name: "a DaemonSet owns a Pod on the node and a ControllerRevision",
    setup: [
      {
        method: "POST",
        path: "/apis/apps/v1/namespaces/{ns}/daemonsets",
        body: {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: { name: "agent" },
          spec: {
            selector: { matchLabels: { app: "agent" } },
            template: {
              metadata: { labels: { app: "agent" } },
              spec: { containers: [{ name: "agent", image: "fluent-bit:3" }] },
            },
          },
        },
      },
    ],
    request: { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/daemonsets/agent" },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/controllerrevisions?labelSelector=app%3Dagent" },
      pick: (l) =>
        (l.items as Array<{ revision: number; metadata: { ownerReferences: Array<{ kind: string }> } }>).map(
          (r) => `${r.metadata.ownerReferences[0]?.kind ?? ""} revision ${r.revision}`,
        ),
      equals: ["DaemonSet revision 1"],
    },
  },
  {
    name: "a Job owns its Pod and records SuccessfulCreate",
    setup: [
      {
        method: "POST",
        path: "/apis/batch/v1/namespaces/{ns}/jobs",
        body: {
          apiVersion: "batch/v1",
          kind: "Job",
          metadata: { name: "migrate" },
          spec: {
            template: { spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "busybox:1.36" }] } },
          },
        },
      },
    ],
    request: { method: "GET", path: "/apis/batch/v1/namespaces/{ns}/jobs/migrate" },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.kind%3DJob" },
      pick: (l) =>
        (l.items as Array<{ reason: string; message: string }>)
          .filter((e) => e.reason === "SuccessfulCreate")
          .map((e) => e.message.replace(/migrate-\w+/, "migrate-<id>")),
      equals: ["Created pod: migrate-<id>"],
    },
  },
  {
    name: "deleting a Deployment garbage-collects its ReplicaSets and Pods",
    setup: [
      { method: "POST", path: DEPLOYMENTS, body: deployment("web") },
      { method: "GET", path: "/api/v1/namespaces/{ns}/pods?labelSelector=app%3Dweb", waitForItems: 1 },
    ],
    request: { method: "DELETE", path: `${DEPLOYMENTS}/web` },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app%3Dweb" },
      pick: (l) => (l.items as unknown[]).length,
      equals: 0,
    },
  },
  {
    name: "a rolling update of two replicas moves one pod at a time (maxSurge 25% → 1, maxUnavailable 25% → 0)",
    setup: [
      { method: "POST", path: DEPLOYMENTS, body: deployment("web", { replicas: 2 }) },
      {
        method: "GET",
        path: "/api/v1/namespaces/{ns}/pods?labelSelector=app%3Dweb&fieldSelector=status.phase%3DRunning",
        waitForItems: 2,
      },
    ],
    request: {
      method: "PATCH",
      path: `${DEPLOYMENTS}/web`,
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } },
    },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/api/v1/namespaces/{ns}/events?fieldSelector=reason%3DScalingReplicaSet" },
      pick: (l) => {
        const names: string[] = [];
        return (l.items as Array<{ message: string; firstTimestamp: string }>).map((e) =>
          e.message.replace(/web-\w+/, (n) => {
            if (!names.includes(n)) names.push(n);
            return names.indexOf(n) === 0 ? "first" : "second";
          }),
        );
      },
      equals: [
        "Scaled up replica set first from 0 to 2",
        "Scaled up replica set second from 0 to 1",
        "Scaled down replica set first from 2 to 1",
        "Scaled up replica set second from 1 to 2",
        "Scaled down replica set first from 1 to 0",
      ],
    },
  },
  {
    name: "the deployment controller records ScalingReplicaSet events",
    setup: [{ method: "POST", path: DEPLOYMENTS, body: deployment("web") }],
    request: { method: "GET", path: "/api/v1/namespaces/{ns}/events?fieldSelector=reason%3DScalingReplicaSet" },
    expect: { status: 200 },
    then: {
      request: { method: "GET", path: "/api/v1/namespaces/{ns}/events?fieldSelector=reason%3DScalingReplicaSet" },
      pick: (l) =>
        (l.items as Array<{ involvedObject: { kind: string; name: string }; message: string }>).map(
          (e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message.replace(/web-\w+/, "web-<hash>")}`,
        ),
      equals: ["Deployment/web: Scaled up replica set web-<hash> from 0 to 1"],
    },
  },
];
