import { z } from "zod";
import type { TRole } from "@/lib/auth/roles";

export { ZCreateUser, ZUpdateUser, type TCreateUser, type TUpdateUser } from "@/lib/auth/schemas";

/** Query of `GET /api/users`: oldest first, keyset-paginated on the user id (users are never deleted). */
export const ZListUsers = z.object({
  cursor: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TListUsers = z.infer<typeof ZListUsers>;

/** A user as the API and the users page see it: never the password hash. Dates are ISO strings. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: TRole;
  disabled: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

export interface UserPage {
  items: UserView[];
  nextCursor: string | null;
}
