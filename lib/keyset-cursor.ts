import { AppError } from "./errors";

/**
 * Opaque keyset cursor: the sort key of the previous page's last row, as base64url JSON of its string parts. The
 * page after it starts strictly after that key, so rows added or removed meanwhile neither repeat nor vanish.
 */
export function encodeKeysetCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** The key a cursor names when it has exactly `parts` string parts; null when it is not a cursor of this shape. */
export function decodeKeysetCursor(cursor: string, parts: number): string[] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === parts && value.every((v) => typeof v === "string"))
      return value as string[];
  } catch {
    // fall through: not a cursor of ours
  }
  return null;
}

/** The 422 for a cursor the list did not produce (or produced for another order). */
export function invalidCursorError(): AppError {
  return new AppError("VALIDATION_FAILED", "The page cursor is not valid; start from the first page.", {
    fields: { cursor: ["Not a valid cursor."] },
  });
}
