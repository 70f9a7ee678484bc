import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/keyset-cursor";

/** Keyset position in the applications list, ordered by (name, id): the last row of the previous page. */
export interface ApplicationCursor {
  name: string;
  id: string;
}

export function encodeApplicationCursor(c: ApplicationCursor): string {
  return encodeKeysetCursor([c.name, c.id]);
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeApplicationCursor(cursor: string): ApplicationCursor | null {
  const key = decodeKeysetCursor(cursor, 2);
  return key ? { name: key[0]!, id: key[1]! } : null;
}
