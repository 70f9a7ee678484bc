import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as openapiRoute from "@/app/api/openapi.json/route";
import { AGENT_ROUTE } from "@/lib/agents/with-agent-auth";
import { PROTECTED_ROUTE, PUBLIC_ROUTE, withAuth, withPublic } from "@/lib/api/with-auth";
import { buildOpenApiDocument, collectRoutes, type RouteModules } from "@/lib/openapi/document";
import { ROUTE_MODULES } from "@/app/api/openapi.json/route-modules";
import { callRoute } from "../support/api";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

const apiDir = path.resolve(import.meta.dirname, "../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Route files that serve operations; a catch-all (`[...path]`, the JSON 404) answers what no operation does. */
function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith("[...") || e.name.startsWith("[[...") ? [] : routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

const folderOf = (file: string) => path.relative(apiDir, path.dirname(file)).split(path.sep).join("/");

/** `app/api/targets/[id]/route.ts` → `/api/targets/{id}` (OpenAPI's template syntax). */
function templateOf(file: string): string {
  const rel = path.relative(apiDir, path.dirname(file)).split(path.sep).join("/");
  return `/api/${rel}`.replace(/\/$/, "").replace(/\[([^\]]+)\]/g, "{$1}");
}

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
// What the document's route builds from: the list, and the route itself.
const modules: RouteModules = { ...ROUTE_MODULES, "openapi.json": async () => openapiRoute };
const doc = (await buildOpenApiDocument({ serverUrl: "http://localhost:3000", modules })) as unknown as Doc;

describe("OpenAPI document", () => {
  it("loads every route file through app/api/openapi.json/route-modules.ts, and nothing else", async () => {
    const folders = routeFiles(apiDir).map(folderOf).sort();
    const missing = folders.filter((f) => !(f in modules));
    expect(
      missing.map((f) => `"${f}": () => import("@/app/api/${f}/route"),`),
      "add these lines to ROUTE_MODULES in app/api/openapi.json/route-modules.ts",
    ).toEqual([]);
    expect(Object.keys(modules).sort()).toEqual(folders);
    // Each entry loads the module of the folder it names.
    for (const folder of folders)
      expect(await modules[folder]!(), folder).toBe(await import(path.join(apiDir, folder, "route.ts")));
  });

  it("is the only place a route is described: no route file repeats it in a header comment", () => {
    for (const file of routeFiles(apiDir)) {
      const header = /^\/\/ (GET|POST|PUT|PATCH|DELETE) \/api\/.*$/m.exec(fs.readFileSync(file, "utf8"));
      expect(header?.[0], `${folderOf(file)}: declare it in the wrapper's docs instead`).toBeUndefined();
    }
  });

  it("refuses a route whose handler declares no documentation", async () => {
    const undocumented = withAuth(async () => null, { permission: "read" });
    await expect(collectRoutes({ "things/[id]": async () => ({ GET: undocumented }) })).rejects.toThrow(
      "GET /api/things/{id} declares no documentation",
    );
    // One undocumented method of an otherwise documented route is enough.
    const documented = withPublic(async () => null, { docs: { tag: "t", summary: "s", returns: "r" } });
    await expect(
      buildOpenApiDocument({
        serverUrl: "http://localhost:3000",
        modules: { things: async () => ({ GET: documented, POST: undocumented }) },
      }),
    ).rejects.toThrow("POST /api/things declares no documentation");
    const { paths } = (await buildOpenApiDocument({
      serverUrl: "http://localhost:3000",
      modules: { things: async () => ({ GET: documented }) },
    })) as unknown as Doc;
    expect(Object.keys(paths)).toEqual(["/api/things"]);
  });

  it("lists every route file's every exported method, with the permission its handler declares", async () => {
    const files = routeFiles(apiDir);
    expect(files.length).toBeGreaterThan(20);
    const fromFiles = new Set<string>();
    for (const file of files) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS) {
        const handler = mod[method] as (Record<symbol, unknown> & ((...a: unknown[]) => unknown)) | undefined;
        if (typeof handler !== "function") continue;
        const template = templateOf(file);
        const key = `${method} ${template}`;
        fromFiles.add(key);
        const op = doc.paths[template]?.[method.toLowerCase()];
        expect(op, `${key} is missing from the OpenAPI document`).toBeDefined();
        const declared = op["x-wharf-permission"];
        if (handler[PROTECTED_ROUTE]) expect(declared, key).toBe(handler[PROTECTED_ROUTE]);
        else if (handler[AGENT_ROUTE] === "credential") expect(declared, key).toBe("agent");
        else if (handler[AGENT_ROUTE] === "enrolment-token") expect(declared, key).toBe("public");
        else if (handler[PUBLIC_ROUTE]) expect(["public", "metrics"], key).toContain(declared);
        else throw new Error(`${key}: handler carries no access marker`);
      }
    }
    // And nothing in the document that no route file serves.
    const fromDoc = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(new Set(fromDoc)).toEqual(fromFiles);
    expect(fromDoc.length).toBe(fromFiles.size);
  });

  it("is structurally valid OpenAPI 3.1: paths, methods, parameters, responses, references, security", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const operationIds = new Set<string>();
    const refs: string[] = [];
    const collectRefs = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(collectRefs);
      else if (v && typeof v === "object") {
        for (const [k, child] of Object.entries(v)) {
          if (k === "$ref" && typeof child === "string") refs.push(child);
          else collectRefs(child);
        }
      }
    };
    for (const [p, ops] of Object.entries(doc.paths)) {
      expect(p.startsWith("/api/"), p).toBe(true);
      const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${p}`;
        expect(["get", "put", "post", "delete", "options", "head", "patch", "trace"], where).toContain(method);
        expect(typeof op.operationId, where).toBe("string");
        expect(operationIds.has(op.operationId), `${where}: duplicate operationId ${op.operationId}`).toBe(false);
        operationIds.add(op.operationId);
        expect(op.summary, where).toBeTruthy();
        const params = op.parameters as { name: string; in: string; required?: boolean; schema?: unknown }[];
        const seen = new Set(params.map((x) => `${x.in}:${x.name}`));
        expect(seen.size, `${where}: duplicate parameters`).toBe(params.length);
        for (const x of params) {
          expect(["query", "header", "path", "cookie"], where).toContain(x.in);
          expect(x.schema, `${where} ${x.name}`).toBeTypeOf("object");
        }
        // Every path template variable has a required path parameter, and no path parameter is extra.
        const pathParams = params.filter((x) => x.in === "path");
        expect(pathParams.map((x) => x.name).sort(), where).toEqual([...templated].sort());
        for (const x of pathParams) expect(x.required, where).toBe(true);
        if (op.requestBody) {
          const schema = op.requestBody.content?.["application/json"]?.schema;
          expect(schema, where).toBeTypeOf("object");
          expect(
            schema.$schema,
            `${where}: JSON Schema dialect belongs to the document, not each schema`,
          ).toBeUndefined();
        }
        const codes = Object.keys(op.responses);
        expect(
          codes.some((c) => /^[23]\d\d$/.test(c)),
          `${where}: no success response`,
        ).toBe(true);
        for (const [code, r] of Object.entries(op.responses as Record<string, { description?: string }>)) {
          expect(code, where).toMatch(/^[1-5]\d\d$/);
          expect(r.description, `${where} ${code}`).toBeTruthy();
        }
        for (const requirement of op.security as Record<string, unknown>[]) {
          for (const scheme of Object.keys(requirement))
            expect(doc.components.securitySchemes[scheme], `${where}: ${scheme}`).toBeDefined();
        }
      }
    }
    collectRefs(doc.paths);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], `unresolved ${ref}`).toBeTruthy();
    }
    expect(doc.components.securitySchemes.apiToken).toEqual(
      expect.objectContaining({ type: "http", scheme: "bearer" }),
    );
  });

  it("describes request bodies and query parameters from the routes' zod schemas", () => {
    const createTarget = doc.paths["/api/targets"]!.post.requestBody.content["application/json"].schema;
    expect(createTarget.type).toBe("object");
    expect(createTarget.required).toEqual(expect.arrayContaining(["name", "serverUrl"]));
    const deployment = doc.paths["/api/deployments"]!;
    expect(deployment.post["x-wharf-permission"]).toBe("deployments.request");
    // One state or a comma-separated list (`state=succeeded,failed`): an array sent as one unexploded value.
    const state = (
      deployment.get.parameters as { name: string; explode?: boolean; schema: { items?: { enum?: string[] } } }[]
    ).find((x) => x.name === "state");
    expect(state?.schema.items?.enum).toContain("failed");
    expect(state?.explode).toBe(false);
    const comparison = doc.paths["/api/comparison"]!.get.parameters as { name: string; required: boolean }[];
    expect(comparison.map((x) => x.name)).toEqual(expect.arrayContaining(["range", "from", "to", "environment"]));
    expect(comparison.every((x) => !x.required)).toBe(true);
  });

  it("describes responses with the zod schemas the handlers answer in", () => {
    const json = (op: any, status: string) => op.responses[status]?.content?.["application/json"]?.schema;
    const page = json(doc.paths["/api/targets"]!.get, "200");
    expect(page.required).toEqual(expect.arrayContaining(["items", "nextCursor"]));
    expect(page.properties.items.items.properties.hasCaBundle).toEqual({ type: "boolean" });
    expect(page.properties.items.items.properties.caBundle).toBeUndefined();
    const target = json(doc.paths["/api/targets/{id}"]!.get, "200");
    expect(target.properties.createdAt).toEqual(expect.objectContaining({ type: "string", format: "date-time" }));
    expect(target.$schema).toBeUndefined();
    // A handler that answers nothing is a 204 without content.
    const deleted = doc.paths["/api/targets/{id}"]!.delete.responses;
    expect(Object.keys(deleted)).toContain("204");
    expect(deleted["204"].content).toBeUndefined();
    expect(json(doc.paths["/api/tokens"]!.post, "201").required).toEqual(expect.arrayContaining(["token", "secret"]));
  });

  it("gives every JSON answer a schema, but for the few whose views are not zod schemas yet", () => {
    // Shrink this list; do not grow it. A new route declares `response` in its docs.
    const untyped = new Set([
      "GET /api/audit",
      "GET /api/comparison",
      "GET /api/credential-access",
      "GET /api/credential-access/usage",
      "POST /api/credentials/{id}/rotate",
      "POST /api/credentials/{id}/scope-check",
      "GET /api/deployments/{id}/progress",
      "GET /api/openapi.json",
      "POST /api/webhooks/git",
    ]);
    const bare: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        for (const [code, r] of Object.entries(op.responses as Record<string, any>)) {
          const schema = r.content?.["application/json"]?.schema;
          if (/^2/.test(code) && schema && JSON.stringify(schema) === '{"type":"object"}')
            bare.push(`${method.toUpperCase()} ${p}`);
        }
    expect(new Set(bare)).toEqual(untyped);
  });

  it("is served publicly at GET /api/openapi.json", async () => {
    const res = await callRoute(openapiRoute.GET, { method: "GET", path: "/api/openapi.json" });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe(doc.openapi);
    expect(Object.keys(res.body.paths)).toEqual(Object.keys(doc.paths));
  });
});
