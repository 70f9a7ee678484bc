import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { decoyPasswordHash, newSecretToken, sha256Hex, verifyPassword } from "../secrets";
import type { TSignIn } from "../schemas";

const WINDOW_MS = 60_000;
// Per client address the limit is looser: several people may sit behind one NAT, but one host still cannot spray.
const IP_FACTOR = 4;

/** The advisory-lock ids of the throttle keys, sorted so that two sign-ins always lock in the same order. */
function lockIdsOf(keys: string[]): number[] {
  return [...new Set(keys.map((k) => parseInt(sha256Hex(k).slice(0, 8), 16) | 0))].sort((a, b) => a - b);
}

/**
 * Takes one attempt of the per-minute allowance of each key, atomically: counting and taking happen under a lock
 * per key (PostgreSQL) or the database write lock (SQLite, whose first statement here is a write), so 40 parallel
 * wrong passwords get exactly `max` evaluated and the rest 429. The taken attempt is a `SignInFailure` row written
 * before the password is looked at; a sign-in that succeeds gives it back.
 */
async function takeAttempt(keys: { email: string; ip: string }, max: number): Promise<string[]> {
  return db().$transaction(async (tx) => {
    const now = Date.now();
    if (env().databaseKind === "postgresql") {
      for (const id of lockIdsOf([keys.email, keys.ip]))
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.signInThrottleClass}, ${id})`);
    }
    await tx.signInFailure.deleteMany({ where: { at: { lt: new Date(now - 60 * WINDOW_MS) } } });
    const since = new Date(now - WINDOW_MS);
    const [emailFailures, ipFailures] = await Promise.all([
      tx.signInFailure.findMany({
        where: { key: keys.email, at: { gt: since } },
        select: { at: true },
        orderBy: { at: "asc" },
      }),
      tx.signInFailure.count({ where: { key: keys.ip, at: { gt: since } } }),
    ]);
    if (emailFailures.length >= max || ipFailures >= max * IP_FACTOR) {
      const oldest = emailFailures[0]?.at.getTime() ?? now;
      const retryAfter = Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
      throw new AppError("RATE_LIMITED", `Too many failed sign-ins. Try again in ${retryAfter} seconds.`, {
        headers: { "Retry-After": String(retryAfter) },
      });
    }
    const taken = await Promise.all(
      [keys.email, keys.ip].map((key) => tx.signInFailure.create({ data: { key }, select: { id: true } })),
    );
    return taken.map((t) => t.id);
  });
}

/**
 * Checks a password and opens a session. Failures are counted per account and per client address in the database,
 * so the limit holds across dashboard processes and concurrent requests: the sixth attempt within a minute while
 * five failed (or are still being checked) is answered 429 before the password is even looked at.
 */
export async function signIn(input: TSignIn, request: RequestContext): Promise<{ token: string; expiresAt: Date }> {
  const { WHARF_SIGNIN_MAX_FAILURES: max, WHARF_SESSION_TTL: ttlMs } = env();
  const attempt = await takeAttempt({ email: `email:${input.email}`, ip: `ip:${request.ip ?? "unknown"}` }, max);

  const user = await db().user.findUnique({ where: { email: input.email } });
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
  if (!user || !user.passwordHash || !passwordOk || user.disabled) {
    // The attempt taken above stays: it is this failure's row.
    await db().$transaction(async (tx) => {
      await recordAuditEvent(tx, {
        actor: { kind: "user", id: user?.id ?? null, name: input.email },
        action: "auth.sign-in-failed",
        subjectType: "user",
        subjectId: user?.id ?? null,
        outcome: "denied",
        details: {
          reason: !user ? "unknown-email" : user.disabled && passwordOk ? "account-disabled" : "wrong-password",
        },
        request,
      });
    });
    if (user?.disabled && passwordOk)
      throw new AppError("ACCOUNT_DISABLED", "This account is disabled. Ask an administrator.");
    throw new AppError("INVALID_CREDENTIALS", "Email or password is incorrect.");
  }

  const token = newSecretToken("wharfs");
  const expiresAt = new Date(Date.now() + ttlMs);
  await db().$transaction(async (tx) => {
    const session = await tx.session.create({
      data: { tokenHash: sha256Hex(token), userId: user.id, expiresAt, ip: request.ip, userAgent: request.userAgent },
    });
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
    await tx.signInFailure.deleteMany({ where: { id: { in: attempt } } });
    await recordAuditEvent(tx, {
      actor: { kind: "user", id: user.id, name: user.email },
      action: "auth.signed-in",
      subjectType: "session",
      subjectId: session.id,
      details: { method: "password", local: true },
      request,
    });
  });
  return { token, expiresAt };
}

/** Ends a session; signing out twice is not an error. */
export async function signOut(sessionTokenHash: string, request: RequestContext): Promise<void> {
  await db().$transaction(async (tx) => {
    const session = await tx.session.findUnique({ where: { tokenHash: sessionTokenHash }, include: { user: true } });
    if (!session) return;
    await tx.session.delete({ where: { id: session.id } });
    await recordAuditEvent(tx, {
      actor: { kind: "user", id: session.userId, name: session.user.email },
      action: "auth.signed-out",
      subjectType: "session",
      subjectId: session.id,
      request,
    });
  });
}
