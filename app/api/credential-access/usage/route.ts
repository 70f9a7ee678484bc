import { z } from "zod";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { credentialUsage } from "@/lib/audit/data/credential-usage";
import type { CredentialUsageView } from "@/lib/audit/views";

const ZQuery = z.object({
  credentialId: z.string().trim().min(1).max(200),
  days: z.coerce.number().int().min(1).max(366).default(30),
});

export const GET = withAuth(
  async ({ req }): Promise<CredentialUsageView> => credentialUsage(ZQuery.parse(searchParamsOf(req))),
  {
    permission: "credential-access.read",
    docs: {
      tag: "audit",
      summary: "Who decrypted a credential in the last `days` days (default 30): actors, counts, last use, purposes",
      query: ZQuery,
      returns: "Usage by actor.",
    },
  },
);
