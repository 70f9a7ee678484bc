import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { nonEmptyQuery, ZCredentialAccessFilter, ZExportFormat } from "@/lib/audit/credential-access";
import { credentialAccessPages } from "@/lib/audit/data/list-credential-access";
import { CREDENTIAL_ACCESS_COLUMNS, credentialAccessJson } from "@/lib/audit/export-columns";
import { exportFilename, exportHeaders, exportStream } from "@/lib/audit/export-format";

// Paging parameters of a copied list URL are ignored (zod drops unknown keys): an export is always the whole filter.
const ZQuery = ZCredentialAccessFilter.extend({ format: ZExportFormat.default("csv") });

export const GET = withAuth(
  async ({ req }) => {
    const { format, ...filter } = ZQuery.parse(nonEmptyQuery(searchParamsOf(req)));
    const body = exportStream({
      format,
      columns: CREDENTIAL_ACCESS_COLUMNS,
      toJson: credentialAccessJson,
      pages: credentialAccessPages(filter),
    });
    return new Response(body, { headers: exportHeaders(exportFilename("credential-access", format), format) });
  },
  {
    permission: "credential-access.read",
    docs: {
      tag: "audit",
      summary: "The filtered credential access rows as a streamed CSV or JSON Lines download, oldest first",
      query: ZQuery,
      returns: "CSV or JSON Lines.",
      produces: "text/csv",
    },
  },
);
