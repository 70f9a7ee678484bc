import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseAuditDetails, rowNames, type AuditRowFields } from "./views";

/** Events per pull page unless the caller asks for another size, and the most one page may hold. */
export const AUDIT_STREAM_DEFAULT_LIMIT = 500;
export const AUDIT_STREAM_MAX_LIMIT = 5000;

/** The header that carries the cursor to pass back as `after`: the seq of the page's last event (unchanged when caught up). */
export const NEXT_AFTER_HEADER = "x-wharf-next-after";

/** Query of `GET /api/audit/stream`: the last seq the caller holds (0: from the start) and the page size. */
export const ZAuditStreamQuery = z.object({
  after: z
    .string()
    .optional()
    .describe("The last seq already received (X-Wharf-Next-After of the previous page); 0 or absent: from the start."),
  limit: z
    .string()
    .optional()
    .describe(`Events per page, 1–${AUDIT_STREAM_MAX_LIMIT} (default ${AUDIT_STREAM_DEFAULT_LIMIT}).`),
});

/**
 * Parses the cursor and page size of a stream request. A collector that sends a garbled cursor must hear so (422
 * VALIDATION_FAILED naming the field, like every other bad cursor in the API) instead of silently starting over from 0
 * and re-sending the whole trail, or skipping ahead.
 */
export function parseAuditStreamQuery(query: { after?: string; limit?: string }): {
  after: number;
  limit: number;
} {
  const after = query.after ?? "0";
  if (!/^\d{1,15}$/.test(after))
    throw new AppError(
      "VALIDATION_FAILED",
      "The stream cursor is not valid; pass the seq of the last event received.",
      {
        fields: { after: ["A whole number ≥ 0: the seq of the last event received."] },
      },
    );
  const limitText = query.limit ?? String(AUDIT_STREAM_DEFAULT_LIMIT);
  const limit = /^\d{1,5}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= AUDIT_STREAM_MAX_LIMIT))
    throw new AppError("VALIDATION_FAILED", `The page size is not valid.`, {
      fields: { limit: [`A whole number from 1 to ${AUDIT_STREAM_MAX_LIMIT}.`] },
    });
  return { after: Number(after), limit };
}

/**
 * One streamed audit event: what a SIEM indexes (who, what, about what, from where, with which outcome) plus the chain
 * link (seq, prevHash, hash) so a receiver can spot a gap or a rewritten row. The pull endpoint and the push sink send
 * the same object. Never secret material: audit rows never hold any.
 */
export function auditStreamRecord(r: AuditRowFields): Record<string, unknown> {
  return {
    seq: r.seq,
    id: r.id,
    at: r.at.toISOString(),
    action: r.action,
    outcome: r.outcome,
    actor: { kind: r.actorKind, id: r.actorId, name: r.actorName },
    subject: { type: r.subjectType, id: r.subjectId },
    targetId: r.targetId,
    credentialId: r.credentialId,
    names: rowNames(r),
    ip: r.ip,
    userAgent: r.userAgent,
    requestId: r.requestId,
    details: parseAuditDetails(r.details),
    chainScheme: r.chainScheme ?? null,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

/** A batch of events as JSON Lines: one compact object per line, each line ended by a newline; "" for none. */
export function auditStreamLines(rows: readonly AuditRowFields[]): string {
  return rows.map((r) => `${JSON.stringify(auditStreamRecord(r))}\n`).join("");
}
