import { describe, expect, it } from "vitest";
import * as notFoundRoute from "@/app/api/[[...path]]/route";
import { callRoute, createCaller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

// Next sends any /api path that no route file serves to app/api/[[...path]]; before it, clients got Next's HTML 404 page.
describe("an /api path that no route serves", () => {
  it("answers every method with 404 and the JSON error shape naming the method and path", async () => {
    for (const method of METHODS) {
      const res = await callRoute(notFoundRoute[method], {
        method,
        path: "/api/no-such-thing/42",
        params: {},
        body: method === "POST" || method === "PUT" || method === "PATCH" ? {} : undefined,
        headers: { "x-request-id": `nf-${method}` },
      });
      expect(res.status, method).toBe(404);
      expect(res.headers.get("content-type"), method).toContain("application/json");
      expect(res.body, method).toEqual({
        error: { code: "NOT_FOUND", message: `No API route ${method} /api/no-such-thing/42` },
      });
      expect(res.headers.get("x-request-id"), method).toBe(`nf-${method}`);
    }
    const head = await callRoute(notFoundRoute.HEAD, { method: "HEAD", path: "/api/nope" });
    expect(head.status).toBe(404);
  });

  it("is the same 404 signed in or not, and a write without an Origin is not refused as cross-site first", async () => {
    const admin = await createCaller("admin");
    const asAdmin = await callRoute(notFoundRoute.GET, { path: "/api/targetz", as: admin });
    const anonymous = await callRoute(notFoundRoute.GET, { path: "/api/targetz" });
    expect([asAdmin.status, anonymous.status]).toEqual([404, 404]);
    expect(asAdmin.body).toEqual(anonymous.body);
    const post = await callRoute(notFoundRoute.POST, { method: "POST", path: "/api/targetz", body: {}, cookie: "x=1" });
    expect(post.body.error.code).toBe("NOT_FOUND");
  });

  it("keeps the path as sent: encoded characters stay encoded in the message", async () => {
    const res = await callRoute(notFoundRoute.GET, { path: "/api/a%20b/%3Cscript%3E" });
    expect(res.body.error.message).toBe("No API route GET /api/a%20b/%3Cscript%3E");
    // The optional catch-all covers /api itself too.
    expect((await callRoute(notFoundRoute.GET, { path: "/api" })).body.error.message).toBe("No API route GET /api");
  });
});
