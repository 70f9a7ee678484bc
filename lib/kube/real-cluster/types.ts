import type { MintTokenOptions } from "../sandbox/types";

export type { MintTokenOptions };

export interface RealClusterOptions {
  /**
   * Command name → binary path for etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok; default
   * the ones `npm run cluster:build` cached (gotools/binaries.mjs). Missing ones throw RealClusterUnavailableError.
   */
  binaries?: Partial<Record<string, string>>;
  /** Where certificates, keys, etcd's data and the components' logs go; default a fresh temp dir, removed on stop. */
  dataDir?: string;
  /** How long to wait for /readyz, the fake node and the default ServiceAccount; default 90 s (a busy 2-core machine). */
  readyTimeoutMs?: number;
}

/** What a test worker needs to use a control plane started elsewhere (a vitest globalSetup): serializable. */
export interface RealClusterInfo {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The CA that signed the API server's certificate (SAN IP 127.0.0.1 and DNS localhost). */
  caPem: string;
  /** Static bearer token of a user in system:masters (--token-auth-file). */
  adminToken: string;
  /** Admin kubeconfig in the data dir (cluster with certificate-authority-data, user with the admin token). */
  kubeconfigPath: string;
  /** Same content as YAML. */
  kubeconfig: string;
  /** The API server's gitVersion, e.g. v1.34.4. */
  version: string;
  /** The fake node kwok keeps Ready; Pods are scheduled onto it and turned Running/Ready. */
  nodeName: string;
}

/** The twin of the sandbox's `Sandbox`: same fields, but minting a token is an API call (TokenRequest), so async. */
export interface RealCluster extends RealClusterInfo {
  /**
   * A ServiceAccount token from the TokenRequest API (creating the namespace and ServiceAccount if missing). Named
   * users (`opts.user`) are not supported: a real API server only trusts tokens it can verify.
   */
  mintToken(opts: MintTokenOptions): Promise<string>;
  /** Stops every component and removes the data dir; a handle from connectRealCluster() leaves the cluster running. */
  stop(): Promise<void>;
}

/** Thrown when the binaries are not built (no Go, or `npm run cluster:build` not run). */
export class RealClusterUnavailableError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `real control plane binaries not built (missing: ${missing.join(", ")}); run \`npm run cluster:build\` (needs Go ≥ 1.26)`,
    );
    this.name = "RealClusterUnavailableError";
  }
}
