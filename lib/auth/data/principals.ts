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

/**
 * The signed-in user behind a session cookie's hash, or null when the session is unknown, expired or disabled.
 * Every request of a signed-in user starts here, so it is one statement (the session joined to its user) reading only
 * the columns a principal needs: Prisma's `include` read the user as a second statement, with its password hash.
 * Nothing is cached: a signed-out, expired or disabled session is refused on its next request, in every process.
 */
export async function findPrincipalBySession(tokenHash: string): Promise<Principal | null> {
  const [session] = await db().$queryRaw<
    {
      id: string;
      userId: string;
      expiresAt: Date;
      lastSeenAt: Date;
      email: string;
      name: string;
      role: string;
      disabled: boolean;
    }[]
  >`
    SELECT "s"."id", "s"."userId", "s"."expiresAt", "s"."lastSeenAt", "u"."email", "u"."name", "u"."role", "u"."disabled"
    FROM "Session" AS "s" JOIN "User" AS "u" ON "u"."id" = "s"."userId"
    WHERE "s"."tokenHash" = ${tokenHash}`;
  if (!session || session.expiresAt <= new Date() || session.disabled) return null;
  if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db()
      .session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } })
      .catch(() => undefined);
  }
  return {
    kind: "user",
    userId: session.userId,
    email: session.email,
    displayName: session.name,
    role: ZRole.parse(session.role),
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
