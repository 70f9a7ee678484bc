import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { readAuditStream } from "@/lib/audit/data/read-audit-stream";
import { auditStreamLines, NEXT_AFTER_HEADER, parseAuditStreamQuery, ZAuditStreamQuery } from "@/lib/audit/stream";

export const GET = withAuth(
  async ({ req }) => {
    const { after, limit } = parseAuditStreamQuery(searchParamsOf(req));
    const rows = await readAuditStream({ after, limit });
    const next = rows[rows.length - 1]?.seq ?? after;
    return new Response(auditStreamLines(rows), {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        [NEXT_AFTER_HEADER]: String(next),
      },
    });
  },
  {
    permission: "audit.read",
    docs: {
      tag: "audit",
      summary:
        "The audit trail after a cursor, in chain order, as JSON Lines (empty when caught up); the next cursor is in X-Wharf-Next-After",
      query: ZAuditStreamQuery,
      returns: "JSON Lines, one audit event per line.",
      produces: "application/x-ndjson",
    },
  },
);
