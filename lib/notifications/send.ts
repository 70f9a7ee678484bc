import { backoffDelay } from "@/lib/jobs/backoff";
import { signatureFor } from "./signing";

/** How long a sink has to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Delay before retrying a delivery after its `attempts`-th failure: 30 s doubling to at most 1 h, with jitter. */
export function deliveryRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  return backoffDelay(attempts - 1, { base: 30_000, cap: 3_600_000, jitter: "equal", random });
}

export interface SendResult {
  ok: boolean;
  /** The sink's HTTP status; null when no answer arrived (refused, timed out). */
  status: number | null;
  error: string | null;
}

/**
 * POSTs one delivery: the raw JSON body, signed with the sink's secret (`X-Wharf-Signature-256: sha256=<hex>`),
 * naming the event and delivery id in headers so receivers can route and deduplicate. A 2xx answer is success;
 * redirects are not followed (a signed body should not wander to another host).
 */
export async function postSigned(opts: {
  url: string;
  body: string;
  secret: string;
  event: string;
  deliveryId: string;
  timeoutMs?: number;
  /** The body's media type: JSON unless said (the audit stream sends JSON Lines). */
  contentType?: string;
  /** More headers that describe the body (the audit stream's seq range); never secret material. */
  headers?: Record<string, string>;
}): Promise<SendResult> {
  try {
    const res = await fetch(opts.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      headers: {
        ...opts.headers,
        "content-type": opts.contentType ?? "application/json",
        "user-agent": "Wharf-Notifications/1",
        "x-wharf-event": opts.event,
        "x-wharf-delivery": opts.deliveryId,
        "x-wharf-signature-256": signatureFor(opts.secret, opts.body),
      },
      body: opts.body,
    });
    const text = await res.text().catch(() => "");
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    const snippet = text.trim().slice(0, 300);
    return { ok: false, status: res.status, error: `HTTP ${res.status}${snippet ? `: ${snippet}` : ""}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e.name === "TimeoutError" || e.name === "AbortError";
    const message = timedOut
      ? `No answer within ${Math.round((opts.timeoutMs ?? DELIVERY_TIMEOUT_MS) / 1000)} s`
      : [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(": ");
    return { ok: false, status: null, error: message.slice(0, 500) };
  }
}
