import { z } from "zod";
import type { TRole } from "@/lib/auth/roles";

export { ZCreateApiToken, type TCreateApiToken } from "@/lib/auth/schemas";

/** Query of `GET /api/tokens`: newest first, keyset-paginated on the token id. */
export const ZListApiTokens = z.object({
  cursor: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TListApiTokens = z.infer<typeof ZListApiTokens>;

export const TOKEN_STATUSES = ["active", "expired", "revoked"] as const;
export type TTokenStatus = (typeof TOKEN_STATUSES)[number];

/** An API token as lists show it: a display prefix, never the secret or its hash. Dates are ISO strings. */
export interface ApiTokenView {
  id: string;
  name: string;
  /** The first 12 characters of the token, enough to recognise it in a secret scanner's report. */
  prefix: string;
  role: TRole;
  status: TTokenStatus;
  owner: { id: string; email: string; name: string };
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface ApiTokenPage {
  items: ApiTokenView[];
  nextCursor: string | null;
}

/** The answer to creating a token: the only time the plaintext `secret` ever leaves Wharf. */
export interface CreatedApiToken {
  token: ApiTokenView;
  secret: string;
}

/** Revoked wins over expired: a revoked token stays revoked whatever its expiry says. */
export function tokenStatus(
  t: { revokedAt: Date | string | null; expiresAt: Date | string | null },
  now: Date = new Date(),
): TTokenStatus {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= now.getTime()) return "expired";
  return "active";
}
