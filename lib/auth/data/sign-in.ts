import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { decoyPasswordHash, newSecretToken, sha256Hex, verifyPassword } from "../secrets";
import type { TSignIn } from "../schemas";

const WINDOW_MS = 60_000;
// Per client address the limit is looser: several people may sit behind one NAT, but one host still cannot spray.
const IP_FACTOR = 4;

/**
 * Checks a password and opens a session. Failures are counted per account and per client address in the database,
 * so the limit holds across dashboard processes: the sixth wrong password within a minute is answered 429 before
 * the password is even looked at.
 */
export async function signIn(input: TSignIn, request: RequestContext): Promise<{ token: string; expiresAt: Date }> {
  const { WHARF_SIGNIN_MAX_FAILURES: max, WHARF_SESSION_TTL_HOURS: ttlHours } = env();
  const since = new Date(Date.now() - WINDOW_MS);
  const emailKey = `email:${input.email}`;
  const ipKey = `ip:${request.ip ?? "unknown"}`;
  const [emailFailures, ipFailures] = await Promise.all([
    db().signInFailure.findMany({ where: { key: emailKey, at: { gt: since } }, select: { at: true }, orderBy: { at: "asc" } }),
    db().signInFailure.count({ where: { key: ipKey, at: { gt: since } } }),
  ]);
  if (emailFailures.length >= max || ipFailures >= max * IP_FACTOR) {
    const oldest = emailFailures[0]?.at.getTime() ?? Date.now();
    const retryAfter = Math.max(1, Math.ceil((oldest + WINDOW_MS - Date.now()) / 1000));
    throw new AppError("RATE_LIMITED", `Too many failed sign-ins. Try again in ${retryAfter} seconds.`, {
      headers: { "Retry-After": String(retryAfter) },
    });
  }

  const user = await db().user.findUnique({ where: { email: input.email } });
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
  if (!user || !user.passwordHash || !passwordOk || user.disabled) {
    await db().$transaction(async (tx) => {
      await tx.signInFailure.deleteMany({ where: { at: { lt: new Date(Date.now() - 60 * WINDOW_MS) } } });
      await tx.signInFailure.createMany({ data: [{ key: emailKey }, { key: ipKey }] });
      await recordAuditEvent(tx, {
        actor: { kind: "user", id: user?.id ?? null, name: input.email },
        action: "auth.sign-in-failed",
        subjectType: "user",
        subjectId: user?.id ?? null,
        outcome: "denied",
        details: { reason: !user ? "unknown-email" : user.disabled && passwordOk ? "account-disabled" : "wrong-password" },
        request,
      });
    });
    if (user?.disabled && passwordOk) throw new AppError("ACCOUNT_DISABLED", "This account is disabled. Ask an administrator.");
    throw new AppError("INVALID_CREDENTIALS", "Email or password is incorrect.");
  }

  const token = newSecretToken("wharfs");
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
  await db().$transaction(async (tx) => {
    const session = await tx.session.create({
      data: { tokenHash: sha256Hex(token), userId: user.id, expiresAt, ip: request.ip, userAgent: request.userAgent },
    });
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
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
