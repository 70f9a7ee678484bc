import type { z } from "zod";
import type { Permission } from "@/lib/auth/roles";

/**
 * Where a handler carries its documentation. The route wrappers (`withAuth`, `withPublic`, `withAgentAuth`) attach it
 * from their `docs` option, so a route's method (its export), permission (the wrapper's) and description sit in one
 * place; `buildOpenApiDocument` reads it from the imported route modules.
 */
export const ROUTE_DOCS = Symbol.for("wharf.route-docs");

/**
 * Who may call an operation: a permission of the role table (session or API token, `withAuth`), anyone (`public`),
 * a pull agent's credential (`agent`), or the metrics token (`metrics`).
 */
export type RouteAccess = Permission | "public" | "agent" | "metrics";

/** One operation's documentation. The zod schemas are the ones the handler parses with and answers in. */
export interface RouteDocs {
  /** The OpenAPI tag that groups the operation (e.g. "targets"). */
  tag: string;
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** What a successful answer is, in words (the response's description). */
  returns: string;
  /** Schema of a successful JSON answer; without it the document only says "an object". */
  response?: z.ZodType;
  /** Content type of an answer that is not JSON (CSV, Prometheus text). */
  produces?: string;
  /**
   * Status of a successful answer when the wrapper's `successStatus` does not say it: a handler that answers its own
   * `Response` (redirects: 302) or nothing (`null`: 204).
   */
  success?: number;
  /** A public handler that checks a token of its own (the metrics token). */
  access?: "metrics";
}

/** A route module as Next loads it: its exports by name (GET, POST, …). */
export type RouteModule = Record<string, unknown>;
