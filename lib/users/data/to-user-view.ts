import "server-only";
import { ZRole } from "@/lib/auth/roles";
import type { UserView } from "../schemas";

/** The only way a user row leaves the data layer: the password hash stays behind. */
export function toUserView(u: {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
}): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: ZRole.parse(u.role),
    disabled: u.disabled,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

/** Selects exactly the columns `toUserView` needs, so the hash is not even read. */
export const USER_VIEW_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  lastSignInAt: true,
  createdAt: true,
} as const;
