import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { kubectlRunner } from "@/tests/support/sandbox";
import type { KubectlResult } from "@/tests/support/sandbox";

let sandbox: Sandbox;
let kubectl: (args: string[], opts?: { token?: string; input?: string }) => Promise<KubectlResult>;

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 300 });
  kubectl = await kubectlRunner(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
});

// Sandbox only: what a fresh sandbox of its own shows kubectl (the shared real control plane has other files' namespaces).
// kubectl's behaviour against an API server in general (apply, get, rollout, auth can-i, create token, delete, watch)
// is in kubectl.test.ts, on both legs.
describe("kubectl against the sandbox", () => {
  it("lists the default namespaces", async () => {
    const r = await kubectl(["get", "ns"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+AGE/);
    expect(r.stdout).toMatch(/default\s+Active\s+\d+s/);
  });
});
