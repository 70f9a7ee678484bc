import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";

// What kubectl users see of the sandbox's validation (the wire-level rows are in fidelity-table.ts).
let sandbox: Sandbox;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 100 });
  kubectl = await kubectlRunner(sandbox);
});
afterAll(async () => {
  await sandbox?.stop();
});

const TYPO = (name: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicaz: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27", imagePullPolicyy: Always}]
`;

describe("kubectl and the sandbox's validation", () => {
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
metadata: {name: gadgets.example.com}
spec:
  group: example.com
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
    expect((await kubectl(["wait", "crd/gadgets.example.com", "--for=condition=Established", "--timeout=10s"])).code).toBe(0);
    const r = await kubectl(["explain", "gadget.spec.size"]);
    expect(r.stdout).toContain("FIELD: size <integer>");
    expect(r.stdout).toContain("How big the gadget is.");
  });

  it("rejects typos under kubectl's Strict, warns under --validate=warn, and server-side apply refuses them", async () => {
    const strict = await kubectl(["apply", "-f", "-"], { input: TYPO("strict") });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz", unknown field "spec.template.spec.containers[0].imagePullPolicyy"');

    const warn = await kubectl(["create", "-f", "-", "--validate=warn"], { input: TYPO("warned") });
    expect(warn.code).toBe(0);
    expect(warn.stderr).toBe('Warning: unknown field "spec.replicaz"\nWarning: unknown field "spec.template.spec.containers[0].imagePullPolicyy"\n');
    const stored = JSON.parse((await kubectl(["get", "deployment", "warned", "-o", "json"])).stdout) as { spec: Record<string, unknown> };
    expect(stored.spec.replicaz).toBeUndefined();

    const ssa = await kubectl(["apply", "--server-side", "-f", "-"], { input: TYPO("ssa") });
    expect(ssa.stderr).toContain('.spec.template.spec.containers[name="nginx"].imagePullPolicyy: field not declared in schema');
  });

  it("--as impersonates: a ServiceAccount without rights cannot delete, though the admin can", async () => {
    expect((await kubectl(["create", "serviceaccount", "limited", "-n", "default"])).code).toBe(0);
    expect((await kubectl(["create", "configmap", "victim", "-n", "default", "--from-literal=a=1"])).code).toBe(0);
    const denied = await kubectl(["delete", "configmap", "victim", "-n", "default", "--as=system:serviceaccount:default:limited"]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('User "system:serviceaccount:default:limited" cannot delete resource "configmaps"');
    const can = await kubectl(["auth", "can-i", "delete", "configmaps", "-n", "default", "--as=system:serviceaccount:default:limited"]);
    expect(can.stdout.trim()).toBe("no");
  });
});
