import "server-only";
import { recordCappedAuditEvent, type AuditCap } from "@/lib/audit/data/record-capped-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { sha256Hex } from "../secrets";

/** Characters of a Wharf token that are safe to show: the same display prefix the token list stores. */
export const TOKEN_DISPLAY_PREFIX = 12;
/** At most one row per token prefix and IP per window. */
const PER_KEY = 1;
/** At most this many rows per IP per window, whatever the prefixes (a flood of random tokens). */
const PER_IP = 10;
/** At most this many rows per window overall: addresses are plentiful (IPv6), so per-IP alone is no bound. */
const GLOBAL = 60;

export type DeniedTokenReason = "unknown" | "revoked" | "expired" | "owner-disabled" | "not-a-wharf-token";

/** Why a bearer token did not resolve. Reads the token row by its hash only; the token itself is never stored. */
async function reasonFor(token: string): Promise<{ reason: DeniedTokenReason; tokenId: string | null }> {
  if (!token.startsWith("wharf_")) return { reason: "not-a-wharf-token", tokenId: null };
  const row = await db().apiToken.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { id: true, revokedAt: true, expiresAt: true, createdBy: { select: { disabled: true } } },
  });
  if (!row) return { reason: "unknown", tokenId: null };
  if (row.revokedAt) return { reason: "revoked", tokenId: row.id };
  if (row.expiresAt && row.expiresAt <= new Date()) return { reason: "expired", tokenId: row.id };
  if (row.createdBy.disabled) return { reason: "owner-disabled", tokenId: row.id };
  return { reason: "unknown", tokenId: row.id };
}

/**
 * Writes `auth.denied` (actor kind api-token, outcome denied) for a bearer token that did not resolve: unknown,
 * revoked, expired or whose owner is disabled. The actor's name is the token's 12-character display prefix — never
 * more, and nothing at all of a string that is not a Wharf token (it may be someone's secret for another system).
 * A real Wharf token (revoked, expired, owner disabled) is always audited: once per token and address a minute,
 * whatever else is happening. Made-up tokens are bounded so a flood cannot fill the append-only table — one row per
 * prefix and address, ten per address and sixty overall a minute — and what lies beyond is counted into one summary
 * row per minute (`recordCappedAuditEvent`), not dropped. Returns whether a row of its own was written.
 */
export async function recordDeniedApiToken(opts: {
  token: string;
  route: string;
  request: RequestContext;
  now?: Date;
}): Promise<boolean> {
  const { reason, tokenId } = await reasonFor(opts.token);
  const name =
    reason === "not-a-wharf-token" ? "bearer (not a Wharf token)" : opts.token.slice(0, TOKEN_DISPLAY_PREFIX);
  const ip = opts.request.ip;
  const caps: AuditCap[] = tokenId
    ? [{ match: { actorId: tokenId, ip }, max: PER_KEY }]
    : [
        { match: { actorName: name, ip }, max: PER_KEY },
        { match: { ip }, max: PER_IP },
        { match: {}, max: GLOBAL },
      ];
  const outcome = await recordCappedAuditEvent({
    entry: {
      actor: { kind: "api-token", id: tokenId, name },
      action: "auth.denied",
      subjectType: "api-token",
      subjectId: tokenId,
      outcome: "denied",
      details: { reason, route: opts.route },
      request: opts.request,
    },
    caps,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return outcome.recorded;
}
