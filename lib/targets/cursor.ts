import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/keyset-cursor";

/**
 * Keyset position in the targets list, ordered by (name, id): the last row of the previous page, so rows added or
 * removed meanwhile neither repeat nor vanish from later pages.
 */
export interface TargetCursor {
  name: string;
  id: string;
}

export function encodeTargetCursor(c: TargetCursor): string {
  return encodeKeysetCursor([c.name, c.id]);
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeTargetCursor(cursor: string): TargetCursor | null {
  const key = decodeKeysetCursor(cursor, 2);
  return key ? { name: key[0]!, id: key[1]! } : null;
}
