import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/keyset-cursor";

/**
 * Keyset position in the credentials list, ordered by (target name, credential id): the last row of the previous
 * page, so credentials stored, rotated or removed meanwhile neither repeat nor vanish from later pages (a rotated
 * credential has a new id but keeps its place by target name).
 */
export interface CredentialCursor {
  targetName: string;
  id: string;
}

export function encodeCredentialCursor(c: CredentialCursor): string {
  return encodeKeysetCursor([c.targetName, c.id]);
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeCredentialCursor(cursor: string): CredentialCursor | null {
  const key = decodeKeysetCursor(cursor, 2);
  return key ? { targetName: key[0]!, id: key[1]! } : null;
}
