import "server-only";
import { verifyChain, type ChainVerdict } from "../chain";
import { streamAuditEvents } from "./list-audit-events";

/**
 * Walks the whole audit table in sequence order, a page at a time, and reports the first broken link or
 * "intact, N rows". Memory stays flat however long the trail is.
 */
export async function verifyAuditChain(options: { pageSize?: number } = {}): Promise<ChainVerdict> {
  return verifyChain(streamAuditEvents(options.pageSize));
}
