import { startRealCluster, type RealCluster, type RealClusterInfo } from "@/lib/kube/real-cluster";

declare module "vitest" {
  interface ProvidedContext {
    /** The shared real control plane of this run (projects with WHARF_TEST_CLUSTER=real). */
    realCluster: RealClusterInfo;
  }
}

interface Project {
  provide(key: "realCluster", value: RealClusterInfo): void;
}

// One control plane per vitest run, however many projects use it: each project loads this module on its own, so the
// handle lives on globalThis (one main process), and the last project's teardown stops it.
interface Shared {
  cluster?: Promise<RealCluster>;
  users: number;
}
const KEY = Symbol.for("wharf.realClusterGlobalSetup");
const shared: Shared = ((globalThis as Record<symbol, Shared | undefined>)[KEY] ??= { users: 0 });

async function start(): Promise<RealCluster> {
  try {
    const cluster = await startRealCluster();
    console.log(
      `[wharf] real control plane: Kubernetes ${cluster.version} ready in ${(cluster.startupMs / 1000).toFixed(1)} s at ${cluster.url}`,
    );
    return cluster;
  } catch (e) {
    const required =
      process.env.WHARF_REQUIRE_REAL_CLUSTER === "1" ? " (WHARF_REQUIRE_REAL_CLUSTER=1: CI must not skip it)" : "";
    throw new Error(`the real control plane did not start${required}: ${(e as Error).message}`);
  }
}

/**
 * Starts the real control plane for the projects whose tests run on the real leg. tests/vitest.config.ts lists this
 * file only when the binaries are built (or required): a failure to start here is a failure, never a skip.
 */
export default async function setup(project: Project): Promise<() => Promise<void>> {
  shared.cluster ??= start();
  shared.users++;
  const cluster = await shared.cluster;
  const { url, caPem, adminToken, kubeconfigPath, kubeconfig, version, nodeName } = cluster;
  project.provide("realCluster", { url, caPem, adminToken, kubeconfigPath, kubeconfig, version, nodeName });
  return async () => {
    shared.users--;
    if (shared.users === 0) {
      shared.cluster = undefined;
      await cluster.stop();
    }
  };
}
