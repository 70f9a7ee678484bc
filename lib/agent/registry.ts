import { AgentError, redactUrls } from "./errors";

/** Credentials for one registry host: basic (username + password/token) or a ready bearer token. */
export type RegistryCredential = { username: string; password: string } | { token: string };

export interface RegistryClientOptions {
  /** Credentials by registry host (`ghcr.io`, `127.0.0.1:5000`); anonymous when a host has none. */
  credentials?: Record<string, RegistryCredential>;
  /** Page size asked for (`?n=`); registries may return fewer. Default 1000. */
  pageSize?: number;
  /** Safety stop for misbehaving pagination. Default 100 pages. */
  maxPages?: number;
  /**
   * Most tags one listing may hold (all pages together). Every tag is matched against the repository's policies on
   * the agent's only thread, so a registry answering millions of tags must not stall heartbeats and every other
   * repository's sync. Default 10 000.
   */
  maxTags?: number;
  /** Largest answer body read per page; the rest is not downloaded. Default 8 MiB. */
  maxPageBytes?: number;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Loopback registries speak plain HTTP (as `docker` allows for them); everything else HTTPS. */
export function registryBaseUrl(registry: string): string {
  const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
  const hostname = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const insecure = hostname === "localhost" || hostname === "127.0.0.1" || hostname === "::1";
  return `${insecure ? "http" : "https"}://${host}`;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted or bare values, any order). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(match[2] ?? ""); m; m = re.exec(match[2] ?? "")) {
    params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1");
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

/** The `rel="next"` target of a Link header, resolved against the request URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /rel\s*=\s*"?next"?/i.test(m[2] ?? "")) return new URL(m[1]!, base).toString();
  }
  return undefined;
}

/** The OCI distribution spec's tag grammar; anything else in a tag list is not a tag and is skipped. */
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Reads a JSON body of at most `maxBytes`, stopping the download as soon as it is exceeded. */
async function readJsonCapped(
  res: Response,
  maxBytes: number,
): Promise<{ tooLarge: true } | { tooLarge: false; body: unknown }> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return { tooLarge: true };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return { tooLarge: true };
      }
      chunks.push(value);
    }
  }
  try {
    return { tooLarge: false, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch {
    return { tooLarge: false, body: undefined };
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/**
 * A minimal OCI distribution client: lists a repository's tags with `Link` pagination, anonymously or with basic auth,
 * answering a `WWW-Authenticate: Bearer` challenge through the registry's token service (as docker and crane do).
 * Tokens are cached per registry and scope until the registry rejects them.
 */
export class RegistryClient {
  readonly #opts: RegistryClientOptions;
  readonly #tokens = new Map<string, string>();

  constructor(opts: RegistryClientOptions = {}) {
    this.#opts = opts;
  }

  async #fetch(url: string, headers: Record<string, string>): Promise<Response> {
    const doFetch = this.#opts.fetch ?? fetch;
    try {
      return await doFetch(url, {
        headers,
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 15_000),
        redirect: "follow",
      });
    } catch (err) {
      const cause =
        err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);
      throw new AgentError(
        "REGISTRY_UNREACHABLE",
        `registry ${new URL(url).host} is unreachable: ${redactUrls(cause)}`,
        { cause: err },
      );
    }
  }

  async #token(registry: string, challenge: Record<string, string>, scope: string): Promise<string> {
    const realm = challenge.realm;
    if (!realm)
      throw new AgentError("REGISTRY_AUTH_FAILED", `registry ${registry} sent a Bearer challenge without a realm`);
    const url = new URL(realm);
    if (challenge.service) url.searchParams.set("service", challenge.service);
    url.searchParams.set("scope", challenge.scope ?? scope);
    const credential = this.#opts.credentials?.[registry];
    const headers: Record<string, string> = { Accept: "application/json" };
    if (credential && "username" in credential) headers.Authorization = basic(credential.username, credential.password);
    const res = await this.#fetch(url.toString(), headers);
    if (!res.ok) {
      throw new AgentError(
        "REGISTRY_AUTH_FAILED",
        `token service for ${registry} answered ${res.status}${credential ? "" : " (no credentials configured for this registry)"}`,
      );
    }
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token =
      typeof body.token === "string"
        ? body.token
        : typeof body.access_token === "string"
          ? body.access_token
          : undefined;
    if (!token) throw new AgentError("REGISTRY_AUTH_FAILED", `token service for ${registry} returned no token`);
    return token;
  }

  /** GET with the auth dance: cached token or configured credential first, then one challenge-driven retry. */
  async #get(registry: string, url: string, scope: string): Promise<Response> {
    const credential = this.#opts.credentials?.[registry];
    const cacheKey = `${registry} ${scope}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    const cached = this.#tokens.get(cacheKey);
    if (cached) headers.Authorization = `Bearer ${cached}`;
    else if (credential && "token" in credential) headers.Authorization = `Bearer ${credential.token}`;
    let res = await this.#fetch(url, headers);
    if (res.status !== 401) return res;
    this.#tokens.delete(cacheKey);
    const challenge = parseChallenge(res.headers.get("www-authenticate") ?? "");
    await res.body?.cancel();
    if (challenge?.scheme === "bearer") {
      const token = await this.#token(registry, challenge.params, scope);
      this.#tokens.set(cacheKey, token);
      res = await this.#fetch(url, { ...headers, Authorization: `Bearer ${token}` });
    } else if (challenge?.scheme === "basic" && credential && "username" in credential) {
      res = await this.#fetch(url, { ...headers, Authorization: basic(credential.username, credential.password) });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new AgentError(
        "REGISTRY_AUTH_FAILED",
        `registry ${registry} refused access (${res.status})${credential ? "" : "; no credentials configured for this registry"}`,
      );
    }
    return res;
  }

  /**
   * Every tag of `registry/repository`, following `Link: <…>; rel="next"` pages. Bounded: at most `maxTags` tags and
   * `maxPageBytes` per page (REGISTRY_FAILED beyond); entries that are not valid OCI tags are skipped.
   */
  async listTags(registry: string, repository: string): Promise<string[]> {
    const base = registryBaseUrl(registry);
    const scope = `repository:${repository}:pull`;
    let url: string | undefined = `${base}/v2/${repository}/tags/list?n=${this.#opts.pageSize ?? 1000}`;
    const tags: string[] = [];
    const maxTags = this.#opts.maxTags ?? 10_000;
    for (let page = 0; url; page++) {
      if (page >= (this.#opts.maxPages ?? 100))
        throw new AgentError(
          "REGISTRY_FAILED",
          `registry ${registry} kept paginating ${repository} tags past ${page} pages`,
        );
      const res = await this.#get(registry, url, scope);
      if (res.status === 404) {
        await res.body?.cancel();
        throw new AgentError("REGISTRY_FAILED", `repository ${repository} not found on ${registry}`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new AgentError(
          res.status >= 500 ? "REGISTRY_UNREACHABLE" : "REGISTRY_FAILED",
          `registry ${registry} answered ${res.status} listing tags of ${repository}`,
        );
      }
      const maxBytes = this.#opts.maxPageBytes ?? 8 * 1024 * 1024;
      const read = await readJsonCapped(res, maxBytes);
      if (read.tooLarge)
        throw new AgentError(
          "REGISTRY_FAILED",
          `registry ${registry} sent a tag list page for ${repository} larger than ${maxBytes} bytes`,
        );
      const body = read.body as { tags?: unknown } | undefined;
      if (
        !body ||
        typeof body !== "object" ||
        (body.tags !== null && body.tags !== undefined && !Array.isArray(body.tags))
      ) {
        throw new AgentError("REGISTRY_FAILED", `registry ${registry} sent an unreadable tag list for ${repository}`);
      }
      for (const tag of (body.tags ?? []) as unknown[]) {
        if (typeof tag !== "string" || !OCI_TAG.test(tag)) continue;
        if (tags.length >= maxTags) {
          throw new AgentError(
            "REGISTRY_FAILED",
            `registry ${registry} lists more than ${maxTags} tags for ${repository}; delete old tags or use a repository with fewer`,
          );
        }
        tags.push(tag);
      }
      url = nextLink(res.headers.get("link"), url);
    }
    return tags;
  }
}
