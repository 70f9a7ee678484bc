export interface SandboxOptions {
  /** 0 = random free port (tests run in parallel); default 0. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Where ca.crt/ca.key, the signing key, the admin kubeconfig and the optional snapshot live; default a fresh temp dir. */
  dataDir?: string;
  /** Snapshot state to <dataDir>/state.json (debounced) and reload it on start; default false. */
  persist?: boolean;
  /** How long the workload simulator takes to make a rollout ready; default 1500. */
  rolloutDelayMs?: number;
  /** Answer 429 with Retry-After to every Nth request (to test retries). */
  throttle?: { everyNth: number } | undefined;
}

export interface MintTokenOptions {
  /** Token for system:serviceaccount:<ns>:<name> (creates the namespace and SA if missing). */
  serviceAccount?: { namespace: string; name: string };
  /** Or a named user. */
  user?: string;
  groups?: string[];
  /** Default 3600; at least 600, as the TokenRequest API requires. */
  expirationSeconds?: number;
}

export interface Sandbox {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The CA that signed the serving certificate (SAN IP 127.0.0.1 and DNS localhost). */
  caPem: string;
  /** Bearer token bound to cluster-admin (system:masters). */
  adminToken: string;
  /** Admin kubeconfig written in dataDir (cluster with certificate-authority-data, user with token). */
  kubeconfigPath: string;
  /** Same content as YAML. */
  kubeconfig: string;
  mintToken(opts: MintTokenOptions): string;
  stop(): Promise<void>;
}
