import { withPublic } from "@/lib/api/with-auth";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

// GET /api/openapi.json — the OpenAPI 3.1 document of the REST API, generated from the routes' zod schemas
export const GET = withPublic(async () => buildOpenApiDocument({ serverUrl: env().publicUrl }));
