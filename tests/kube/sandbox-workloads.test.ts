import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "@/lib/kube/sandbox";
import { sandboxInternals } from "@/lib/kube/sandbox/server";
import type { Sandbox } from "@/lib/kube/sandbox";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";

// What only the sandbox's workload simulator shows; the rest of its workloads, as kubectl sees them, is checked on both
// legs in kubectl-workloads.test.ts.
let sandbox: Sandbox;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 150 });
  kubectl = await kubectlRunner(sandbox);
});
afterAll(async () => {
  await sandbox?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? undefined : { input });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

const deployment = (ns: string, image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "${image}"}]
`;

describe("the sandbox's workload simulator", () => {
  // Sandbox only: it emits the kubelet's BackOff events; kwok, the real leg's node, emits no kubelet events.
  it("a crash-looping pod gets the kubelet's BackOff warning", async () => {
    await ok(["create", "namespace", "crash"]);
    await ok(["apply", "-f", "-"], deployment("crash", "nginx:fail"));
    await expect
      .poll(async () => ok(["get", "events", "-n", "crash", "--field-selector", "type=Warning"]), { timeout: 20_000 })
      .toMatch(/BackOff\s+pod\/web-\S+\s+Back-off restarting failed container nginx/);
  });

  // Sandbox only: this runs its event sweep as if two hours had passed (sandboxInternals); a real one cannot be aged.
  it("events live an hour, as with kube-apiserver's --event-ttl", async () => {
    await ok(["create", "namespace", "ttl"]);
    await ok(["apply", "-f", "-"], deployment("ttl", "nginx:1.27"));
    await ok(["rollout", "status", "deployment/web", "-n", "ttl", "--timeout=30s"]);
    expect(JSON.parse(await ok(["get", "events", "-n", "ttl", "-o", "json"])).items).not.toEqual([]);
    sandboxInternals(sandbox).simulator.expireEvents(Date.now() + 2 * 3600_000);
    expect(JSON.parse(await ok(["get", "events", "-n", "ttl", "-o", "json"])).items).toEqual([]);
  });
});
