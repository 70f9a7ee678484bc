/**
 * Small sources for lib/render's tests, as repository files (path → content): a kustomize overlay on a base elsewhere
 * in the repository, a Helm chart with a values file, and a chart that renders more than 10 MB.
 */

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
