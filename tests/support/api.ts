import { randomBytes } from "node:crypto";
import { PEER_HEADER, peerStampFor } from "@/lib/api/client-address";
import { hashPassword, newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import type { TRole } from "@/lib/auth/roles";
import { dbFor } from "@/lib/db/client";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface Caller {
  userId: string;
  email: string;
  role: TRole;
  token: string;
}

/** Creates a user with the role and an API token of the same role, straight in the test database. */
export async function createCaller(role: TRole, opts: { password?: string } = {}): Promise<Caller> {
  const db = dbFor(process.env.DATABASE_URL ?? "");
  const email = `${role}-${randomBytes(4).toString("hex")}@test.wharf`;
  const user = await db.user.create({
    data: { email, name: `Test ${role}`, role, passwordHash: opts.password ? await hashPassword(opts.password) : null },
  });
  const token = newSecretToken("wharf");
  await db.apiToken.create({
    data: { name: "test", prefix: token.slice(0, 12), tokenHash: sha256Hex(token), role, createdById: user.id },
  });
  return { userId: user.id, email, role, token };
}

/** Headers that make a request come from `address`, as Node's HTTP server stamps its TCP peer (lib/api/client-address.ts). */
export function fromPeer(address: string): Record<string, string> {
  return { [PEER_HEADER]: peerStampFor(address) };
}

/**
 * Calls a route handler the way Next does: a real Request, params as a promise. Pass `as` for a bearer token,
 * or `cookie` (with an Origin, like a browser) for session requests; `peer` is the TCP peer's address.
 */
export async function callRoute(
  handler: Handler,
  opts: {
    method?: string;
    path?: string;
    params?: Record<string, string>;
    body?: unknown;
    as?: Caller | null;
    cookie?: string;
    origin?: string;
    headers?: Record<string, string>;
    peer?: string;
    /** Aborts the request the way a client going away does (a route sees it as `req.signal`). */
    signal?: AbortSignal;
  } = {},
): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const headers: Record<string, string> = { ...(opts.peer ? fromPeer(opts.peer) : {}), ...opts.headers };
  if (opts.as) headers.authorization = `Bearer ${opts.as.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.body !== undefined) headers["content-type"] ??= "application/json";
  const req = new Request(`http://localhost:3000${opts.path ?? "/"}`, {
    method: opts.method ?? "GET",
    headers: { host: "localhost:3000", ...headers },
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body, headers: res.headers, text };
}
