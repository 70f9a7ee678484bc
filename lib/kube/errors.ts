import { ApiException } from "@kubernetes/client-node";
import { formatRef, isRecord, type ObjectRef } from "./types";

/** Where a failed call was aimed: the cluster and, when known, the object. */
export interface KubeErrorContext {
  cluster: string;
  namespace?: string;
  object?: ObjectRef;
  /** What Wharf was doing, e.g. "apply", "get", "delete", "discovery". */
  operation?: string;
}

/** One `details.causes` entry of a Kubernetes Status: which field was wrong and why. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** HTTP statuses worth retrying: throttling and transient server trouble (501 means "never", so it is excluded). */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Socket-level failures that mean "try again", from Node's net layer and undici. */
const RETRYABLE_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/**
 * The one error type for everything that goes wrong talking to a cluster. `code` is the HTTP status (0 when no
 * response arrived), `reason` the Status reason (`Forbidden`, `Conflict`, …) or the socket error code, and
 * `serverMessage` the API server's own words, which is what people should be shown.
 */
export class KubeError extends Error {
  override readonly name = "KubeError";
  readonly cluster: string;
  readonly namespace: string | undefined;
  readonly object: ObjectRef | undefined;
  readonly operation: string | undefined;
  readonly code: number;
  readonly reason: string;
  readonly serverMessage: string;
  readonly causes: StatusCause[];
  readonly retryable: boolean;
  /** From the Retry-After header (or Status details.retryAfterSeconds), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    context: KubeErrorContext;
    code: number;
    reason: string;
    serverMessage: string;
    causes?: StatusCause[];
    retryable?: boolean;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    const { context } = init;
    const where = [
      context.operation,
      context.object ? formatRef(context.object) : context.namespace ? `namespace ${context.namespace}` : undefined,
      `on cluster ${context.cluster}`,
    ]
      .filter(Boolean)
      .join(" ");
    const status = init.code > 0 ? `${init.code} ${init.reason}` : init.reason;
    super(`${where}: ${status}: ${init.serverMessage}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.cluster = context.cluster;
    this.namespace = context.namespace ?? context.object?.namespace;
    this.object = context.object;
    this.operation = context.operation;
    this.code = init.code;
    this.reason = init.reason;
    this.serverMessage = init.serverMessage;
    this.causes = init.causes ?? [];
    this.retryable = init.retryable ?? isRetryableStatus(init.code);
    this.retryAfterMs = init.retryAfterMs;
  }

  /**
   * The same error with gaps in its context filled in. What the error already knows wins: it was recorded closest
   * to the failing request (e.g. the namespace-normalized object, "dry-run apply" rather than "apply").
   */
  withContext(context: Partial<KubeErrorContext>): KubeError {
    const namespace = this.namespace ?? context.namespace;
    const object = this.object ?? context.object;
    const operation = this.operation ?? context.operation;
    const merged: KubeErrorContext = {
      cluster: this.cluster,
      ...(namespace ? { namespace } : {}),
      ...(object ? { object } : {}),
      ...(operation ? { operation } : {}),
    };
    if (merged.namespace === this.namespace && merged.object === this.object && merged.operation === this.operation)
      return this;
    return new KubeError({
      context: merged,
      code: this.code,
      reason: this.reason,
      serverMessage: this.serverMessage,
      causes: this.causes,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      cause: this.cause,
    });
  }
}

/** Whether an HTTP status is worth retrying. */
export function isRetryableStatus(code: number): boolean {
  return RETRYABLE_STATUS.has(code);
}

const DEFAULT_REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

function parseBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value;
  }
  return undefined;
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function networkCode(err: unknown): string | undefined {
  // undici wraps socket errors: TypeError("fetch failed") → cause (maybe nested) with a `code`.
  let current: unknown = err;
  for (let depth = 0; depth < 5 && (current instanceof Error || isRecord(current)); depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Converts anything thrown while talking to a cluster — client-node's `ApiException` with a Status body, a socket
 * error, or a plain Error — into a `KubeError` carrying the context.
 */
export function toKubeError(err: unknown, context: KubeErrorContext): KubeError {
  if (err instanceof KubeError) return err.withContext(context);
  if (err instanceof ApiException) {
    const code = err.code;
    const body = parseBody(err.body);
    const headers = err.headers;
    let reason = DEFAULT_REASONS[code] ?? (code >= 500 ? "InternalError" : "Unknown");
    let serverMessage = typeof body === "string" && body.trim() ? body.trim().slice(0, 2000) : `HTTP ${code}`;
    let causes: StatusCause[] = [];
    let retryAfterMs = parseRetryAfter(headerValue(headers, "retry-after"));
    if (isRecord(body)) {
      if (typeof body.reason === "string" && body.reason) reason = body.reason;
      if (typeof body.message === "string" && body.message) serverMessage = body.message;
      const details = body.details;
      if (isRecord(details)) {
        if (Array.isArray(details.causes)) {
          causes = details.causes.filter(isRecord).map((cause) => ({
            ...(typeof cause.reason === "string" ? { reason: cause.reason } : {}),
            ...(typeof cause.message === "string" ? { message: cause.message } : {}),
            ...(typeof cause.field === "string" ? { field: cause.field } : {}),
          }));
        }
        if (retryAfterMs === undefined && typeof details.retryAfterSeconds === "number") {
          retryAfterMs = details.retryAfterSeconds * 1000;
        }
      }
    }
    return new KubeError({
      context,
      code,
      reason,
      serverMessage,
      causes,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      cause: err,
    });
  }
  const netCode = networkCode(err);
  if (netCode) {
    const message = err instanceof Error ? describeNetworkError(err) : String(err);
    return new KubeError({
      context,
      code: 0,
      reason: netCode,
      serverMessage: message,
      retryable: RETRYABLE_NETWORK_CODES.has(netCode),
      cause: err,
    });
  }
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) {
    return new KubeError({
      context,
      code: 0,
      reason: err.name,
      serverMessage: err.message,
      retryable: false,
      cause: err,
    });
  }
  return new KubeError({
    context,
    code: 0,
    reason: "ClientError",
    serverMessage: err instanceof Error ? err.message : String(err),
    retryable: false,
    cause: err,
  });
}

function describeNetworkError(err: Error): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (!parts.includes(current.message)) parts.push(current.message);
    current = current.cause;
  }
  return parts.join(": ");
}

/** Whether an error (of any kind) is worth retrying: 429, 5xx, and connection-level failures only. */
export function isRetryable(err: unknown): boolean {
  return err instanceof KubeError && err.retryable;
}
