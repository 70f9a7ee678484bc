import { z } from "zod";
import { ZRole } from "@/lib/auth/roles";

export { ZCreateUser, ZUpdateUser, type TCreateUser, type TUpdateUser } from "@/lib/auth/schemas";

/** Query of `GET /api/users`: oldest first, keyset-paginated on the user id (users are never deleted). */
export const ZListUsers = z.object({
  cursor: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TListUsers = z.infer<typeof ZListUsers>;

/** A user as the API and the users page see it: never the password hash. Dates are ISO strings. */
export const ZUserView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRole,
  disabled: z.boolean(),
  lastSignInAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type UserView = z.output<typeof ZUserView>;

export const ZUserPage = z.object({ items: z.array(ZUserView), nextCursor: z.string().nullable() });
export type UserPage = z.output<typeof ZUserPage>;
