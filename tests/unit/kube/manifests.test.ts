import { describe, expect, it } from "vitest";
import {
  ManifestError,
  applyPhases,
  parseManifestFiles,
  parseManifests,
  sortForApply,
  validateObjects,
} from "@/lib/kube/manifests";

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
  throw new Error("expected a ManifestError");
}

describe("parseManifests", () => {
  it("parses multi-document YAML, skipping empty and comment-only documents", () => {
    const objects = parseManifests(`---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
# nothing here
---
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
`);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ConfigMap/a", "Deployment/web"]);
    expect(objects[1]?.metadata.namespace).toBe("shop");
  });

  it("accepts JSON documents and expands kind: List", () => {
    const objects = parseManifests(
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          { apiVersion: "v1", kind: "Secret", metadata: { name: "s1" } },
          { apiVersion: "v1", kind: "Secret", metadata: { name: "s2" } },
        ],
      }),
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(["s1", "s2"]);
  });

  it("follows Kubernetes' YAML 1.1 rules: 0644 is octal, timestamps become strings", () => {
    const [cm] = parseManifests(`apiVersion: v1
kind: Secret
metadata: {name: a}
spec:
  defaultMode: 0644
  when: 2001-12-14
`);
    expect(cm?.spec).toEqual({ defaultMode: 420, when: "2001-12-14T00:00:00Z" });
  });

  it("reports every problem with document index, line and column", () => {
    const problems = problemsOf(() =>
      parseManifests(
        `apiVersion: v1
kind: ConfigMap
metadata:
  name: ok
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    tier: 3
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
data:
  key: a: b
---
kind: Service
metadata: {name: x}
`,
        { source: "app.yaml" },
      ),
    );
    expect(problems).toEqual([
      expect.objectContaining({ source: "app.yaml", documentIndex: 1, line: 9, message: "missing metadata.name" }),
      expect.objectContaining({
        documentIndex: 1,
        line: 10,
        column: 11,
        message: expect.stringContaining("metadata.labels.tier must be a string"),
      }),
      expect.objectContaining({
        documentIndex: 2,
        line: 17,
        message: expect.stringMatching(/^invalid YAML: Nested mappings/),
      }),
      expect.objectContaining({ documentIndex: 3, line: 19, message: "missing apiVersion" }),
    ]);
  });

  it("formats the error message with 1-based document numbers and the file", () => {
    expect(() => parseManifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", { source: "cm.yaml" })).toThrow(
      "cm.yaml: document 1, line 3, column 11: missing metadata.name",
    );
  });

  it("rejects duplicate objects, across files too", () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n";
    const problems = problemsOf(() =>
      parseManifestFiles([
        { path: "a.yaml", content: cm },
        { path: "b.yaml", content: cm },
      ]),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        source: "b.yaml",
        message: expect.stringContaining("already defined in a.yaml document 1"),
      }),
    ]);
  });

  it("rejects non-objects and generateName", () => {
    const problems = problemsOf(() =>
      parseManifests("- just\n- a list\n---\napiVersion: v1\nkind: Pod\nmetadata: {generateName: x-}\n"),
    );
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining("not a Kubernetes object"),
      expect.stringContaining("not a Kubernetes object"),
      "missing metadata.name (generateName cannot be used with apply)",
    ]);
  });
});

describe("validateObjects", () => {
  it("lists every invalid object", () => {
    const problems = problemsOf(() =>
      validateObjects([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }, { kind: "X" }]),
    );
    expect(problems).toEqual([
      { documentIndex: 1, message: "missing apiVersion" },
      { documentIndex: 1, message: "missing metadata.name" },
    ]);
  });
});

describe("apply order", () => {
  const obj = (apiVersion: string, kind: string) => ({ apiVersion, kind });
  it("orders like Helm/Argo: namespaces, CRDs, RBAC, config, services, workloads, others, custom resources", () => {
    const sorted = sortForApply([
      obj("example.com/v1", "Widget"),
      obj("networking.k8s.io/v1", "Ingress"),
      obj("apps/v1", "Deployment"),
      obj("v1", "Service"),
      obj("v1", "ConfigMap"),
      obj("rbac.authorization.k8s.io/v1", "RoleBinding"),
      obj("rbac.authorization.k8s.io/v1", "Role"),
      obj("v1", "ServiceAccount"),
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
      obj("v1", "Namespace"),
      obj("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ]);
    expect(sorted.map((o) => o.kind)).toEqual([
      "Namespace",
      "CustomResourceDefinition",
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "ConfigMap",
      "Service",
      "Deployment",
      "Ingress",
      "Widget",
      "HTTPRoute",
    ]);
  });

  it("does not confuse a custom kind that shares a built-in name", () => {
    expect(sortForApply([obj("example.com/v1", "Service"), obj("v1", "Service")]).map((o) => o.apiVersion)).toEqual([
      "v1",
      "example.com/v1",
    ]);
  });

  it("groups into phases, keeping document order within a kind", () => {
    const phases = applyPhases([
      { ...obj("v1", "ConfigMap"), n: 1 },
      { ...obj("v1", "Namespace"), n: 2 },
      { ...obj("v1", "ConfigMap"), n: 3 },
    ]);
    expect(phases.map((p) => [p.name, p.objects.map((o) => o.n)])).toEqual([
      ["namespaces", [2]],
      ["configuration and storage", [1, 3]],
    ]);
  });
});
