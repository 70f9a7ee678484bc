import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listAuditEvents } from "@/lib/audit/data/list-audit-events";
import { toAuditEventView, type AuditEventPage } from "@/lib/audit/views";
import { ZAuditFilter } from "@/lib/audit/schemas";

export const GET = withAuth(
  async ({ req }): Promise<AuditEventPage> => {
    // An empty form field means "any", not an invalid value.
    const query = Object.fromEntries(Object.entries(searchParamsOf(req)).filter(([, v]) => v.trim() !== ""));
    const page = await listAuditEvents(ZAuditFilter.parse(query));
    return { items: page.items.map(toAuditEventView), nextCursor: page.nextCursor, notice: page.notice };
  },
  {
    permission: "audit.read",
    docs: {
      tag: "audit",
      summary: "Audit rows, newest first, filtered by actor/action/subject/name/outcome/time, cursor-paginated",
      query: ZAuditFilter,
      returns: "A page of audit events and the next cursor.",
    },
  },
);
