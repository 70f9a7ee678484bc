import {
  ApiException,
  createConfiguration,
  HttpMethod,
  KubernetesObjectApi,
  ServerConfiguration,
  setHeaderMiddleware,
  type KubeConfig,
  type KubernetesObject,
  type ResponseContext,
} from "@kubernetes/client-node";
import { PooledKubeConfig } from "./connection";
import { KubeError, toKubeError, type KubeErrorContext } from "./errors";
import { withRetry, type RetryOptions } from "./retry";
import { dispatcherHttpLibrary } from "./transport";
import { isRecord, type KubeObject, type ObjectRef } from "./types";

/** One entry of an APIResourceList, reduced to what Wharf needs. */
export interface ResourceInfo {
  /** Plural resource name used in URLs, e.g. "deployments". */
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface RawResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

interface DiscoveryEntry {
  fetchedAt: number;
  resources: Promise<ResourceInfo[]>;
}

/** Discovery results younger than this are trusted even when a kind is missing (avoids refetch storms). */
const DISCOVERY_MISS_REFRESH_MS = 500;

/**
 * KubernetesObjectApi, kept for its request pipeline (auth, TLS, middleware, fetch), with two changes that matter:
 * bodies go out and come back as raw JSON — client-node's typed serializer silently drops fields it does not know
 * (new API fields, `x-kubernetes-*` keys of CRD schemas) and turns timestamps into Dates — and discovery is cached
 * once per client with in-flight deduplication, so concurrent applies do not each fetch the resource list.
 */
class RawObjectApi extends KubernetesObjectApi {
  readonly discovery = new Map<string, DiscoveryEntry>();
  kubeConfig: KubeConfig | undefined;
  discoveryRequests = 0;
  requests = 0;

  /** Like `KubeConfig.makeApiClient`, with lib/kube's HTTP library (see transport.ts). */
  static create(kc: KubeConfig): RawObjectApi {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("KubeConfig has no current cluster");
    const api = new RawObjectApi(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: kc },
        httpApi: dispatcherHttpLibrary(),
        middleware: [setHeaderMiddleware("User-Agent", "wharf-lib-kube (@kubernetes/client-node)")],
      }),
    );
    api.setDefaultNamespace(kc);
    api.kubeConfig = kc;
    return api;
  }

  get namespace(): string {
    return this.defaultNamespace;
  }

  async send<T>(
    method: HttpMethod,
    path: string,
    opts: {
      query?: Record<string, string | undefined>;
      body?: unknown;
      contentType?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<RawResponse<T>> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam("Accept", "application/json");
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(key, value);
    }
    if (opts.body !== undefined) {
      ctx.setHeaderParam("Content-Type", opts.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(opts.body));
    }
    if (opts.signal) ctx.setSignal(opts.signal);
    this.requests++;
    return (await this.requestPromise(ctx)) as unknown as RawResponse<T>;
  }

  /**
   * A GET whose answer is a stream of JSON lines (a watch), read as it arrives: each line goes to `onLine`; resolves
   * when the server ends the stream. Same auth, TLS and pooled connection as every other request. Throws
   * `StreamUnsupported` when this configuration has no dispatcher to stream through (then callers poll instead).
   */
  async stream(
    path: string,
    opts: { query?: Record<string, string | undefined>; signal?: AbortSignal },
    onLine: (line: string) => void,
  ): Promise<void> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    ctx.setHeaderParam("Accept", "application/json");
    ctx.setHeaderParam("User-Agent", "wharf-lib-kube (@kubernetes/client-node)");
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(key, value);
    }
    await this.configuration.authMethods.default?.applySecurityAuthentication(ctx);
    const dispatcher = this.kubeConfig instanceof PooledKubeConfig ? await this.kubeConfig.streamDispatcher() : null;
    if (!dispatcher) throw new StreamUnsupported();
    this.requests++;
    const url = new URL(ctx.getUrl());
    const res = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: HttpMethod.GET,
      headers: ctx.getHeaders(),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    try {
      if (res.statusCode < 200 || res.statusCode > 299) {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        throw new ApiException(res.statusCode, "Unsuccessful HTTP Request", await res.body.text(), headers);
      }
      res.body.setEncoding("utf8");
      let buffer = "";
      for await (const chunk of res.body as AsyncIterable<string>) {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) onLine(line);
        }
      }
    } finally {
      res.body.destroy();
    }
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      const raw: RawResponse<unknown> = {
        status: response.httpStatusCode,
        body: text ? (JSON.parse(text) as unknown) : undefined,
        headers: response.headers,
      };
      return raw as unknown as T;
    }
    throw new ApiException(response.httpStatusCode, "Unsuccessful HTTP Request", text, response.headers);
  }

  async resourcesFor(apiVersion: string, refreshIfOlderThanMs?: number): Promise<ResourceInfo[]> {
    const cached = this.discovery.get(apiVersion);
    if (cached && (refreshIfOlderThanMs === undefined || Date.now() - cached.fetchedAt < refreshIfOlderThanMs)) {
      return cached.resources;
    }
    const entry: DiscoveryEntry = { fetchedAt: Date.now(), resources: this.fetchResources(apiVersion) };
    this.discovery.set(apiVersion, entry);
    // A failed fetch must not poison the cache.
    entry.resources.catch(() => {
      if (this.discovery.get(apiVersion) === entry) this.discovery.delete(apiVersion);
    });
    return entry.resources;
  }

  private async fetchResources(apiVersion: string): Promise<ResourceInfo[]> {
    this.discoveryRequests++;
    try {
      const res = await this.send<unknown>(HttpMethod.GET, this.apiVersionPath(apiVersion));
      const list = isRecord(res.body) && Array.isArray(res.body.resources) ? res.body.resources : [];
      return list.filter(isRecord).flatMap((r) =>
        typeof r.name === "string" && typeof r.kind === "string"
          ? [
              {
                name: r.name,
                kind: r.kind,
                namespaced: r.namespaced === true,
                verbs: Array.isArray(r.verbs) ? r.verbs.filter((v): v is string => typeof v === "string") : [],
              },
            ]
          : [],
      );
    } catch (err) {
      // An unserved group/version is "no kinds here", not a failure.
      if (err instanceof ApiException && err.code === 404) return [];
      throw err;
    }
  }

  apiPath(apiVersion: string): string {
    return this.apiVersionPath(apiVersion);
  }
}

/** This configuration cannot stream (no connection pool to stream through): watch callers fall back to polling. */
export class StreamUnsupported extends Error {
  constructor() {
    super("this cluster connection cannot stream a watch");
  }
}

/** One event of a watch: ADDED, MODIFIED, DELETED (BOOKMARK and ERROR are handled by `KubeClient.watch`). */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

export interface KubeClientOptions {
  /** Name used in errors; defaults to the kubeconfig's current cluster name. */
  clusterName?: string;
  /** Retry policy for every request (defaults: 5 attempts, 200 ms base, 5 s cap). */
  retry?: Omit<RetryOptions, "signal">;
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  context?: Omit<KubeErrorContext, "cluster">;
  /** Set to false for requests that must not be repeated. */
  retry?: boolean;
}

/**
 * Wharf's handle on one cluster: raw-JSON requests with retries and KubeErrors, a per-client discovery cache, and a
 * pooled keep-alive connection. Create one per cluster/credential and reuse it; `close()` when done.
 */
export class KubeClient {
  readonly cluster: string;
  readonly kubeConfig: KubeConfig;
  readonly #api: RawObjectApi;
  readonly #retry: Omit<RetryOptions, "signal">;

  constructor(kc: KubeConfig, opts: KubeClientOptions = {}) {
    this.kubeConfig = kc;
    this.cluster = opts.clusterName ?? kc.getCurrentCluster()?.name ?? "unknown";
    this.#api = RawObjectApi.create(kc);
    this.#retry = opts.retry ?? {};
  }

  /** Namespace used for namespaced objects that name none (the kubeconfig context's, else "default"). */
  get defaultNamespace(): string {
    return this.#api.namespace;
  }

  /** Request counters, for benchmarks and tests that check discovery is not repeated. */
  get stats(): { requests: number; discoveryRequests: number } {
    return { requests: this.#api.requests, discoveryRequests: this.#api.discoveryRequests };
  }

  /** Sends one request to the API server; 429/5xx/connection errors are retried, all failures become KubeErrors. */
  async request<T = unknown>(
    method: HttpMethod,
    path: string,
    opts: RequestOptions = {},
  ): Promise<{ status: number; body: T }> {
    const context: KubeErrorContext = { cluster: this.cluster, ...opts.context };
    const once = async () => {
      try {
        const res = await this.#api.send<T>(method, path, opts);
        return { status: res.status, body: res.body };
      } catch (err) {
        throw toKubeError(err, context);
      }
    };
    if (opts.retry === false) return once();
    return withRetry(once, { ...this.#retry, ...(opts.signal ? { signal: opts.signal } : {}) });
  }

  /**
   * The resource serving `kind` in `apiVersion`, from the discovery cache (one request per group/version per client).
   * A miss triggers at most one refresh per short interval, which is how newly established CRDs become visible.
   */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const load = async (refresh?: number) => {
      try {
        return await withRetry(() => this.#api.resourcesFor(apiVersion, refresh), this.#retry);
      } catch (err) {
        throw toKubeError(err, { cluster: this.cluster, operation: `discovery of ${apiVersion}` });
      }
    };
    const found = (await load()).find((r) => r.kind === kind);
    if (found) return found;
    return (await load(DISCOVERY_MISS_REFRESH_MS)).find((r) => r.kind === kind);
  }

  /**
   * Loads discovery for several group/versions at once. Throws when the cluster cannot be reached or refuses the
   * credential (401/403) — every later request would fail the same way, so callers stop before doing anything.
   * Other failures are left for per-object lookups to report.
   */
  async preflight(apiVersions: string[]): Promise<void> {
    const errors = await Promise.all(
      apiVersions.map((apiVersion) =>
        withRetry(() => this.#api.resourcesFor(apiVersion), this.#retry).then(
          () => undefined,
          (err: unknown) => toKubeError(err, { cluster: this.cluster, operation: `discovery of ${apiVersion}` }),
        ),
      ),
    );
    const fatal = errors.find((err) => err && (err.code === 0 || err.code === 401 || err.code === 403));
    if (fatal) throw fatal;
  }

  /** Forgets cached discovery for one group/version (or all), e.g. after a CRD changes. */
  invalidateDiscovery(apiVersion?: string): void {
    if (apiVersion) this.#api.discovery.delete(apiVersion);
    else this.#api.discovery.clear();
  }

  /** Like `resourceFor` but throws a 404 KubeError ("no matches for kind") when the server does not serve it. */
  async requireResource(apiVersion: string, kind: string, ref?: ObjectRef): Promise<ResourceInfo> {
    const resource = await this.resourceFor(apiVersion, kind);
    if (!resource) {
      throw new KubeError({
        context: { cluster: this.cluster, ...(ref ? { object: ref } : {}), operation: "resolve" },
        code: 404,
        reason: "NoKindMatch",
        serverMessage: `no matches for kind "${kind}" in version "${apiVersion}" (is its CustomResourceDefinition installed?)`,
        retryable: false,
      });
    }
    return resource;
  }

  /**
   * Resolves a reference against discovery: fills in the default namespace for namespaced kinds and drops a namespace
   * given to a cluster-scoped kind (as kubectl does).
   */
  async normalizeRef(ref: ObjectRef): Promise<{ ref: ObjectRef; resource: ResourceInfo }> {
    const resource = await this.requireResource(ref.apiVersion, ref.kind, ref);
    const normalized: ObjectRef = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
    if (resource.namespaced) normalized.namespace = ref.namespace || this.defaultNamespace;
    return { ref: normalized, resource };
  }

  /** URL path of a collection (no name) or an object. */
  collectionPath(apiVersion: string, resource: ResourceInfo, namespace?: string): string {
    const parts = [this.#api.apiPath(apiVersion)];
    if (resource.namespaced && namespace) parts.push("namespaces", encodeURIComponent(namespace));
    parts.push(resource.name);
    return parts.join("/");
  }

  async objectPath(ref: ObjectRef): Promise<{ path: string; ref: ObjectRef; resource: ResourceInfo }> {
    const { ref: normalized, resource } = await this.normalizeRef(ref);
    const path = `${this.collectionPath(normalized.apiVersion, resource, normalized.namespace)}/${encodeURIComponent(normalized.name)}`;
    return { path, ref: normalized, resource };
  }

  /** Reads an object; undefined when it does not exist. */
  async get(ref: ObjectRef, opts: { signal?: AbortSignal } = {}): Promise<KubeObject | undefined> {
    const { path, ref: normalized } = await this.objectPath(ref);
    try {
      const res = await this.request<KubeObject>(HttpMethod.GET, path, {
        context: { object: normalized, operation: "get" },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return res.body;
    } catch (err) {
      if (err instanceof KubeError && err.code === 404) return undefined;
      throw err;
    }
  }

  /**
   * Lists objects of a kind (all pages, or pages until `maxItems` are read), in one namespace, or across namespaces /
   * cluster-wide when omitted.
   */
  async list(
    apiVersion: string,
    kind: string,
    opts: {
      namespace?: string;
      labelSelector?: string;
      fieldSelector?: string;
      pageSize?: number;
      maxItems?: number;
    } = {},
  ): Promise<KubeObject[]> {
    const resource = await this.requireResource(apiVersion, kind);
    const path = this.collectionPath(apiVersion, resource, opts.namespace);
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    do {
      const res = await this.request<{ items?: KubeObject[]; metadata?: { continue?: string } }>(HttpMethod.GET, path, {
        query: {
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          limit: String(Math.min(opts.pageSize ?? 500, opts.maxItems ?? Infinity)),
          continue: continueToken,
        },
        context: { operation: `list ${kind}`, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      });
      for (const item of res.body.items ?? []) {
        // List items omit apiVersion/kind; restore them so items are self-describing objects.
        items.push({ ...item, apiVersion, kind });
      }
      continueToken = res.body.metadata?.continue || undefined;
    } while (continueToken && (opts.maxItems === undefined || items.length < opts.maxItems));
    return opts.maxItems === undefined ? items : items.slice(0, opts.maxItems);
  }

  /**
   * One page of a collection (up to `limit`, default 500), with its resourceVersion — where a watch resumes without
   * missing anything in between — and whether the page held the whole collection.
   */
  async listPage(
    apiVersion: string,
    kind: string,
    opts: { namespace?: string; fieldSelector?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<{ items: KubeObject[]; resourceVersion: string | undefined; complete: boolean }> {
    const resource = await this.requireResource(apiVersion, kind);
    const res = await this.request<{
      items?: KubeObject[];
      metadata?: { continue?: string; resourceVersion?: string };
    }>(HttpMethod.GET, this.collectionPath(apiVersion, resource, opts.namespace), {
      query: { fieldSelector: opts.fieldSelector, limit: String(opts.limit ?? 500) },
      context: { operation: `list ${kind}`, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return {
      items: (res.body.items ?? []).map((item) => ({ ...item, apiVersion, kind })),
      resourceVersion: res.body.metadata?.resourceVersion,
      complete: !res.body.metadata?.continue,
    };
  }

  /**
   * Watches a collection from `resourceVersion` (a `listPage`'s): each change is handed to `onEvent` as it
   * arrives. Resolves when the server closes the watch (`timeoutSeconds`); rejects with a KubeError when it is refused
   * or fails — 410 Gone when the version is too old (list again) — or when `signal` aborts. Never retried: the caller
   * lists again and resumes, as a watch cache client does.
   */
  async watch(
    apiVersion: string,
    kind: string,
    opts: {
      namespace?: string;
      fieldSelector?: string;
      resourceVersion?: string;
      timeoutSeconds?: number;
      signal?: AbortSignal;
    },
    onEvent: (event: WatchEvent) => void,
  ): Promise<void> {
    const resource = await this.requireResource(apiVersion, kind);
    const context: KubeErrorContext = {
      cluster: this.cluster,
      operation: `watch ${kind}`,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
    };
    try {
      await this.#api.stream(
        this.collectionPath(apiVersion, resource, opts.namespace),
        {
          query: {
            watch: "true",
            resourceVersion: opts.resourceVersion,
            fieldSelector: opts.fieldSelector,
            timeoutSeconds: opts.timeoutSeconds === undefined ? undefined : String(opts.timeoutSeconds),
          },
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
        (line) => {
          const event = JSON.parse(line) as { type?: string; object?: KubeObject & { code?: number } };
          if (event.type === "ERROR") {
            const status = (event.object ?? {}) as { code?: number; reason?: string; message?: string };
            throw new KubeError({
              context,
              code: status.code ?? 500,
              reason: status.reason ?? "WatchError",
              serverMessage: status.message ?? "the watch ended with an error",
              retryable: false,
            });
          }
          if ((event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") && event.object)
            onEvent({ type: event.type, object: { ...event.object, apiVersion, kind } });
        },
      );
    } catch (err) {
      if (err instanceof KubeError || err instanceof StreamUnsupported) throw err;
      throw toKubeError(err, context);
    }
  }

  /**
   * Server-side apply of one object (`application/apply-patch+yaml`; JSON is valid YAML). Returns the HTTP status —
   * 201 when the apply created the object — and the object as the server stored (or, on dry-run, would store) it.
   */
  async apply(
    obj: KubeObject,
    opts: { fieldManager: string; force?: boolean; dryRun?: boolean; signal?: AbortSignal },
  ): Promise<{ status: number; object: KubeObject }> {
    const { path, ref } = await this.objectPath({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    });
    const body: KubeObject = { ...obj, metadata: { ...obj.metadata } };
    if (ref.namespace) body.metadata.namespace = ref.namespace;
    else delete body.metadata.namespace;
    const res = await this.request<KubeObject>(HttpMethod.PATCH, path, {
      query: {
        fieldManager: opts.fieldManager,
        force: opts.force ? "true" : undefined,
        dryRun: opts.dryRun ? "All" : undefined,
      },
      body,
      contentType: "application/apply-patch+yaml",
      context: { object: ref, operation: opts.dryRun ? "dry-run apply" : "apply" },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { status: res.status, object: res.body };
  }

  /**
   * Deletes an object (background propagation by default). `preconditions.uid` makes the delete refuse to hit a
   * different object that reused the name. Returns false when it was already gone.
   */
  async delete(
    ref: ObjectRef,
    opts: {
      propagationPolicy?: "Background" | "Foreground" | "Orphan";
      preconditions?: { uid?: string; resourceVersion?: string };
      dryRun?: boolean;
    } = {},
  ): Promise<boolean> {
    const { path, ref: normalized } = await this.objectPath(ref);
    try {
      await this.request(HttpMethod.DELETE, path, {
        query: { dryRun: opts.dryRun ? "All" : undefined },
        // A real API server reads DeleteOptions from the body when there is one and then ignores the query: without
        // dryRun here a dry-run prune deleted for real (found by the real control plane leg; the sandbox read the query).
        body: {
          apiVersion: "v1",
          kind: "DeleteOptions",
          ...(opts.dryRun ? { dryRun: ["All"] } : {}),
          propagationPolicy: opts.propagationPolicy ?? "Background",
          ...(opts.preconditions ? { preconditions: opts.preconditions } : {}),
        },
        context: { object: normalized, operation: opts.dryRun ? "dry-run delete" : "delete" },
      });
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.code === 404) return false;
      throw err;
    }
  }

  /** Creates an object at an explicit path (used for subresources and reviews such as TokenRequest). */
  async post<T = unknown>(path: string, body: unknown, context?: Omit<KubeErrorContext, "cluster">): Promise<T> {
    const res = await this.request<T>(HttpMethod.POST, path, { body, ...(context ? { context } : {}) });
    return res.body;
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    if (this.kubeConfig instanceof PooledKubeConfig) await this.kubeConfig.closeConnections();
  }
}

/** Creates a client for a KubeConfig (use `kubeConfigFor` / `inClusterKubeConfig` / `kubeConfigFromFile`). */
export function createKubeClient(kc: KubeConfig, opts: KubeClientOptions = {}): KubeClient {
  return new KubeClient(kc, opts);
}
