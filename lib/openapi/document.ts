import { z } from "zod";
import { AGENT_ROUTE } from "@/lib/agents/with-agent-auth";
import { PROTECTED_ROUTE, PUBLIC_ROUTE } from "@/lib/api/with-auth";
import type { Permission } from "@/lib/auth/roles";
import { ROUTE_DOCS, type RouteAccess, type RouteDocs, type RouteModule } from "@/lib/api/route-docs";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Route modules by their folder under app/api (`targets/[id]`), loaded when the document is built. */
export type RouteModules = Record<string, () => Promise<RouteModule>>;

/** One operation of Wharf's REST API, as its handler declares it. */
export interface ApiRoute extends Omit<RouteDocs, "access"> {
  method: (typeof METHODS)[number];
  /** OpenAPI path template: `/api/targets/{id}`. */
  path: string;
  access: RouteAccess;
}

/** `targets/[id]` (a folder under app/api) → `/api/targets/{id}`. */
export function pathOfRouteFolder(folder: string): string {
  return `/api/${folder}`.replace(/\/$/, "").replace(/\[([^\]]+)\]/g, "{$1}");
}

/** Who may call a handler, from the marker its wrapper set (the same marker the route-authz test checks). */
function accessOf(handler: Record<symbol, unknown>, docs: RouteDocs | undefined): RouteAccess | null {
  if (typeof handler[PROTECTED_ROUTE] === "string") return handler[PROTECTED_ROUTE] as Permission;
  if (handler[AGENT_ROUTE] === "credential") return "agent";
  if (handler[AGENT_ROUTE] === "enrolment-token") return "public";
  if (handler[PUBLIC_ROUTE]) return docs?.access ?? "public";
  return null;
}

/**
 * Every operation of the given route modules, from the documentation each handler carries. A handler without
 * documentation or an access marker is an error: the document must describe every route there is.
 */
export async function collectRoutes(modules: RouteModules): Promise<ApiRoute[]> {
  const routes: ApiRoute[] = [];
  for (const [folder, load] of Object.entries(modules)) {
    const path = pathOfRouteFolder(folder);
    const mod = await load();
    for (const method of METHODS) {
      const handler = mod[method] as Record<symbol, unknown> | undefined;
      if (typeof handler !== "function") continue;
      const docs = handler[ROUTE_DOCS] as RouteDocs | undefined;
      const access = accessOf(handler, docs);
      if (!docs) throw new Error(`${method} ${path} declares no documentation: pass \`docs\` to its route wrapper.`);
      if (!access)
        throw new Error(`${method} ${path}: the handler carries no access marker (withAuth, withPublic, …).`);
      routes.push({ ...docs, method, path, access });
    }
  }
  return routes;
}

type JsonSchema = Record<string, unknown>;

/** JSON Schema of a zod schema as a client sends it (defaults optional); unrepresentable parts become `{}`. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** JSON Schema of a zod schema as a server answers it (defaults applied); unrepresentable parts become `{}`. */
function outputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/**
 * Query parameters of an object schema. Query schemas wrap fields in `preprocess` (empty string → no filter), whose
 * input side zod cannot describe, so each field is described by its output type; a field is required when parsing
 * without it fails.
 */
function queryParameters(schema: z.ZodObject): JsonSchema[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const { $schema: _ignored, ...described } = z.toJSONSchema(f, {
      io: "output",
      unrepresentable: "any",
    }) as JsonSchema;
    const { description, ...fieldSchema } = described;
    return {
      name,
      in: "query",
      required: !f.safeParse(undefined).success,
      schema: fieldSchema,
      // Lists in a query are one comma-separated value (`state=succeeded,failed`), not repeated parameters.
      ...(fieldSchema.type === "array" ? { style: "form", explode: false } : {}),
      ...(typeof description === "string" ? { description } : {}),
    };
  });
}

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable error code, e.g. VALIDATION_FAILED, FORBIDDEN, NOT_FOUND." },
        message: { type: "string" },
        fields: {
          type: "object",
          additionalProperties: { type: "array", items: { type: "string" } },
          description: "Per-field messages of a 422.",
        },
      },
    },
  },
} as const;

const errorRef = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/**
 * The OpenAPI 3.1 document of Wharf's REST API, generated from the documentation the route handlers carry and their
 * zod schemas.
 */
export async function buildOpenApiDocument(opts: {
  serverUrl: string;
  version?: string;
  modules: RouteModules;
}): Promise<JsonSchema> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of await collectRoutes(opts.modules)) {
    const { path } = r;
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
    const success = r.success ?? 200;
    const security =
      r.access === "public"
        ? []
        : r.access === "agent"
          ? [{ agentCredential: [] }]
          : r.access === "metrics"
            ? [{ metricsToken: [] }]
            : [{ apiToken: [] }, { sessionCookie: [] }];
    const responses: Record<string, unknown> = {
      [String(success)]: r.produces
        ? { description: r.returns, content: { [r.produces]: { schema: { type: "string" } } } }
        : success === 302 || success === 204
          ? { description: r.returns }
          : {
              description: r.returns,
              content: { "application/json": { schema: r.response ? outputSchema(r.response) : { type: "object" } } },
            },
    };
    if (r.body || r.query) responses["422"] = errorRef("Invalid input: `fields` names each problem.");
    if (r.access !== "public") responses["401"] = errorRef("No or invalid credentials.");
    if (r.access !== "public" && r.access !== "agent" && r.access !== "metrics")
      responses["403"] = errorRef(`The caller's role lacks the \`${r.access}\` permission.`);
    if (params.length) responses["404"] = errorRef("No such resource.");
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: r.summary,
      tags: [r.tag],
      security,
      "x-wharf-permission": r.access,
      parameters: [
        ...params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
        ...(r.query ? queryParameters(r.query) : []),
      ],
      ...(r.body
        ? { requestBody: { required: true, content: { "application/json": { schema: inputSchema(r.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Wharf API",
      version: opts.version ?? "1",
      description:
        "Push and pull Kubernetes delivery. Authenticate with an API token (`Authorization: Bearer wharf_…`, created under Tokens); each operation names the permission it needs (`x-wharf-permission`). Errors are `{error:{code,message,fields?}}`.",
    },
    servers: [{ url: opts.serverUrl }],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        apiToken: {
          type: "http",
          scheme: "bearer",
          description: "An API token (`wharf_…`) with the role the operation needs.",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "wharf_session",
          description: "The browser session (writes also need a same-origin Origin header).",
        },
        agentCredential: { type: "http", scheme: "bearer", description: "A pull agent's credential (`wharfa_…`)." },
        metricsToken: { type: "http", scheme: "bearer", description: "WHARF_METRICS_TOKEN." },
      },
    },
  };
}
