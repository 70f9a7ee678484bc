import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROTECTED_ROUTE, PUBLIC_ROUTE } from "@/lib/api/with-auth";
import { AGENT_ROUTE } from "@/lib/agents/with-agent-auth";
import { PERMISSIONS, ROLES, type Permission, type TRole } from "@/lib/auth/roles";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

const apiDir = path.resolve(import.meta.dirname, "../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** The only handlers anyone may call without signing in. Adding one here needs a reason in review. */
const PUBLIC = new Set([
  "POST /api/auth/sign-in",
  "GET /api/auth/oidc/start",
  "GET /api/auth/oidc/callback",
  "GET /api/health",
  "POST /api/webhooks/git",
  "GET /api/metrics",
  "GET /api/openapi.json",
  // The JSON 404 of paths no route serves (app/api/[[...path]]): it names nothing, so it is the same for everyone.
  ...METHODS.map((m) => `${m} /api/[[...path]]`),
]);

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? routeFiles(p) : e.name === "route.ts" ? [p] : [];
  });
}

const routes = routeFiles(apiDir).map((file) => {
  const rel = path.relative(apiDir, path.dirname(file)).split(path.sep).join("/");
  const urlPath = `/api/${rel}`.replace(/\/$/, "");
  const params = Object.fromEntries([...rel.matchAll(/\[([^\]]+)\]/g)].map((m) => [m[1], "does-not-exist"]));
  return { file, urlPath, params, concretePath: urlPath.replace(/\[[^\]]+\]/g, "does-not-exist") };
});

/** The lowest role that the permission does not include, if any. */
function roleBelow(permission: Permission): TRole | null {
  return ROLES.find((r) => !(PERMISSIONS[permission] as readonly TRole[]).includes(r)) ?? null;
}

describe("every route handler under app/api checks authorization", () => {
  it("finds the route handlers", () => {
    expect(routes.length).toBeGreaterThan(3);
  });

  for (const route of routes) {
    it(`${route.urlPath}: no session → 401, too-low role → 403`, async () => {
      const mod = (await import(route.file)) as Record<string, unknown>;
      const handlers = METHODS.filter((m) => typeof mod[m] === "function");
      expect(handlers.length, `${route.file} exports no handler`).toBeGreaterThan(0);
      const callers = new Map<TRole, Caller>();
      for (const method of handlers) {
        const handler = mod[method] as ((...a: any[]) => Promise<Response>) & Record<symbol, unknown>;
        const key = `${method} ${route.urlPath}`;
        if (handler[AGENT_ROUTE]) {
          // Agent-protocol routes: not for users; a bearer agent credential (or the enrolment token) is required.
          expect(
            ["POST", "GET", "PUT"].some((m) => key.startsWith(`${m} /api/agent/`)),
            `${key} is an agent route outside /api/agent/`,
          ).toBe(true);
          const anon = await callRoute(handler, {
            method,
            path: route.concretePath,
            params: route.params,
            body: method === "GET" ? undefined : {},
          });
          expect(anon.status, `${key} without an agent credential`).toBe(401);
          const asUser = await callRoute(handler, {
            method,
            path: route.concretePath,
            params: route.params,
            body: method === "GET" ? undefined : {},
            as: await createCaller("admin"),
          });
          expect(asUser.status, `${key} with a user's API token`).toBe(401);
          continue;
        }
        if (handler[PUBLIC_ROUTE]) {
          expect(PUBLIC.has(key), `${key} is public but not on the allow-list`).toBe(true);
          continue;
        }
        const permission = handler[PROTECTED_ROUTE] as Permission | undefined;
        expect(permission, `${key} is not wrapped in withAuth`).toBeDefined();
        const body = method === "GET" || method === "DELETE" ? undefined : {};

        const anon = await callRoute(handler, { method, path: route.concretePath, params: route.params, body });
        expect(anon.status, `${key} without credentials`).toBe(401);
        expect(anon.body?.error?.code).toBe("UNAUTHENTICATED");

        const low = roleBelow(permission!);
        if (!low) continue; // every role holds this permission (reads)
        if (!callers.has(low)) callers.set(low, await createCaller(low));
        const denied = await callRoute(handler, {
          method,
          path: route.concretePath,
          params: route.params,
          body,
          as: callers.get(low)!,
        });
        expect(denied.status, `${key} as ${low}`).toBe(403);
        expect(denied.body?.error?.code).toBe("FORBIDDEN");
      }
    });
  }
});
