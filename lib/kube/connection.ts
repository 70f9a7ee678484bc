import { KubeConfig, type RequestContext } from "@kubernetes/client-node";

/** What Wharf stores about a push target's cluster, with the credential already decrypted (in memory only). */
export interface ClusterConnection {
  /** Target/cluster name; used in KubeConfig entries and in every KubeError. */
  name: string;
  /** API server URL, e.g. https://10.0.0.1:6443. */
  server: string;
  /** PEM bundle of CAs that sign the API server's certificate; system roots are used when absent. */
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
  /** Bearer token (service-account token, TokenRequest token, OIDC id token…). */
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Namespace for namespaced objects that do not name one; "default" when absent. */
  namespace?: string;
  /** TLS server name when it differs from the URL's host. */
  tlsServerName?: string;
}

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

type DispatcherConstructor = new (options: {
  connect?: unknown;
  connections?: number;
  keepAliveTimeout?: number;
}) => Dispatcher;

/** Most connections one pooled KubeConfig opens to its API server; matches applyManifests' default concurrency. */
export const MAX_CONNECTIONS = 16;

/**
 * A KubeConfig that keeps one bounded connection pool per cluster/user. client-node 2.0 builds a fresh undici Agent
 * for every request — a new TCP connection and TLS handshake each time — so this replaces it with one long-lived
 * agent. The pool is capped: an unbounded undici pool opens extra connections whenever a request is issued in the
 * same tick another completes, and every extra connection is a TLS handshake on both ends.
 */
export class PooledKubeConfig extends KubeConfig {
  readonly #dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const key = this.#poolKey();
    let pooled = this.#dispatchers.get(key);
    if (!pooled) {
      const built = await this.#boundedDispatcher(fresh);
      // Concurrent first requests each build one; the first stored wins and the others are closed unused.
      pooled = this.#dispatchers.get(key);
      if (pooled) {
        if (built !== fresh) built.close().catch(() => undefined);
      } else {
        pooled = built;
        this.#dispatchers.set(key, built);
      }
    }
    context.setDispatcher(pooled);
    // The per-request agent never opened a connection; closing it just releases it promptly.
    if (fresh !== pooled) fresh.close().catch(() => undefined);
  }

  #poolKey(): string {
    return JSON.stringify([this.getCurrentContext(), this.getCurrentCluster()?.server, this.getCurrentUser()?.name]);
  }

  /** The pool of the current cluster/user once the first request built it (see createDispatcher below). */
  pooledDispatcher(): Dispatcher | undefined {
    return this.#dispatchers.get(this.#poolKey());
  }

  /**
   * A dispatcher for long-lived streams (watches), apart from the bounded pool: a watch holds its connection for as
   * long as it runs, and a few of them must never leave requests queueing for the pool. Null for proxies and SOCKS
   * (callers poll instead). Built once, closed with the pool.
   */
  async streamDispatcher(): Promise<Dispatcher | null> {
    if (this.#streams !== undefined) return this.#streams;
    const tls: Record<string, unknown> = {};
    await this.applyToHTTPSOptions(tls);
    const { headers: _headers, ...agentOptions } = tls;
    void _headers;
    const options = this.createDispatcherOptions(this.getCurrentCluster(), agentOptions);
    if (options.type !== "agent") return (this.#streams = null);
    // The pooled agent's class, as #boundedDispatcher uses it: same TLS options, no connection cap.
    const pooled = [...this.#dispatchers.values()][0];
    if (!pooled) return null;
    const Agent = pooled.constructor as DispatcherConstructor;
    return (this.#streams = new Agent({ connect: options.connect }));
  }

  #streams: Dispatcher | null | undefined;

  async #boundedDispatcher(fresh: Dispatcher): Promise<Dispatcher> {
    const tls: Record<string, unknown> = {};
    await this.applyToHTTPSOptions(tls);
    const { headers: _headers, ...agentOptions } = tls;
    void _headers;
    const options = this.createDispatcherOptions(this.getCurrentCluster(), agentOptions);
    // Proxies and SOCKS keep client-node's own agent (reused, not rebuilt); direct TLS gets a bounded agent of the
    // same undici class client-node uses, so its TLS options and behaviour are unchanged.
    if (options.type !== "agent") return fresh;
    const Agent = fresh.constructor as DispatcherConstructor;
    return new Agent({ connect: options.connect, connections: MAX_CONNECTIONS });
  }

  /**
   * Closes pooled connections, letting requests in flight finish, and ends open watches; the config stays usable and
   * reconnects on the next request. A watch is not waited for: it runs until its timeoutSeconds (a rollout's, up to
   * five minutes), and a graceful close of its dispatcher held the agent's shutdown that long.
   */
  async closeConnections(): Promise<void> {
    const dispatchers = [...this.#dispatchers.values()];
    const streams = this.#streams;
    this.#dispatchers.clear();
    this.#streams = undefined;
    await Promise.allSettled([
      ...dispatchers.map((dispatcher) => dispatcher.close()),
      ...(streams ? [streams.destroy()] : []),
    ]);
  }
}

// client-node's applySecurityAuthentication (which PooledKubeConfig's calls for the headers) builds its undici Agent
// through the private createDispatcher on every request, for the pool above to replace and close: ~40–80 µs of CPU a
// request, 8–16 ms of a 200-object apply's. Once the pool exists it is handed back instead. Assigned outside the class
// because the method is private in client-node's types; same arguments, same result as the request would end up with.
type BuildDispatcher = (cluster: unknown, agentOptions: unknown) => Dispatcher | undefined;
const buildDispatcher = (KubeConfig.prototype as unknown as { createDispatcher: BuildDispatcher }).createDispatcher;
Object.defineProperty(PooledKubeConfig.prototype, "createDispatcher", {
  configurable: true,
  writable: true,
  value: function (this: PooledKubeConfig, cluster: unknown, agentOptions: unknown): Dispatcher | undefined {
    return this.pooledDispatcher() ?? buildDispatcher.call(this, cluster, agentOptions);
  },
});

function base64(pem: string): string {
  return Buffer.from(pem, "utf8").toString("base64");
}

/**
 * Builds an in-memory KubeConfig for one cluster connection. Nothing touches the disk: CA, certificate and key are
 * embedded as data, the token as a field.
 */
export function kubeConfigFor(conn: ClusterConnection): PooledKubeConfig {
  if (!conn.name) throw new Error("kubeConfigFor: connection name is required");
  let url: URL;
  try {
    url = new URL(conn.server);
  } catch {
    throw new Error(`kubeConfigFor: invalid server URL ${JSON.stringify(conn.server)} for cluster ${conn.name}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && conn.insecureSkipTlsVerify)) {
    throw new Error(`kubeConfigFor: cluster ${conn.name} must use https (got ${url.protocol})`);
  }
  if (Boolean(conn.clientCertPem) !== Boolean(conn.clientKeyPem)) {
    throw new Error(`kubeConfigFor: cluster ${conn.name} needs both a client certificate and its key`);
  }
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: conn.name,
        server: conn.server.replace(/\/+$/, ""),
        skipTLSVerify: conn.insecureSkipTlsVerify ?? false,
        ...(conn.caPem ? { caData: base64(conn.caPem) } : {}),
        ...(conn.tlsServerName ? { tlsServerName: conn.tlsServerName } : {}),
      },
    ],
    users: [
      {
        name: conn.name,
        ...(conn.token ? { token: conn.token } : {}),
        ...(conn.clientCertPem ? { certData: base64(conn.clientCertPem) } : {}),
        ...(conn.clientKeyPem ? { keyData: base64(conn.clientKeyPem) } : {}),
      },
    ],
    contexts: [{ name: conn.name, cluster: conn.name, user: conn.name, namespace: conn.namespace ?? "default" }],
    currentContext: conn.name,
  });
  return kc;
}

/**
 * The pod's own service-account configuration (token file re-read on every request, so kubelet rotation is picked
 * up). Throws when not running in a pod.
 */
export function inClusterKubeConfig(): PooledKubeConfig {
  if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
    throw new Error("inClusterKubeConfig: KUBERNETES_SERVICE_HOST/PORT are not set; not running inside a cluster");
  }
  const kc = new PooledKubeConfig();
  kc.loadFromCluster();
  return kc;
}

/** Loads a kubeconfig file (for running the agent locally), optionally switching to `context`. */
export function kubeConfigFromFile(path: string, context?: string): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  kc.loadFromFile(path);
  if (context) {
    if (!kc.getContextObject(context)) {
      throw new Error(`kubeConfigFromFile: context ${JSON.stringify(context)} not found in ${path}`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new Error(`kubeConfigFromFile: ${path} has no current cluster`);
  return kc;
}
