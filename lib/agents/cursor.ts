import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/keyset-cursor";

/**
 * Keyset position in the agents list, ordered newest first by (createdAt, id): the last row of the previous page,
 * so agents created or revoked meanwhile neither repeat nor vanish from later pages.
 */
export interface AgentCursor {
  createdAt: Date;
  id: string;
}

export function encodeAgentCursor(c: AgentCursor): string {
  return encodeKeysetCursor([c.createdAt.toISOString(), c.id]);
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeAgentCursor(cursor: string): AgentCursor | null {
  const key = decodeKeysetCursor(cursor, 2);
  const createdAt = key ? new Date(key[0]!) : null;
  return key && createdAt && !Number.isNaN(createdAt.getTime()) ? { createdAt, id: key[1]! } : null;
}
