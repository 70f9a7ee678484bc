import { z } from "zod";
import { withAuth } from "@/lib/api/with-auth";
import { verifyAuditChain } from "@/lib/audit/data/verify-audit-chain";

const ZChecked = z.object({
  rows: z.number().int(),
  keyedRows: z.number().int(),
  firstKeyedSeq: z.number().int().nullable(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  checkpoints: z.object({
    file: z.string(),
    valid: z.number().int(),
    last: z.object({ seq: z.number().int(), at: z.string() }).nullable(),
  }),
});
const ZWritten = z.object({ seq: z.number().int(), at: z.string() }).nullable();

/** `ChainVerdict` as JSON: instants are ISO strings; a missing tail or a bad checkpoint has no row (id, at null). */
const ZChainVerdict = z.discriminatedUnion("intact", [
  z.object({ intact: z.literal(true), rows: z.number().int(), checked: ZChecked, checkpointWritten: ZWritten }),
  z.object({
    intact: z.literal(false),
    rows: z.number().int(),
    brokenAt: z.object({
      seq: z.number().int().nullable(),
      id: z.string().nullable(),
      at: z.iso.datetime().nullable(),
      reason: z.string(),
    }),
    checked: ZChecked,
    checkpointWritten: ZWritten,
  }),
]);

export const POST = withAuth(async () => verifyAuditChain(), {
  permission: "audit.read",
  docs: {
    tag: "audit",
    summary:
      "Walk the keyed hash chain and compare it with the signed checkpoints: intact or not, what was checked, the first problem if any; an intact chain gets a new checkpoint",
    returns: "{ intact, rows, brokenAt?, checked, checkpointWritten }",
    response: ZChainVerdict,
  },
});
