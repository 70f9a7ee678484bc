/**
 * Opaque keyset cursor for the agents list, ordered newest first by (createdAt, id): the last row of the previous
 * page, so agents created or revoked meanwhile neither repeat nor vanish from later pages.
 */
export interface AgentCursor {
  createdAt: Date;
  id: string;
}

export function encodeAgentCursor(c: AgentCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id]), "utf8").toString("base64url");
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeAgentCursor(cursor: string): AgentCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // fall through: not a cursor of ours
  }
  return null;
}
