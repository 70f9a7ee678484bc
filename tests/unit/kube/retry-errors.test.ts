import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeError, isRetryable, parseRetryAfter, toKubeError } from "@/lib/kube/errors";
import { retryDelay, withRetry } from "@/lib/kube/retry";

const context = {
  cluster: "prod",
  object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
};

function status(code: number, reason: string, message: string, headers: Record<string, string> = {}) {
  return new ApiException(
    code,
    "Unsuccessful HTTP Request",
    JSON.stringify({ kind: "Status", status: "Failure", code, reason, message }),
    headers,
  );
}

describe("toKubeError", () => {
  it("carries cluster, object, code, reason and the server's Status message", () => {
    const err = toKubeError(status(403, "Forbidden", 'deployments.apps "web" is forbidden: no'), {
      ...context,
      operation: "apply",
    });
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({
      cluster: "prod",
      namespace: "shop",
      code: 403,
      reason: "Forbidden",
      serverMessage: 'deployments.apps "web" is forbidden: no',
      retryable: false,
    });
    expect(err.message).toBe(
      'apply Deployment web (namespace shop) on cluster prod: 403 Forbidden: deployments.apps "web" is forbidden: no',
    );
  });

  it("classifies 429 and 5xx as retryable, honouring Retry-After", () => {
    const throttled = toKubeError(status(429, "TooManyRequests", "slow down", { "retry-after": "2" }), context);
    expect(throttled.retryable).toBe(true);
    expect(throttled.retryAfterMs).toBe(2000);
    expect(toKubeError(status(503, "ServiceUnavailable", "x"), context).retryable).toBe(true);
    expect(toKubeError(status(501, "NotImplemented", "x"), context).retryable).toBe(false);
    expect(toKubeError(status(409, "Conflict", "x"), context).retryable).toBe(false);
  });

  it("classifies connection errors by their code, even when wrapped by fetch", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    const err = toKubeError(refused, context);
    expect(err).toMatchObject({ code: 0, reason: "ECONNREFUSED", retryable: true });
    expect(err.serverMessage).toContain("ECONNREFUSED 127.0.0.1:1");
    const tls = new TypeError("fetch failed", {
      cause: Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
    });
    expect(toKubeError(tls, context).retryable).toBe(false);
  });

  it("handles non-JSON bodies", () => {
    expect(toKubeError(new ApiException(502, "x", "<html>bad gateway</html>", {}), context)).toMatchObject({
      code: 502,
      reason: "InternalError",
      serverMessage: "<html>bad gateway</html>",
      retryable: true,
    });
  });

  it("parses Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("backoff", () => {
  it("is full jitter over a capped exponential ceiling", () => {
    expect(retryDelay(0, { random: () => 0.999 })).toBe(199);
    expect(retryDelay(3, { random: () => 0.5 })).toBe(800);
    expect(retryDelay(20, { random: () => 0.999, maxDelayMs: 5000 })).toBe(4995);
    expect(retryDelay(2, { random: () => 0 })).toBe(0);
  });

  it("waits at least Retry-After, capped", () => {
    expect(retryDelay(0, { random: () => 0, retryAfterMs: 1500 })).toBe(1500);
    expect(retryDelay(0, { random: () => 0, retryAfterMs: 120_000, maxRetryAfterMs: 30_000 })).toBe(30_000);
  });
});

describe("withRetry", () => {
  const throttled = () => toKubeError(status(429, "TooManyRequests", "slow", { "retry-after": "1" }), context);
  const noSleep = async () => undefined;

  it("retries retryable errors until success", async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw throttled();
        return "ok";
      },
      { sleep: noSleep, random: () => 0, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(value).toBe("ok");
    expect(calls).toBe(3);
    expect(delays).toEqual([1000, 1000]);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    const forbidden = toKubeError(status(403, "Forbidden", "no"), context);
    await expect(
      withRetry(
        async () => {
          calls++;
          throw forbidden;
        },
        { sleep: noSleep },
      ),
    ).rejects.toBe(forbidden);
    expect(calls).toBe(1);
    expect(isRetryable(forbidden)).toBe(false);
  });

  it("gives up after the attempt budget with the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw throttled();
        },
        { attempts: 4, sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 429 });
    expect(calls).toBe(4);
  });
});
