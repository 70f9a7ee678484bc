import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { advisoryXactLockSql } from "@/lib/db/advisory-locks";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { TUpdateUser, UserView } from "../schemas";
import { toUserView, USER_VIEW_SELECT } from "./to-user-view";

export interface UpdateUserOptions {
  userId: string;
  input: TUpdateUser;
  /** The user making the change: an admin may not disable their own account. */
  byUserId: string;
  actor: Actor;
  request: RequestContext;
}

type Change<T> = { from: T; to: T };

/**
 * Renames, changes the role of, disables or re-enables a user. Rules that hold:
 * - the last enabled admin can be neither demoted nor disabled (409 LAST_ADMIN), so Wharf never locks itself out;
 * - nobody disables their own account;
 * - disabling deletes the user's sessions in the same transaction (their API tokens stop working too, because token
 *   resolution refuses disabled owners);
 * - one `user.updated` audit row lists exactly what changed; a request that changes nothing writes nothing.
 */
export async function updateUser({ userId, input, byUserId, actor, request }: UpdateUserOptions): Promise<UserView> {
  return db().$transaction(async (tx) => {
    // Serialises admin-count checks on PostgreSQL, so two admins demoting each other at once cannot both succeed.
    if (env().databaseKind === "postgresql") await tx.$executeRawUnsafe(advisoryXactLockSql("adminSet"));
    const user = await tx.user.findUnique({ where: { id: userId }, select: USER_VIEW_SELECT });
    if (!user) throw new AppError("NOT_FOUND", "No such user.");

    const changes: { role?: Change<string>; disabled?: Change<boolean>; name?: Change<string> } = {};
    if (input.role !== undefined && input.role !== user.role) changes.role = { from: user.role, to: input.role };
    if (input.disabled !== undefined && input.disabled !== user.disabled)
      changes.disabled = { from: user.disabled, to: input.disabled };
    if (input.name !== undefined && input.name !== user.name) changes.name = { from: user.name, to: input.name };
    if (Object.keys(changes).length === 0) return toUserView(user);

    if (changes.disabled?.to === true && userId === byUserId) {
      throw new AppError("CONFLICT", "You cannot disable your own account.", {
        fields: { disabled: ["You cannot disable your own account"] },
      });
    }
    const losesAdmin =
      user.role === "admin" && !user.disabled && (changes.role !== undefined || changes.disabled?.to === true);
    if (losesAdmin) {
      const otherAdmins = await tx.user.count({ where: { role: "admin", disabled: false, id: { not: userId } } });
      if (otherAdmins === 0) {
        throw new AppError("LAST_ADMIN", "This is the last enabled admin. Make another user an admin first.");
      }
    }

    const updated = await tx.user.update({
      where: { id: userId },
      data: {
        ...(changes.role ? { role: changes.role.to } : {}),
        ...(changes.disabled ? { disabled: changes.disabled.to } : {}),
        ...(changes.name ? { name: changes.name.to } : {}),
      },
      select: USER_VIEW_SELECT,
    });
    let sessionsEnded = 0;
    if (changes.disabled?.to === true) sessionsEnded = (await tx.session.deleteMany({ where: { userId } })).count;
    await recordAuditEvent(tx, {
      actor,
      action: "user.updated",
      subjectType: "user",
      subjectId: userId,
      details: { email: user.email, changes, ...(changes.disabled?.to === true ? { sessionsEnded } : {}) },
      request,
    });
    return toUserView(updated);
  });
}
