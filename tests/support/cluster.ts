import { inject } from "vitest";
import { connectRealCluster, type MintTokenOptions } from "@/lib/kube/real-cluster";
import { startSandbox, type Sandbox, type SandboxOptions } from "@/lib/kube/sandbox";

/**
 * Which cluster a project's Kubernetes-facing tests run against, the way WHARF_TEST_DB picks the database: the sandbox
 * (lib/kube/sandbox, in-process) or the real control plane (lib/kube/real-cluster) that the project's globalSetup
 * started once for the whole run. Set per project in tests/vitest.config.ts.
 */
export type ClusterKind = "sandbox" | "real";

/** The shape both legs share: what a test may rely on whichever cluster it runs against. */
export interface TestCluster {
  kind: ClusterKind;
  url: string;
  caPem: string;
  adminToken: string;
  kubeconfigPath: string;
  kubeconfig: string;
  /** A ServiceAccount token (namespace and ServiceAccount created when missing): the sandbox signs it, the real API server issues it via TokenRequest. */
  mintToken(opts: MintTokenOptions): Promise<string>;
  /** Stops a sandbox; leaves the shared real control plane running (its globalSetup stops it). */
  stop(): Promise<void>;
  /** The sandbox itself on the sandbox leg, for tests of sandbox-only internals (sandboxInternals, throttling). */
  sandbox?: Sandbox;
}

/** The leg this project runs (tests/vitest.config.ts sets it; "real" only when the control plane's binaries exist). */
export function testClusterKind(): ClusterKind {
  return process.env.WHARF_TEST_CLUSTER === "real" ? "real" : "sandbox";
}

/**
 * A cluster for one test file. On the sandbox leg, a fresh sandbox with `sandboxOptions` (which the real leg ignores:
 * its workloads turn ready as kwok makes them). On the real leg, a handle on the shared control plane: tests must use
 * their own namespaces (uniqueName) and cluster-scoped names, since other files run against it at the same time.
 */
export async function startTestCluster(sandboxOptions: SandboxOptions = {}): Promise<TestCluster> {
  if (testClusterKind() === "real") return { kind: "real", ...connectRealCluster(inject("realCluster")) };
  const sandbox = await startSandbox({ port: 0, ...sandboxOptions });
  return {
    kind: "sandbox",
    url: sandbox.url,
    caPem: sandbox.caPem,
    adminToken: sandbox.adminToken,
    kubeconfigPath: sandbox.kubeconfigPath,
    kubeconfig: sandbox.kubeconfig,
    mintToken: async (o) => sandbox.mintToken(o),
    stop: () => sandbox.stop(),
    sandbox,
  };
}
