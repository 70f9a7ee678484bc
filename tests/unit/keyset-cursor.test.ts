import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";

describe("keyset cursor", () => {
  it("round-trips a key of any strings, URL-safe", () => {
    for (const key of [["prod-eu-1"], ["a b/ü?&=", "clx0abc"], ["2026-01-01T00:00:00.000Z", "id", "finished"]]) {
      const cursor = encodeKeysetCursor(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeKeysetCursor(cursor, key.length)).toEqual(key);
    }
  });

  it("rejects a key of another length, non-string parts and anything it did not produce", () => {
    expect(decodeKeysetCursor(encodeKeysetCursor(["a", "b"]), 1)).toBeNull();
    expect(decodeKeysetCursor(encodeKeysetCursor(["a"]), 2)).toBeNull();
    for (const bad of [
      "",
      "not-a-cursor",
      Buffer.from("{}").toString("base64url"),
      Buffer.from('["a",1]').toString("base64url"),
      Buffer.from("[null]").toString("base64url"),
    ]) {
      expect(decodeKeysetCursor(bad, 2)).toBeNull();
      expect(decodeKeysetCursor(bad, 1)).toBeNull();
    }
  });

  it("a foreign cursor is a 422 naming the cursor field", () => {
    const err = invalidCursorError();
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.fields).toEqual({ cursor: [expect.any(String)] });
  });
});
