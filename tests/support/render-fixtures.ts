/**
 * Small sources for lib/render's tests, as repository files (path → content): a kustomize overlay on a base elsewhere
 * in the repository, a Helm chart with a values file, a chart that renders more than 10 MB, and a kube-prometheus-like
 * manifest set (CRDs with large schemas and the custom resources that need them).
 */

import { stringify } from "yaml";

export const KUSTOMIZE_OVERLAY: Record<string, string> = {
  "base/kustomization.yaml": "resources:\n  - cm.yaml\n",
  "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: base\n",
  "overlays/prod/kustomization.yaml":
    "resources:\n  - ../../base\nnamePrefix: prod-\nlabels:\n  - pairs: { env: prod }\n    includeSelectors: false\n",
};

/** A chart at `charts/web`: a ConfigMap from values (values.yaml, values-prod.yaml, then inline) and the capabilities. */
export const HELM_CHART: Record<string, string> = {
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: '1.0'\n",
  "charts/web/values.yaml": "greeting: hello\nreplicas: 1\ncolor: blue\n",
  "charts/web/values-prod.yaml": "greeting: hello from prod\n",
  "charts/web/templates/config.yaml": [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: {{ .Release.Name }}-config",
    "  namespace: {{ .Release.Namespace }}",
    "  labels:",
    "    app.kubernetes.io/instance: {{ .Release.Name }}",
    "data:",
    "  greeting: {{ .Values.greeting | quote }}",
    "  color: {{ .Values.color | quote }}",
    "  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}",
    '  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}',
    "",
  ].join("\n"),
  "charts/web/templates/NOTES.txt": "Thanks for installing {{ .Chart.Name }}.\n",
  "charts/web/templates/tests/test-connection.yaml":
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: test\n  annotations:\n    helm.sh/hook: test\nspec:\n  containers: [{ name: t, image: busybox }]\n",
};

/** A template error on line 3 of templates/broken.yaml. */
export const HELM_BROKEN: Record<string, string> = {
  "broken/Chart.yaml": "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
  "broken/templates/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ .Values.missing.name }\n",
};

/** `count` ConfigMaps of a `size`-character value each: count × size ≥ 10 MB renders more than 10 MB. */
export function bigChart(dir = "big"): Record<string, string> {
  return {
    [`${dir}/Chart.yaml`]: "apiVersion: v2\nname: big\nversion: 0.1.0\n",
    [`${dir}/values.yaml`]: "count: 1050\nsize: 10000\n",
    [`${dir}/templates/many.yaml`]: [
      '{{- $blob := repeat (int .Values.size) "x" }}',
      "{{- range $i := until (int .Values.count) }}",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: big-{{ $i }}",
      "data:",
      "  blob: {{ $blob }}",
      "{{- end }}",
      "",
    ].join("\n"),
  };
}

/**
 * What `kubePrometheusLike` makes unique, so runs on a shared control plane do not collide: the namespace, the CRDs'
 * API group (CRDs are cluster-wide) and a prefix for the other cluster-wide objects (ClusterRoles and bindings).
 */
export interface KubePrometheusOptions {
  /** Default "monitoring". */
  namespace?: string;
  /** The CRDs' API group; default "monitoring.coreos.com". */
  group?: string;
  /** Prefix of ClusterRole and ClusterRoleBinding names; default "". */
  prefix?: string;
  /** Multiplies the CRD schemas and dashboards: 1 (default) is about 4.3 MB, like kube-prometheus; 2.4 is ~10 MB. */
  scale?: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so the fixture is the same bytes on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "endpoint scrape relabel config selector tls secret key file interval timeout metric label target " +
  "namespace service monitor alert rule storage volume retention shard replica resource limit request " +
  "authorization bearer token basic oauth proxy url header query remote write read queue batch sample " +
  "exemplar series annotation affinity toleration topology spread constraint container image pull policy " +
  "probe liveness readiness startup port path scheme honor timestamps external labels web route receiver"
).split(" ");

/** A kube-prometheus-like description: several sentences of operator documentation. */
function description(rand: () => number): string {
  const sentences: string[] = [];
  const count = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < count; s++) {
    const words: string[] = [];
    const length = 8 + Math.floor(rand() * 18);
    for (let w = 0; w < length; w++) words.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
    const sentence = words.join(" ");
    sentences.push(`${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`);
  }
  if (rand() < 0.3) sentences.push("\n\nIt requires Prometheus >= v2.45.0 and is *experimental*.");
  return sentences.join(" ");
}

function camel(rand: () => number, words: number): string {
  let out = "";
  for (let i = 0; i < words; i++) {
    const word = WORDS[Math.floor(rand() * WORDS.length)] as string;
    out += i === 0 ? word : `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
  }
  return out;
}

type Schema = Record<string, unknown>;

/**
 * Optional fields the instances never set, with descriptions, nested like an operator's API (objects of objects, lists
 * of objects, string maps): the bulk of a real CRD. Roughly `bytes` of YAML.
 */
function paddingFields(rand: () => number, bytes: number, depth = 0): Record<string, Schema> {
  const props: Record<string, Schema> = {};
  let used = 0;
  while (used < bytes) {
    let name = camel(rand, 1 + Math.floor(rand() * 3));
    while (props[name]) name += "X";
    const text = description(rand);
    const roll = rand();
    let schema: Schema;
    if (depth < 6 && roll < 0.25 && bytes - used > 1500) {
      const inner = Math.min(bytes - used, 800 + Math.floor(rand() * 6000));
      schema = { description: text, type: "object", properties: paddingFields(rand, inner, depth + 1) };
      used += inner;
    } else if (depth < 6 && roll < 0.35 && bytes - used > 1500) {
      const inner = Math.min(bytes - used, 600 + Math.floor(rand() * 3000));
      schema = {
        description: text,
        type: "array",
        items: { type: "object", properties: paddingFields(rand, inner, depth + 1) },
        "x-kubernetes-list-type": "atomic",
      };
      used += inner;
    } else if (roll < 0.45) {
      schema = { description: text, type: "object", additionalProperties: { type: "string" } };
    } else if (roll < 0.6) {
      schema = { description: text, type: "integer", format: "int32", minimum: 0 };
    } else if (roll < 0.7) {
      schema = { description: text, type: "boolean" };
    } else if (roll < 0.8) {
      schema = { description: text, type: "string", enum: ["HTTP", "HTTPS", "None"] };
    } else {
      schema = {
        description: text,
        type: "string",
        pattern: "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$",
      };
    }
    props[name] = schema;
    used += text.length + name.length + 40 + depth * 12;
  }
  return props;
}

/** The structural schema that admits `values` (merged over all of them): what the instances actually set. */
function schemaOf(values: unknown[]): Schema {
  const first = values.find((v) => v !== undefined && v !== null);
  if (typeof first === "string") return { type: "string" };
  if (typeof first === "boolean") return { type: "boolean" };
  if (typeof first === "number") return { type: "integer" };
  if (Array.isArray(first))
    return { type: "array", items: schemaOf(values.flatMap((v) => (Array.isArray(v) ? v : []))) };
  const objects = values.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null);
  const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  const properties: Record<string, Schema> = {};
  for (const key of keys) properties[key] = schemaOf(objects.map((o) => o[key]));
  return { type: "object", properties };
}

const CRDS: { kind: string; plural: string; version: string; kb: number; short?: string }[] = [
  { kind: "Prometheus", plural: "prometheuses", version: "v1", kb: 600, short: "prom" },
  { kind: "PrometheusAgent", plural: "prometheusagents", version: "v1alpha1", kb: 480, short: "promagent" },
  { kind: "Alertmanager", plural: "alertmanagers", version: "v1", kb: 420, short: "am" },
  { kind: "ThanosRuler", plural: "thanosrulers", version: "v1", kb: 400, short: "ruler" },
  { kind: "AlertmanagerConfig", plural: "alertmanagerconfigs", version: "v1alpha1", kb: 350, short: "amcfg" },
  { kind: "ScrapeConfig", plural: "scrapeconfigs", version: "v1alpha1", kb: 250, short: "scfg" },
  { kind: "PodMonitor", plural: "podmonitors", version: "v1", kb: 150, short: "pmon" },
  { kind: "ServiceMonitor", plural: "servicemonitors", version: "v1", kb: 150, short: "smon" },
  { kind: "Probe", plural: "probes", version: "v1", kb: 150, short: "prb" },
  { kind: "PrometheusRule", plural: "prometheusrules", version: "v1", kb: 40, short: "promrule" },
];

const COMPONENTS: { name: string; workload: "Deployment" | "DaemonSet"; image: string; port: number }[] = [
  {
    name: "alertmanager-operated",
    workload: "Deployment",
    image: "quay.io/prometheus/alertmanager:v0.27.0",
    port: 9093,
  },
  {
    name: "blackbox-exporter",
    workload: "Deployment",
    image: "quay.io/prometheus/blackbox-exporter:v0.25.0",
    port: 9115,
  },
  { name: "grafana", workload: "Deployment", image: "grafana/grafana:11.2.0", port: 3000 },
  {
    name: "kube-state-metrics",
    workload: "Deployment",
    image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0",
    port: 8080,
  },
  { name: "node-exporter", workload: "DaemonSet", image: "quay.io/prometheus/node-exporter:v1.8.2", port: 9100 },
  {
    name: "prometheus-adapter",
    workload: "Deployment",
    image: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
    port: 6443,
  },
  {
    name: "prometheus-operator",
    workload: "Deployment",
    image: "quay.io/prometheus-operator/prometheus-operator:v0.76.0",
    port: 8080,
  },
];

/** A Grafana dashboard of `panels` panels, pretty-printed JSON as kube-prometheus ships them. */
function dashboard(rand: () => number, title: string, panels: number): string {
  const list = [];
  for (let i = 0; i < panels; i++) {
    list.push({
      id: i + 1,
      title: camel(rand, 3),
      type: rand() < 0.7 ? "timeseries" : "stat",
      datasource: { type: "prometheus", uid: "$datasource" },
      gridPos: { h: 7, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 7 },
      targets: [
        {
          expr: `sum(rate(${camel(rand, 2)}_total{cluster="$cluster", namespace="$namespace"}[$__rate_interval])) by (pod)`,
          legendFormat: "{{pod}}",
          refId: "A",
        },
      ],
      fieldConfig: { defaults: { unit: rand() < 0.5 ? "bytes" : "short", min: 0 }, overrides: [] },
    });
  }
  return JSON.stringify(
    { title, uid: title.replace(/[^a-z0-9]/gi, "").slice(0, 30), panels: list, schemaVersion: 39 },
    null,
    4,
  );
}

/**
 * A kube-prometheus-like manifest set as repository files under `manifests/` (setup/ holds the Namespace and the
 * CRDs, as kube-prometheus does): 10 monitoring CRDs with operator-sized openAPIV3Schemas (the largest ~600 KB), and
 * ~90 other objects — ServiceAccounts, ClusterRoles and bindings, Deployments, a DaemonSet, Services, ConfigMaps
 * (Grafana dashboards as a ConfigMapList), Secrets without real data, NetworkPolicies, PodDisruptionBudgets — and
 * instances of the new kinds (Prometheus, Alertmanager, ServiceMonitors, PodMonitor, Probe, PrometheusRules), which
 * the API server only accepts once their CRDs are Established. No images are pulled: nothing here needs the network.
 */
export function kubePrometheusLike(opts: KubePrometheusOptions = {}): Record<string, string> {
  const ns = opts.namespace ?? "monitoring";
  const group = opts.group ?? "monitoring.coreos.com";
  const prefix = opts.prefix ?? "";
  const scale = opts.scale ?? 1;
  const rand = prng(42);
  const files: Record<string, string> = {};
  const put = (file: string, objects: unknown[]) => {
    files[`manifests/${file}`] = objects.map((o) => stringify(o, { lineWidth: 100 })).join("---\n");
  };
  const meta = (name: string, component: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace: ns } : {}),
    labels: {
      "app.kubernetes.io/component": component,
      "app.kubernetes.io/name": component,
      "app.kubernetes.io/part-of": "kube-prometheus",
      "app.kubernetes.io/version": "0.14.0",
    },
  });

  // The instances first: the CRDs' schemas must admit every field they set.
  const instances = new Map<string, { file: string; object: Record<string, unknown> }[]>();
  const instance = (kind: string, file: string, object: Record<string, unknown>) => {
    const crd = CRDS.find((c) => c.kind === kind);
    if (!crd) throw new Error(`no CRD for ${kind}`);
    const list = instances.get(kind) ?? [];
    list.push({ file, object: { apiVersion: `${group}/${crd.version}`, kind, ...object } });
    instances.set(kind, list);
  };
  instance("Prometheus", "prometheus-prometheus.yaml", {
    metadata: meta("k8s", "prometheus"),
    spec: {
      replicas: 2,
      version: "2.54.1",
      image: "quay.io/prometheus/prometheus:v2.54.1",
      serviceAccountName: "prometheus-k8s",
      retention: "15d",
      externalLabels: { cluster: "demo" },
      alerting: { alertmanagers: [{ name: "alertmanager-main", namespace: ns, port: "web", apiVersion: "v2" }] },
      podMonitorSelector: {},
      probeSelector: {},
      ruleSelector: {},
      serviceMonitorSelector: {},
      resources: { requests: { memory: "400Mi" } },
      securityContext: { fsGroup: 2000, runAsNonRoot: true, runAsUser: 1000 },
    },
  });
  instance("Alertmanager", "alertmanager-alertmanager.yaml", {
    metadata: meta("main", "alert-router"),
    spec: {
      replicas: 3,
      version: "0.27.0",
      image: "quay.io/prometheus/alertmanager:v0.27.0",
      serviceAccountName: "alertmanager-main",
      resources: { limits: { cpu: "100m", memory: "100Mi" }, requests: { cpu: "4m", memory: "100Mi" } },
    },
  });
  for (const component of COMPONENTS) {
    instance("ServiceMonitor", `${component.name}-serviceMonitor.yaml`, {
      metadata: meta(component.name, component.name),
      spec: {
        jobLabel: "app.kubernetes.io/name",
        selector: { matchLabels: { "app.kubernetes.io/name": component.name } },
        endpoints: [
          {
            port: "https",
            interval: "30s",
            scheme: "https",
            bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
            tlsConfig: { insecureSkipVerify: true },
            relabelings: [
              { action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "instance" },
            ],
          },
        ],
      },
    });
    const rules = [];
    for (let r = 0; r < 12; r++) {
      rules.push({
        alert: `${camel(rand, 2).replace(/^./, (c) => c.toUpperCase())}${r}`,
        expr: `sum by (namespace, pod) (rate(${camel(rand, 2)}_total{job="${component.name}"}[5m])) > ${r}`,
        for: "15m",
        labels: { severity: r % 3 === 0 ? "critical" : "warning" },
        annotations: {
          description: description(rand),
          runbook_url: `https://runbooks.prometheus-operator.dev/runbooks/${component.name}/alert${r}`,
          summary: description(rand).slice(0, 80),
        },
      });
    }
    instance("PrometheusRule", `${component.name}-prometheusRule.yaml`, {
      metadata: meta(`${component.name}-rules`, component.name),
      spec: { groups: [{ name: `${component.name}.rules`, rules }] },
    });
  }
  instance("PodMonitor", "kubernetes-podMonitorKubelet.yaml", {
    metadata: meta("kubelet-pods", "kubelet"),
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "kubelet" } },
      podMetricsEndpoints: [{ port: "https-metrics", interval: "30s" }],
    },
  });
  instance("Probe", "blackbox-exporter-probe.yaml", {
    metadata: meta("blackbox-example", "blackbox-exporter"),
    spec: {
      prober: { url: `blackbox-exporter.${ns}.svc:19115` },
      module: "http_2xx",
      targets: { staticConfig: { static: ["https://example.com"] } },
    },
  });

  // Namespace and CRDs in manifests/setup/, as kube-prometheus asks you to apply first: Wharf applies them in one go.
  put("setup/namespace.yaml", [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }]);
  for (const crd of CRDS) {
    const examples = (instances.get(crd.kind) ?? []).map((i) => i.object.spec);
    const specSchema = schemaOf(examples.length > 0 ? examples : [{}]);
    const padding = paddingFields(rand, Math.round(crd.kb * 1024 * scale * 0.55));
    const spec: Schema = {
      description: `${crd.kind}Spec is a specification of the desired behavior of the ${crd.kind}. ${description(rand)}`,
      type: "object",
      properties: { ...padding, ...((specSchema.properties as Record<string, Schema> | undefined) ?? {}) },
    };
    put(`setup/0${crd.kind.charAt(0).toLowerCase()}${crd.kind.slice(1)}CustomResourceDefinition.yaml`, [
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: {
          annotations: {
            "controller-gen.kubebuilder.io/version": "v0.16.1",
            "operator.prometheus.io/version": "0.76.0",
          },
          name: `${crd.plural}.${group}`,
        },
        spec: {
          group,
          names: {
            categories: ["prometheus-operator"],
            kind: crd.kind,
            listKind: `${crd.kind}List`,
            plural: crd.plural,
            singular: crd.kind.toLowerCase(),
            ...(crd.short ? { shortNames: [crd.short] } : {}),
          },
          scope: "Namespaced",
          versions: [
            {
              name: crd.version,
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  description: `The \`${crd.kind}\` custom resource definition (CRD) defines a desired ${crd.kind} setup. ${description(rand)}`,
                  type: "object",
                  required: ["spec"],
                  properties: {
                    apiVersion: {
                      description: "APIVersion defines the versioned schema of this representation of an object.",
                      type: "string",
                    },
                    kind: {
                      description: "Kind is a string value representing the REST resource this object represents.",
                      type: "string",
                    },
                    metadata: { type: "object" },
                    spec,
                    status: {
                      description: `Most recent observed status of the ${crd.kind}. Read-only.`,
                      type: "object",
                      "x-kubernetes-preserve-unknown-fields": true,
                    },
                  },
                },
              },
              subresources: { status: {} },
            },
          ],
        },
      },
    ]);
  }

  for (const [, list] of instances) for (const { file, object } of list) put(file, [object]);

  for (const component of COMPONENTS) {
    const name = component.name;
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "kube-prometheus" };
    put(`${name}-serviceAccount.yaml`, [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name, name), automountServiceAccountToken: false },
    ]);
    put(`${name}-clusterRole.yaml`, [
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: meta(`${prefix}${name}`, name, false),
        rules: [
          {
            apiGroups: [""],
            resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"],
            verbs: ["get", "list", "watch"],
          },
          { apiGroups: [group], resources: CRDS.map((c) => c.plural), verbs: ["get", "list", "watch"] },
          { nonResourceURLs: ["/metrics"], verbs: ["get"] },
        ],
      },
    ]);
    put(`${name}-clusterRoleBinding.yaml`, [
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: meta(`${prefix}${name}`, name, false),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${prefix}${name}` },
        subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
      },
    ]);
    const podSpec = {
      serviceAccountName: name,
      automountServiceAccountToken: true,
      nodeSelector: { "kubernetes.io/os": "linux" },
      containers: [
        {
          name,
          image: component.image,
          args: [`--web.listen-address=:${component.port}`, "--log.level=info"],
          ports: [{ containerPort: component.port, name: "http" }],
          resources: { limits: { cpu: "250m", memory: "180Mi" }, requests: { cpu: "10m", memory: "100Mi" } },
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
          },
        },
      ],
    };
    put(`${name}-${component.workload === "DaemonSet" ? "daemonset" : "deployment"}.yaml`, [
      {
        apiVersion: "apps/v1",
        kind: component.workload,
        metadata: meta(name, name),
        spec: {
          ...(component.workload === "Deployment" ? { replicas: 1 } : {}),
          // Copies: one object in two places would come out as a YAML anchor and alias, which renderers do not print.
          selector: { matchLabels: { ...labels } },
          template: {
            metadata: { annotations: { "kubectl.kubernetes.io/default-container": name }, labels: { ...labels } },
            spec: podSpec,
          },
        },
      },
    ]);
    put(`${name}-service.yaml`, [
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(name, name),
        spec: { ports: [{ name: "https", port: component.port, targetPort: "http" }], selector: { ...labels } },
      },
    ]);
    put(`${name}-networkPolicy.yaml`, [
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(name, name),
        spec: {
          podSelector: { matchLabels: { ...labels } },
          policyTypes: ["Egress", "Ingress"],
          egress: [{}],
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
              ports: [{ port: component.port, protocol: "TCP" }],
            },
          ],
        },
      },
    ]);
    if (component.workload === "Deployment")
      put(`${name}-podDisruptionBudget.yaml`, [
        {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          metadata: meta(name, name),
          spec: { maxUnavailable: 1, selector: { matchLabels: { ...labels } } },
        },
      ]);
    put(`${name}-secret.yaml`, [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(`${name}-config`, name),
        type: "Opaque",
        stringData: { "config.yaml": `# no real secret: a placeholder for ${name}\nlevel: info\n` },
      },
    ]);
  }
  put("grafana-config.yaml", [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("grafana-datasources", "grafana"),
      data: {
        "datasources.yaml": `apiVersion: 1\ndatasources:\n  - name: prometheus\n    url: http://prometheus-k8s.${ns}.svc:9090\n`,
      },
    },
  ]);
  // Dashboards: one ConfigMapList of 20 ConfigMaps, about 1 MB, as kube-prometheus ships them.
  const dashboards = [];
  const dashboardCount = Math.round(20 * scale);
  for (let d = 0; d < dashboardCount; d++) {
    const title = `${camel(rand, 2)}-${d}`;
    dashboards.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(`grafana-dashboard-${d}`, "grafana"),
      data: { [`${title}.json`]: dashboard(rand, title, 36) },
    });
  }
  put("grafana-dashboardDefinitions.yaml", [{ apiVersion: "v1", kind: "ConfigMapList", items: dashboards }]);
  return files;
}
