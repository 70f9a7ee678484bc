import type { RouteModule } from "@/lib/api/route-docs";
import { withPublic } from "@/lib/api/with-auth";
import { env } from "@/lib/env";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { ROUTE_MODULES } from "./route-modules";

// Built once per process (the routes cannot change while it runs); a failed build is retried on the next request.
let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const GET = withPublic(
  async () => {
    document ??= buildOpenApiDocument({
      serverUrl: env().publicUrl,
      modules: { ...ROUTE_MODULES, "openapi.json": async (): Promise<RouteModule> => ({ GET }) },
    }).catch((err: unknown) => {
      document = undefined;
      throw err;
    });
    return document;
  },
  {
    docs: {
      tag: "operations",
      summary: "This document: the REST API as OpenAPI 3.1, generated from the route handlers' declarations",
      returns: "OpenAPI 3.1 document.",
    },
  },
);
