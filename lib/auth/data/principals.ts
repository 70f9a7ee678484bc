import "server-only";
import { db } from "@/lib/db";
import { ZRole, type TRole } from "../roles";

export interface Principal {
  kind: "user" | "api-token";
  userId: string;
  email: string;
  /** For audit rows: the user's name, or the token's name and owner. */
  displayName: string;
  role: TRole;
  tokenId: string | null;
  sessionId: string | null;
}

const TOUCH_EVERY_MS = 60_000;

/** The signed-in user behind a session cookie's hash, or null when the session is unknown, expired or disabled. */
export async function findPrincipalBySession(tokenHash: string): Promise<Principal | null> {
  const session = await db().session.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!session || session.expiresAt <= new Date() || session.user.disabled) return null;
  if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db()
      .session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } })
      .catch(() => undefined);
  }
  return {
    kind: "user",
    userId: session.userId,
    email: session.user.email,
    displayName: session.user.name,
    role: ZRole.parse(session.user.role),
    tokenId: null,
    sessionId: session.id,
  };
}

/** The principal of an API token's hash. A token never outranks its owner's current role. */
export async function findPrincipalByApiToken(tokenHash: string): Promise<Principal | null> {
  const token = await db().apiToken.findUnique({ where: { tokenHash }, include: { createdBy: true } });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= new Date()) || token.createdBy.disabled)
    return null;
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await db()
      .apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } })
      .catch(() => undefined);
  }
  const tokenRole = ZRole.parse(token.role);
  const ownerRole = ZRole.parse(token.createdBy.role);
  const roles = ZRole.options;
  const role = roles.indexOf(tokenRole) <= roles.indexOf(ownerRole) ? tokenRole : ownerRole;
  return {
    kind: "api-token",
    userId: token.createdById,
    email: token.createdBy.email,
    displayName: `token "${token.name}" of ${token.createdBy.email}`,
    role,
    tokenId: token.id,
    sessionId: null,
  };
}
