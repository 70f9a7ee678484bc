/**
 * Opaque keyset cursor for the targets list, ordered by (name, id). The position is the last row of the previous
 * page, so rows added or removed meanwhile neither repeat nor vanish from later pages.
 */
export interface TargetCursor {
  name: string;
  id: string;
}

export function encodeTargetCursor(c: TargetCursor): string {
  return Buffer.from(JSON.stringify([c.name, c.id]), "utf8").toString("base64url");
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeTargetCursor(cursor: string): TargetCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return { name: value[0], id: value[1] };
    }
  } catch {
    // fall through: not a cursor of ours
  }
  return null;
}
