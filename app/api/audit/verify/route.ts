import { z } from "zod";
import { withAuth } from "@/lib/api/with-auth";
import { verifyAuditChain } from "@/lib/audit/data/verify-audit-chain";

/** `ChainVerdict` as JSON: the broken link's instant is an ISO string. */
const ZChainVerdict = z.discriminatedUnion("intact", [
  z.object({ intact: z.literal(true), rows: z.number().int() }),
  z.object({
    intact: z.literal(false),
    rows: z.number().int(),
    brokenAt: z.object({ seq: z.number().int(), id: z.string(), at: z.iso.datetime(), reason: z.string() }),
  }),
]);

export const POST = withAuth(async () => verifyAuditChain(), {
  permission: "audit.read",
  docs: {
    tag: "audit",
    summary: "Walk the hash chain: intact or not, rows checked, the first broken link if any",
    returns: "{ intact, rows, brokenAt? }",
    response: ZChainVerdict,
  },
});
