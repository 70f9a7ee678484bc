import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { hashPassword } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import type { TCreateUser, UserView } from "../schemas";
import { toUserView, USER_VIEW_SELECT } from "./to-user-view";

export interface CreateUserOptions {
  input: TCreateUser;
  /** Who is creating the user; named in the `user.created` audit row. */
  actor: Actor;
  request: RequestContext;
}

function emailTaken(): AppError {
  return new AppError("CONFLICT", "A user with this email already exists.", {
    fields: { email: ["A user with this email already exists"] },
  });
}

/**
 * Creates a user with an argon2id password hash. The user and its `user.created` audit row commit together; a
 * duplicate email (checked first, and caught again if a concurrent request wins the race) is a 409 on `email`.
 */
export async function createUser({ input, actor, request }: CreateUserOptions): Promise<UserView> {
  // Hash outside the transaction: argon2 is deliberately slow and must not hold the write lock.
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) throw emailTaken();
      const user = await tx.user.create({
        data: { email: input.email, name: input.name, role: input.role, passwordHash },
        select: USER_VIEW_SELECT,
      });
      await recordAuditEvent(tx, {
        actor,
        action: "user.created",
        subjectType: "user",
        subjectId: user.id,
        details: { email: user.email, name: user.name, role: user.role },
        request,
      });
      return toUserView(user);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}
