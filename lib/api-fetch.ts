// The browser's side of Wharf's API, used by every React Query hook and form. It imports nothing but the error types
// (lib/errors.ts), so a client component reaches no server code through it; the server's side is lib/api/.
import type { ErrorCode, FieldErrors } from "@/lib/errors";

/** An error answer from Wharf's API, as the browser sees it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "NETWORK";
  readonly fields: FieldErrors;

  constructor(status: number, code: ErrorCode | "NETWORK", message: string, fields: FieldErrors = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

/** fetch for Wharf's own API from the browser: JSON in, JSON out, errors as ApiError with field errors for forms. */
export async function apiFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      credentials: "same-origin",
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "NETWORK", "Wharf could not be reached. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => null)) as {
    error?: { code: ErrorCode; message: string; fields?: FieldErrors };
  } | null;
  if (!res.ok) {
    const err = body?.error;
    throw new ApiError(
      res.status,
      err?.code ?? "INTERNAL",
      err?.message ?? `Request failed (${res.status})`,
      err?.fields ?? {},
    );
  }
  return body as T;
}
