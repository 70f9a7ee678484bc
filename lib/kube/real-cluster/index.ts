/**
 * A real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) started from
 * the binaries `npm run cluster:build` caches: the twin of lib/kube/sandbox for tests that must hold against the real
 * API server. Plain Node; test and tooling use only, never the dashboard.
 */
export type { MintTokenOptions, RealCluster, RealClusterInfo, RealClusterOptions } from "./types";
export { RealClusterUnavailableError } from "./types";
export { connectRealCluster, realClusterBinaries, startRealCluster } from "./start";
