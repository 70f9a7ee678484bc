/**
 * Opaque keyset cursor for the credentials list, ordered by (target name, credential id). The position is the last
 * row of the previous page, so credentials stored, rotated or removed meanwhile neither repeat nor vanish from later
 * pages (a rotated credential has a new id but keeps its place by target name).
 */
export interface CredentialCursor {
  targetName: string;
  id: string;
}

export function encodeCredentialCursor(c: CredentialCursor): string {
  return Buffer.from(JSON.stringify([c.targetName, c.id]), "utf8").toString("base64url");
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeCredentialCursor(cursor: string): CredentialCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return { targetName: value[0], id: value[1] };
    }
  } catch {
    // fall through: not a cursor of ours
  }
  return null;
}
