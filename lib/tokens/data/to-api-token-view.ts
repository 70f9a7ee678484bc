import "server-only";
import { ZRole } from "@/lib/auth/roles";
import { tokenStatus, type ApiTokenView } from "../schemas";

/** Selects what a token view needs: the hash is never read for display. */
export const API_TOKEN_VIEW_SELECT = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  createdBy: { select: { id: true, email: true, name: true } },
} as const;

export function toApiTokenView(t: {
  id: string;
  name: string;
  prefix: string;
  role: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdBy: { id: string; email: string; name: string };
}): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: ZRole.parse(t.role),
    status: tokenStatus(t),
    owner: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}
