import { withAuth } from "@/lib/api/with-auth";
import { verifyAuditChain } from "@/lib/audit/data/verify-audit-chain";

// POST /api/audit/verify — walk the hash chain; { intact, rows, brokenAt? } with the first broken link
export const POST = withAuth(async () => verifyAuditChain(), { permission: "audit.read" });
