import { afterEach, describe, expect, it, vi } from "vitest";
import { bearerTokenOf } from "@/lib/api/bearer-token";
import { errorResponse, routeResponse } from "@/lib/api/route-response";
import { AppError } from "@/lib/errors";

const withAuthorization = (value?: string) =>
  new Request("http://x/", { headers: value === undefined ? {} : { authorization: value } });

describe("bearerTokenOf", () => {
  it("reads the token of a Bearer header, the scheme in any case", () => {
    expect(bearerTokenOf(withAuthorization("Bearer wharf_abc"))).toBe("wharf_abc");
    expect(bearerTokenOf(withAuthorization("bearer   wharfa_x.y"))).toBe("wharfa_x.y");
  });

  it("is null without a header, for another scheme, and for anything but one run of non-space characters", () => {
    for (const value of [undefined, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "Token abc"])
      expect(bearerTokenOf(withAuthorization(value)), String(value)).toBeNull();
  });
});

describe("routeResponse", () => {
  it("passes a Response through, answers null with 204 and bodies as JSON with the wrapper's status and headers", async () => {
    const ready = new Response("x", { status: 202 });
    expect(routeResponse(ready)).toBe(ready);
    expect(routeResponse(null).status).toBe(204);
    const ok = routeResponse({ a: 1 });
    expect([ok.status, await ok.json(), ok.headers.get("cache-control")]).toEqual([200, { a: 1 }, null]);
    const created = routeResponse({ b: 2 }, { status: 201, headers: { "cache-control": "no-store" } });
    expect([created.status, created.headers.get("cache-control")]).toEqual([201, "no-store"]);
  });
});

describe("errorResponse", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers {error:{code,message}} with the code's status, the error's headers and the request id", async () => {
    const res = errorResponse(new AppError("RATE_LIMITED", "Slow down.", { headers: { "retry-after": "5" } }), "req-1");
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { code: "RATE_LIMITED", message: "Slow down." } });
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("x-request-id")).toBe("req-1");
    expect(errorResponse(new AppError("NOT_FOUND", "No."), null).headers.has("x-request-id")).toBe(false);
  });

  it("logs an unexpected error with its source and answers a generic 500", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = errorResponse(new Error("db exploded"), "req-2", "webhook");
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("INTERNAL");
    expect(log).toHaveBeenCalledOnce();
    expect(log.mock.calls[0]?.[0]).toBe("[wharf] webhook req-2 failed:");
    expect(String(log.mock.calls[0]?.[1])).toContain("db exploded");
  });
});
