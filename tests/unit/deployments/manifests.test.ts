import { describe, expect, it } from "vitest";
import { ManifestError, formatProblem } from "@/lib/kube/manifests";
import {
  canonicalJson,
  manifestsDigest,
  objectRefsFor,
  scopeOf,
  validateDeploymentManifests,
} from "@/lib/deployments/manifests";
import { parseManifests } from "@/lib/kube";

const rules = { defaultNamespace: "shop", allowedNamespaces: ["shop", "shop-canary"], allowClusterScoped: false };

function problems(input: string, r = rules): string[] {
  try {
    validateDeploymentManifests(input, r);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

describe("validateDeploymentManifests", () => {
  it("accepts namespaced objects in allowed namespaces, and objects without a namespace (the default one)", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop-canary}\n`;
    const result = validateDeploymentManifests(text, rules);
    expect(result.objects).toHaveLength(2);
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("lists a namespace outside the allow-list and a cluster-scoped kind, with document and line", () => {
    const text = [
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: kube-system",
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: god",
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop",
    ].join("\n---\n");
    const found = problems(text);
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(
      /^document 1, line 1: ConfigMap a is in namespace "kube-system", which this target does not allow/,
    );
    expect(found[1]).toMatch(/^document 2, line 7: ClusterRole god is cluster-scoped/);
    expect(found[2]).toMatch(/^document 3, .*Namespace shop is cluster-scoped/);
  });

  it("allows cluster-scoped kinds when the target does", () => {
    expect(
      problems("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n", { ...rules, allowClusterScoped: true }),
    ).toEqual([]);
  });

  it("an empty allow-list means the default namespace only", () => {
    const r = { defaultNamespace: "shop", allowedNamespaces: [], allowClusterScoped: false };
    expect(problems("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", r)).toEqual([]);
    expect(problems("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: other}\n", r)[0]).toMatch(
      /allowed: shop\)/,
    );
  });

  it("treats custom resources of unknown scope as possibly cluster-scoped unless they name a namespace", () => {
    expect(problems("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gw}\n")[0]).toMatch(
      /not a built-in kind/,
    );
    expect(problems("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n")).toEqual([]);
    expect(problems("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: prod}\n")[0]).toMatch(
      /namespace "prod"/,
    );
  });

  it("reads the scope of custom resources from a CRD in the same set", () => {
    const crd = (scope: string) =>
      `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, scope: ${scope}, names: {kind: Widget, plural: widgets}, versions: []}\n`;
    const objects = parseManifests(
      `${crd("Namespaced")}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n`,
    );
    expect(scopeOf(objects[1]!, new Map([["example.com/Widget", objects[0]!]]))).toBe("namespaced");
    const cluster = parseManifests(crd("Cluster"));
    expect(
      scopeOf({ apiVersion: "example.com/v1", kind: "Widget" }, new Map([["example.com/Widget", cluster[0]!]])),
    ).toBe("cluster");
  });

  it("reports YAML errors and missing fields in every document, before any rule check", () => {
    const text =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n---\nfoo: [unclosed\n";
    const found = problems(text);
    expect(found.some((p) => /^document 2, line 5, column 1: missing apiVersion/.test(p))).toBe(true);
    expect(found.some((p) => /^document 3, line 9, column 1: invalid YAML/.test(p))).toBe(true);
  });

  it("refuses a set without objects", () => {
    expect(problems("# nothing\n---\n")[0]).toMatch(/no Kubernetes objects/);
  });
});

describe("manifestsDigest", () => {
  it("ignores comments, whitespace, key order and YAML-vs-JSON", () => {
    const a = parseManifests("# hello\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: '1'\n");
    const b = parseManifests('{"kind":"ConfigMap","data":{"x":"1"},"metadata":{"name":"a"},"apiVersion":"v1"}');
    expect(manifestsDigest(a)).toBe(manifestsDigest(b));
  });

  it("changes with any value, and with object order", () => {
    const one = parseManifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n");
    const two = parseManifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '2'}\n");
    expect(manifestsDigest(one)).not.toBe(manifestsDigest(two));
    const ab = parseManifests(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
    );
    expect(manifestsDigest(ab)).not.toBe(manifestsDigest([...ab].reverse()));
  });

  it("canonicalJson sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("objectRefsFor", () => {
  it("fills the default namespace for namespaced kinds only", () => {
    const objects = parseManifests(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n",
    );
    expect(objectRefsFor(objects, "shop")).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", name: "a", namespace: "shop" },
      { apiVersion: "v1", kind: "Namespace", name: "web" },
    ]);
  });
});
