import { withAuth } from "@/lib/api/with-auth";
import { verifyAuditChain } from "@/lib/audit/data/verify-audit-chain";

export const POST = withAuth(async () => verifyAuditChain(), {
  permission: "audit.read",
  docs: {
    tag: "audit",
    summary: "Walk the hash chain: intact or not, rows checked, the first broken link if any",
    returns: "{ intact, rows, brokenAt? }",
  },
});
