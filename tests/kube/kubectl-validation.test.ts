import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { uniqueName } from "./lib-support";

// What kubectl users see of the API server's validation, on both legs (the wire-level rows are in fidelity-table.ts).
// Unique namespace and CRD group: on the real leg the control plane is shared with every other file.
const ns = uniqueName("kval");
const group = `${ns}.wharf.test`;
let cluster: TestCluster;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 100 });
  kubectl = await kubectlRunner(cluster);
  const created = await kubectl(["create", "namespace", ns]);
  if (created.code !== 0) throw new Error(created.stderr);
});
afterAll(async () => {
  // The shared real control plane outlives this file: take away what it created there (a sandbox is simply stopped).
  if (cluster?.kind === "real") {
    await kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"]);
    await kubectl(["delete", "customresourcedefinition", `gadgets.${group}`, "--ignore-not-found", "--wait=false"]);
  }
  await cluster?.stop();
});

const TYPO = (name: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicaz: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27", imagePullPolicyy: Always}]
`;

describe("kubectl and the API server's validation", () => {
  it("explains fields with the real server's descriptions", async () => {
    const r = await kubectl(["explain", "deployment.spec.replicas"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("FIELD: replicas <integer>");
    expect(r.stdout).toContain("Number of desired pods.");
  });

  it("explains custom resources from their CRD's schema", async () => {
    const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.${group}}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer, description: "How big the gadget is."}}}
`;
    expect((await kubectl(["apply", "-f", "-"], { input: crd })).code).toBe(0);
    expect((await kubectl(["wait", `crd/gadgets.${group}`, "--for=condition=Established", "--timeout=10s"])).code).toBe(
      0,
    );
    // kube-apiserver publishes a new CRD's OpenAPI schema (which explain reads) shortly after it is Established.
    const explain = async () => {
      const r = await kubectl(["explain", "gadget.spec.size", `--api-version=${group}/v1`]);
      return r.stdout + r.stderr;
    };
    await expect.poll(explain, { timeout: 30_000 }).toContain("FIELD: size <integer>");
    expect(await explain()).toContain("How big the gadget is.");
  });

  it("rejects typos under kubectl's Strict, warns under --validate=warn, and server-side apply refuses them", async () => {
    const strict = await kubectl(["apply", "-f", "-"], { input: TYPO("strict") });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz", unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    );

    const warn = await kubectl(["create", "-f", "-", "--validate=warn"], { input: TYPO("warned") });
    expect(warn.code).toBe(0);
    expect(warn.stderr).toBe(
      'Warning: unknown field "spec.replicaz"\nWarning: unknown field "spec.template.spec.containers[0].imagePullPolicyy"\n',
    );
    const stored = JSON.parse((await kubectl(["get", "deployment", "warned", "-n", ns, "-o", "json"])).stdout) as {
      spec: Record<string, unknown>;
    };
    expect(stored.spec.replicaz).toBeUndefined();

    const ssa = await kubectl(["apply", "--server-side", "-f", "-"], { input: TYPO("ssa") });
    expect(ssa.code).not.toBe(0);
    // kube-apiserver (structured-merge-diff) stops at the first undeclared field of an object, visiting fields in Go map
    // order, so it names either typo, or both; the sandbox names both.
    expect(ssa.stderr).toMatch(
      /(\.spec\.replicaz|\.spec\.template\.spec\.containers\[name="nginx"\]\.imagePullPolicyy): field not declared in schema/,
    );
  });

  it("--as impersonates: a ServiceAccount without rights cannot delete, though the admin can", async () => {
    const limited = `--as=system:serviceaccount:${ns}:limited`;
    expect((await kubectl(["create", "serviceaccount", "limited", "-n", ns])).code).toBe(0);
    expect((await kubectl(["create", "configmap", "victim", "-n", ns, "--from-literal=a=1"])).code).toBe(0);
    const denied = await kubectl(["delete", "configmap", "victim", "-n", ns, limited]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(`User "system:serviceaccount:${ns}:limited" cannot delete resource "configmaps"`);
    const can = await kubectl(["auth", "can-i", "delete", "configmaps", "-n", ns, limited]);
    expect(can.stdout.trim()).toBe("no");
    // The admin can: the refusal was the impersonated user's.
    expect((await kubectl(["delete", "configmap", "victim", "-n", ns])).code).toBe(0);
  });
});
