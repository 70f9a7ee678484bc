import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAgent, type AgentOptions, type RunningAgent } from "@/lib/agent/agent";
import { applyManifests, type KubeClient, type KubeObject } from "@/lib/kube";
import { clientFor, type TestCluster } from "./lib-support";

/**
 * Gives a pull agent least-privilege access to `namespaces` on the test cluster, as deploy/agent/ does in a real cluster:
 * a ServiceAccount bound to the `admin` ClusterRole by a RoleBinding in each namespace. Returns a client using its token.
 */
export async function agentClusterAccess(
  cluster: TestCluster,
  admin: KubeClient,
  namespaces: string[],
  name: string,
): Promise<KubeClient> {
  const sa = { namespace: "kube-system", name };
  const objects: KubeObject[] = [
    ...namespaces.map((ns) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: sa },
    ...namespaces.map((ns) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `${name}-admin`, namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "ServiceAccount", name: sa.name, namespace: sa.namespace }],
    })),
  ];
  const report = await applyManifests(admin, objects, { fieldManager: "test-setup" });
  if (!report.ok)
    throw new Error(`RBAC setup failed: ${JSON.stringify(report.results.filter((r) => r.action === "failed"))}`);
  return clientFor(cluster, await cluster.mintToken({ serviceAccount: sa, expirationSeconds: 86_400 }));
}

/** Starts an agent with a fresh state directory (or the given one) and quick backoff; collects its log lines. */
export async function startTestAgent(
  opts: Omit<AgentOptions, "stateDir"> & { stateDir?: string },
): Promise<RunningAgent & { stateDir: string; logs: string[] }> {
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-state-"));
  const logs: string[] = [];
  const agent = await startAgent({
    backoff: { baseDelayMs: 100, maxDelayMs: 1000 },
    log: (line) => logs.push(line),
    ...opts,
    stateDir,
  });
  return Object.assign(agent, { stateDir, logs });
}

/** Polls `probe` until it returns a defined value (no fixed sleeps); throws with `what` after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

/**
 * A repo's status once it reads `state`: an event goes out on the agent's next turn, while the reconcile that sent it
 * may still be settling the status (a drift check after a pending approval), so a test that has just seen the event
 * waits for the status rather than reading it once.
 */
export function statusOnceIn(
  agent: { status(): ReadonlyMap<string, { state: string; revision?: string | null }> },
  repoId: string,
  state: string,
) {
  return eventually(() => {
    const status = agent.status().get(repoId);
    return status?.state === state ? status : undefined;
  }, `repo ${repoId} to be ${state}`);
}

export const AUTHOR = { name: "Ada Lovelace", email: "ada@example.com" };

/** A small app: a ConfigMap and a Deployment whose image and config value tests change. */
export function appManifests(
  opts: { name?: string; value?: string; image?: string; replicas?: number } = {},
): Record<string, string> {
  const name = opts.name ?? "web";
  return {
    "deploy/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-config\ndata:\n  greeting: "${opts.value ?? "hello"}"\n`,
    "deploy/deployment.yaml": [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      `  name: ${name}`,
      "spec:",
      `  replicas: ${opts.replicas ?? 2}`,
      "  selector:",
      `    matchLabels: { app: ${name} }`,
      "  template:",
      "    metadata:",
      `      labels: { app: ${name} }`,
      "    spec:",
      "      containers:",
      "        - name: web",
      `          image: ${opts.image ?? "nginx:1.27"}`,
      "",
    ].join("\n"),
  };
}
