import { startRealCluster, RealClusterUnavailableError, type RealCluster, type RealClusterInfo } from "@/lib/kube/real-cluster";

declare module "vitest" {
  interface ProvidedContext {
    /** The shared real control plane of this run; null when it could not be started and the leg falls back or is skipped. */
    realCluster: RealClusterInfo | null;
  }
}

interface Project {
  name: string;
  config: { include: string[] };
  provide(key: "realCluster", value: RealClusterInfo | null): void;
}

// One control plane per vitest run, however many projects use it: every project that lists this file gets the same
// one (the module is loaded once per run), and the last teardown stops it.
let shared: Promise<RealCluster | null> | undefined;
let users = 0;

async function start(): Promise<RealCluster | null> {
  try {
    const cluster = await startRealCluster();
    console.log(`[wharf] real control plane: Kubernetes ${cluster.version} ready in ${(cluster.startupMs / 1000).toFixed(1)} s at ${cluster.url}`);
    return cluster;
  } catch (e) {
    if (process.env.WHARF_REQUIRE_REAL_CLUSTER === "1") {
      throw new Error(`the real control plane did not start and WHARF_REQUIRE_REAL_CLUSTER=1 (CI must not skip it): ${(e as Error).message}`);
    }
    if (!(e instanceof RealClusterUnavailableError)) throw e;
    return null;
  }
}

/**
 * Starts the real control plane for a project whose tests run on the real leg (WHARF_TEST_CLUSTER=real). When the
 * binaries are not built (no Go), prints one loud SKIPPED line: a project that only tests the cluster ("kube-real") is
 * skipped, the others run their cluster-facing tests on the sandbox, as before there was a real leg. With
 * WHARF_REQUIRE_REAL_CLUSTER=1 (CI) that is a failure instead.
 */
export default async function setup(project: Project): Promise<() => Promise<void>> {
  shared ??= start();
  users++;
  const cluster = await shared;
  if (!cluster) {
    const clusterOnly = project.name.startsWith("kube");
    console.warn(
      `\n[wharf] *** real control plane leg SKIPPED for ${project.name}: ${clusterOnly ? "not run" : "its cluster tests use the sandbox"} — ` +
        "binaries not built (run `npm run cluster:build`; needs Go ≥ 1.26). ***\n",
    );
    if (clusterOnly) project.config.include = [];
  }
  project.provide("realCluster", cluster && { url: cluster.url, caPem: cluster.caPem, adminToken: cluster.adminToken, kubeconfigPath: cluster.kubeconfigPath, kubeconfig: cluster.kubeconfig, version: cluster.version, nodeName: cluster.nodeName });
  return async () => {
    users--;
    if (users === 0) await cluster?.stop();
  };
}
