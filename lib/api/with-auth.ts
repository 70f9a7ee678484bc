import "server-only";
import { randomUUID } from "node:crypto";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { SESSION_COOKIE, readCookie } from "@/lib/auth/cookies";
import { findPrincipalByApiToken, findPrincipalBySession, type Principal } from "@/lib/auth/data/principals";
import { recordDeniedApiToken } from "@/lib/auth/data/record-denied-api-token";
import { can, type Permission } from "@/lib/auth/roles";
import { sha256Hex } from "@/lib/auth/secrets";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { timedRoute, type RequestTiming, type RouteContext } from "@/lib/metrics/timed-route";
import { bearerTokenOf } from "./bearer-token";
import { clientAddressOf } from "./client-address";
import { MAX_JSON_BYTES, hasNul, parseJsonBody, readBodyBytes } from "./read-body";
import { ROUTE_DOCS, type RouteDocs } from "./route-docs";
import { errorResponse, routeResponse, type RouteResult } from "./route-response";

export type { Principal } from "@/lib/auth/data/principals";

export interface HandlerContext {
  req: Request;
  principal: Principal;
  actor: Actor;
  request: RequestContext;
  params: Record<string, string>;
  /** The request-duration timer: a long poll hands it its hold (`timing.idle`) so the wait is not counted. */
  timing: RequestTiming;
}

export interface PublicHandlerContext {
  req: Request;
  request: RequestContext;
  params: Record<string, string>;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Marks route handlers as public; the route-authz test refuses any handler that is neither wrapped nor listed. */
export const PUBLIC_ROUTE = Symbol.for("wharf.public-route");
export const PROTECTED_ROUTE = Symbol.for("wharf.protected-route");

/**
 * Where a request came from: the client address as `clientAddressOf` resolves it (the TCP peer, or what trusted
 * proxies forwarded), never an X-Forwarded-For anyone could send.
 */
export function requestContextOf(req: Request): RequestContext {
  return {
    ip: clientAddressOf(req.headers).ip,
    userAgent: req.headers.get("user-agent")?.slice(0, 512) ?? null,
    requestId: req.headers.get("x-request-id")?.slice(0, 100) || randomUUID(),
  };
}

export function actorOf(p: Principal): Actor {
  return p.kind === "api-token"
    ? { kind: "api-token", id: p.tokenId, name: p.displayName }
    : { kind: "user", id: p.userId, name: p.email };
}

/**
 * Cookie-authenticated writes must come from Wharf's own pages: the Origin must be Wharf's public URL or the same
 * origin as the request. The request's own origin is its Host header and the socket's scheme, or X-Forwarded-Host/
 * -Proto when a trusted proxy (WHARF_TRUSTED_PROXIES) sent it, never those headers from anyone else. Bearer-token
 * requests carry no ambient authority, so they need no Origin.
 */
export function checkSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const client = clientAddressOf(req.headers);
  const forwarded = (name: string) =>
    client.viaTrustedProxy ? req.headers.get(name)?.split(",")[0]?.trim() || null : null;
  const host = forwarded("x-forwarded-host") ?? req.headers.get("host");
  const proto = forwarded("x-forwarded-proto") ?? client.peer?.protocol ?? new URL(req.url).protocol.replace(":", "");
  const allowed = new Set([env().publicUrl, host ? `${proto}://${host}` : ""]);
  if (!origin || !allowed.has(origin)) {
    throw new AppError("CSRF_ORIGIN_MISMATCH", "This request must come from Wharf's own pages (Origin check failed).");
  }
}

/** Resolves the caller from a Bearer token or the session cookie. Null means unauthenticated. */
export async function authenticate(req: Request): Promise<{ principal: Principal; via: "token" | "cookie" } | null> {
  const authz = req.headers.get("authorization");
  if (authz) {
    const token = bearerTokenOf(req);
    const principal = token ? await findPrincipalByApiToken(sha256Hex(token)) : null;
    return principal ? { principal, via: "token" } : null;
  }
  const cookie = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  if (!cookie) return null;
  const principal = await findPrincipalBySession(sha256Hex(cookie));
  return principal ? { principal, via: "cookie" } : null;
}

/**
 * A bearer token that did not resolve is a denied access attempt and goes to the audit trail (bounded, see
 * `recordDeniedApiToken`). Failing to write it must not turn the 401 into a 500, so the error is only logged.
 */
async function recordDeniedBearer(req: Request, request: RequestContext): Promise<void> {
  const token = bearerTokenOf(req);
  if (!token) return;
  try {
    await recordDeniedApiToken({ token, route: `${req.method} ${new URL(req.url).pathname}`, request });
  } catch (err) {
    console.error(
      `[wharf] request ${request.requestId ?? "-"}: could not record a denied API token:`,
      err instanceof Error ? err.message : err,
    );
  }
}

/**
 * The route parameters for the handler, after the boundary's NUL rule for everything in the URL: no id contains
 * NUL (and PostgreSQL could not even compare one), so such a path names nothing (404); a NUL in the query string is
 * 422 here too, for handlers that read `URL.searchParams` themselves (the OIDC callback's `state`).
 */
export async function routeParamsOf(req: Request, ctx: RouteContext | undefined): Promise<Record<string, string>> {
  // Next passes a context without params to routes that have no dynamic segments.
  const raw = (ctx?.params ? await ctx.params : undefined) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[k] = v;
  if (hasNul(Object.values(out))) throw new AppError("NOT_FOUND", "Not found.");
  searchParamsOf(req); // for its NUL check only: every wrapped route's query passes it, whoever reads it later
  return out;
}

/** The route's documentation for the OpenAPI document, with the success status the wrapper answers. */
function docsOf(opts: { successStatus?: number; docs?: RouteDocs }): RouteDocs | undefined {
  return opts.docs && { success: opts.successStatus, ...opts.docs };
}

/**
 * The caller of `req`, allowed `permission`: 401 when nobody (a bearer token that did not resolve is recorded), 403
 * with an `auth.denied` audit row when their role does not allow it.
 */
async function authorize(
  req: Request,
  request: RequestContext,
  permission: Permission,
): Promise<{ principal: Principal; via: "token" | "cookie"; actor: Actor }> {
  const auth = await authenticate(req);
  if (!auth) {
    await recordDeniedBearer(req, request);
    throw new AppError("UNAUTHENTICATED", "Sign in or send a valid API token.");
  }
  const actor = actorOf(auth.principal);
  if (!can(auth.principal.role, permission)) {
    await recordStandaloneAuditEvent({
      actor,
      action: "auth.denied",
      subjectType: "route",
      subjectId: `${req.method} ${new URL(req.url).pathname}`,
      outcome: "denied",
      details: { permission, role: auth.principal.role },
      request,
    });
    throw new AppError("FORBIDDEN", `Your role (${auth.principal.role}) does not allow this (${permission}).`);
  }
  return { ...auth, actor };
}

/**
 * The one wrapper for protected route handlers: authenticates (session cookie or API token), checks the declared
 * permission, enforces the Origin check on cookie-authenticated writes, and maps every error to
 * `{error:{code,message}}`. A refused permission is written to the audit trail. A handler that held the request (a
 * long poll's `timing.idle`, up to 25 s) answers only if its caller is still allowed then: a session signed out, a
 * token revoked, a user disabled or demoted while it waited gets the 401 or 403, not what the wait found.
 */
export function withAuth(
  handler: (ctx: HandlerContext) => Promise<RouteResult>,
  opts: { permission: Permission; successStatus?: number; docs?: RouteDocs },
) {
  const wrapped = timedRoute(async (req: Request, ctx: RouteContext | undefined, timing): Promise<Response> => {
    const request = requestContextOf(req);
    try {
      const auth = await authorize(req, request, opts.permission);
      if (auth.via === "cookie" && !SAFE_METHODS.has(req.method)) checkSameOrigin(req);
      const result = await handler({
        req,
        principal: auth.principal,
        actor: auth.actor,
        request,
        params: await routeParamsOf(req, ctx),
        timing,
      });
      if (timing.held) await authorize(req, request, opts.permission);
      return routeResponse(result, { status: opts.successStatus });
    } catch (err) {
      return errorResponse(err, request.requestId);
    }
  });
  return Object.assign(wrapped, { [PROTECTED_ROUTE]: opts.permission, [ROUTE_DOCS]: docsOf(opts) });
}

/** For the few routes anyone may call (sign-in, health). They still get error mapping and, for writes, the Origin check. */
export function withPublic(
  handler: (ctx: PublicHandlerContext) => Promise<RouteResult>,
  opts: { successStatus?: number; docs?: RouteDocs } = {},
) {
  const wrapped = timedRoute(async (req: Request, ctx?: RouteContext): Promise<Response> => {
    const request = requestContextOf(req);
    try {
      if (!SAFE_METHODS.has(req.method)) checkSameOrigin(req);
      const result = await handler({ req, request, params: await routeParamsOf(req, ctx) });
      return routeResponse(result, { status: opts.successStatus });
    } catch (err) {
      return errorResponse(err, request.requestId);
    }
  });
  return Object.assign(wrapped, { [PUBLIC_ROUTE]: true, [ROUTE_DOCS]: docsOf(opts) });
}

/**
 * Reads a JSON body through the one body reader: streamed and cut off at 2 MiB (413), then refused with 422 if it is
 * not UTF-8 JSON, nests deeper than 64 levels or holds a NUL. Never a 500, and never more than the cap in memory.
 */
export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
  }
  return parseJsonBody(await readBodyBytes(req, MAX_JSON_BYTES));
}

/** Query-string parameters as a plain object for zod; a NUL in any of them is 422 (it can be stored nowhere). */
export function searchParamsOf(req: Request): Record<string, string> {
  const params = new URL(req.url).searchParams;
  if (hasNul([...params.keys(), ...params.values()])) {
    throw new AppError("VALIDATION_FAILED", "A query parameter contains a NUL character (%00).");
  }
  return Object.fromEntries(params.entries());
}
