import { z } from "zod";
import { ZRole } from "@/lib/auth/roles";

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
export const ZApiTokenView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z
    .string()
    .describe("The first 12 characters of the token, enough to recognise it in a secret scanner's report."),
  role: ZRole,
  status: z.enum(TOKEN_STATUSES),
  owner: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiTokenView = z.output<typeof ZApiTokenView>;

export const ZApiTokenPage = z.object({ items: z.array(ZApiTokenView), nextCursor: z.string().nullable() });
export type ApiTokenPage = z.output<typeof ZApiTokenPage>;

/** The answer to creating a token: the only time the plaintext `secret` ever leaves Wharf. */
export const ZCreatedApiToken = z.object({ token: ZApiTokenView, secret: z.string() });
export type CreatedApiToken = z.output<typeof ZCreatedApiToken>;

/** Revoked wins over expired: a revoked token stays revoked whatever its expiry says. */
export function tokenStatus(
  t: { revokedAt: Date | string | null; expiresAt: Date | string | null },
  now: Date = new Date(),
): TTokenStatus {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= now.getTime()) return "expired";
  return "active";
}
