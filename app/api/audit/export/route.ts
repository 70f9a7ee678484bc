import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { nonEmptyQuery, ZExportFormat } from "@/lib/audit/credential-access";
import { auditEventPages } from "@/lib/audit/data/list-credential-access";
import { AUDIT_EVENT_COLUMNS, auditEventJson } from "@/lib/audit/export-columns";
import { exportFilename, exportHeaders, exportStream } from "@/lib/audit/export-format";
import { ZAuditFilter } from "@/lib/audit/schemas";

const ZQuery = ZAuditFilter.omit({ cursor: true, limit: true }).extend({ format: ZExportFormat.default("csv") });

export const GET = withAuth(
  async ({ req }) => {
    const { format, ...filter } = ZQuery.parse(nonEmptyQuery(searchParamsOf(req)));
    const body = exportStream({
      format,
      columns: AUDIT_EVENT_COLUMNS,
      toJson: auditEventJson,
      pages: auditEventPages(filter),
    });
    return new Response(body, { headers: exportHeaders(exportFilename("audit", format), format) });
  },
  {
    permission: "audit.read",
    docs: {
      tag: "audit",
      summary: "The filtered audit log as a streamed CSV or JSON Lines download, oldest first (chain order)",
      query: ZQuery,
      returns: "CSV or JSON Lines.",
      produces: "text/csv",
    },
  },
);
