import type { z } from "zod";
import { AgentError } from "./errors";
import {
  AGENT_PATHS,
  LONG_POLL_TIMEOUT_MS,
  ZAssignments,
  ZEnrolResponse,
  ZEventsResponse,
  ZHeartbeatResponse,
  ZLiveStateResponse,
  ZManifestsStatus,
  ZManifestsStored,
  type TAssignments,
  type TEnrolResponse,
  type TEventsRequest,
  type TEventsResponse,
  type THeartbeatRequest,
  type THeartbeatResponse,
  type TLiveStateRequest,
  type TLiveStateResponse,
  type TManifestsStatus,
  type TManifestsStored,
} from "./protocol";

export interface WharfClientOptions {
  /** Dashboard base URL, e.g. https://wharf.example.com. */
  url: string;
  /** `wharfa_…`; absent until enrolment. */
  credential?: string;
  fetch?: typeof fetch;
  /** Timeout for short calls (events, heartbeat, enrolment). Default 15 s. */
  timeoutMs?: number;
}

/** How long enrolment waits for Wharf's answer (see enrol). */
const ENROL_TIMEOUT_MS = 120_000;

/**
 * The agent's side of the protocol (lib/agent/protocol.ts): bearer-authenticated JSON over fetch, every response
 * validated with the shared zod schemas. Network failures and 5xx are WHARF_UNREACHABLE (retry with backoff); 401/403
 * are WHARF_FORBIDDEN (the credential is revoked or the request is outside the agent's scope); other 4xx
 * WHARF_REJECTED.
 */
export class WharfClient {
  readonly #opts: WharfClientOptions;
  #credential: string | undefined;

  constructor(opts: WharfClientOptions) {
    this.#opts = opts;
    this.#credential = opts.credential;
  }

  set credential(value: string) {
    this.#credential = value;
  }

  async #call<T>(
    method: "GET" | "POST" | "PUT",
    path: string,
    schema: z.ZodType<T>,
    opts: {
      body?: unknown;
      /** A body sent as it is (not JSON), with its content type. */
      raw?: { bytes: Uint8Array; contentType: string };
      timeoutMs?: number;
      signal?: AbortSignal;
      auth?: boolean;
    } = {},
  ): Promise<T> {
    const url = new URL(path, this.#opts.url).toString();
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.#opts.timeoutMs ?? 15_000);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (opts.auth !== false && this.#credential) headers.Authorization = `Bearer ${this.#credential}`;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.raw) headers["Content-Type"] = opts.raw.contentType;
    let res: Response;
    try {
      res = await (this.#opts.fetch ?? fetch)(url, {
        method,
        headers,
        signal,
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        ...(opts.raw ? { body: new Uint8Array(opts.raw.bytes) } : {}),
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const cause =
        err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);
      throw new AgentError("WHARF_UNREACHABLE", `Wharf at ${new URL(this.#opts.url).origin} is unreachable: ${cause}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const detail = `${res.status}${error?.code ? ` ${error.code}` : ""}${error?.message ? `: ${error.message}` : ""}`;
      if (res.status >= 500 || res.status === 429)
        throw new AgentError("WHARF_UNREACHABLE", `Wharf answered ${detail}`);
      if (res.status === 401 || res.status === 403)
        throw new AgentError("WHARF_FORBIDDEN", `Wharf refused ${method} ${path}: ${detail}`, {
          details: { status: res.status },
        });
      throw new AgentError("WHARF_REJECTED", `Wharf rejected ${method} ${path}: ${detail}`, {
        details: { status: res.status },
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new AgentError(
        "WHARF_REJECTED",
        `Wharf sent an unexpected ${path} response: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    return parsed.data;
  }

  /** Trades a one-time enrolment token for the agent credential. */
  enrol(body: { enrolmentToken: string; hostname?: string; version: string }): Promise<TEnrolResponse> {
    // The token is spent when Wharf handles the call, so giving up before its answer loses the credential for good
    // (every retry is then refused): enrolment waits longer than short calls, e.g. for a dashboard's cold first request.
    return this.#call("POST", AGENT_PATHS.enrol, ZEnrolResponse, { body, auth: false, timeoutMs: ENROL_TIMEOUT_MS });
  }

  /** Long poll: returns at once when anything changed since `since`, else after Wharf's long-poll timeout. */
  assignments(since: string | undefined, signal?: AbortSignal): Promise<TAssignments> {
    const path = `${AGENT_PATHS.assignments}${since ? `?since=${encodeURIComponent(since)}` : ""}`;
    return this.#call("GET", path, ZAssignments, {
      timeoutMs: LONG_POLL_TIMEOUT_MS + 15_000,
      ...(signal ? { signal } : {}),
    });
  }

  sendEvents(body: TEventsRequest): Promise<TEventsResponse> {
    return this.#call("POST", AGENT_PATHS.events, ZEventsResponse, { body });
  }

  heartbeat(body: THeartbeatRequest): Promise<THeartbeatResponse> {
    return this.#call("POST", AGENT_PATHS.heartbeat, ZHeartbeatResponse, { body });
  }

  /** Whether Wharf already holds the applied manifests of a digest (then they are not uploaded again). */
  manifestsStatus(sha256: string): Promise<TManifestsStatus> {
    return this.#call("GET", AGENT_PATHS.manifests(sha256), ZManifestsStatus);
  }

  /** Uploads applied manifests (their gzip) under their digest; Wharf checks the digest and answers 413 past its cap. */
  uploadManifests(sha256: string, gz: Uint8Array): Promise<TManifestsStored> {
    return this.#call("PUT", AGENT_PATHS.manifests(sha256), ZManifestsStored, {
      raw: { bytes: gz, contentType: "application/gzip" },
      // A few MiB over a slow link: more than a short call's 15 s.
      timeoutMs: 120_000,
    });
  }

  /** The latest live state of some applications (their resource trees); Wharf keeps the last one per application. */
  sendLiveStates(body: TLiveStateRequest): Promise<TLiveStateResponse> {
    return this.#call("POST", AGENT_PATHS.liveState, ZLiveStateResponse, { body });
  }
}
