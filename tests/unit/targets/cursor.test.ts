import { describe, expect, it } from "vitest";
import { decodeTargetCursor, encodeTargetCursor } from "@/lib/targets/cursor";

describe("target list cursor", () => {
  it("round-trips a (name, id) position", () => {
    const c = { name: "prod-eu-1", id: "clx0abc" };
    expect(decodeTargetCursor(encodeTargetCursor(c))).toEqual(c);
  });
  it("rejects anything it did not produce", () => {
    for (const bad of [
      "",
      "not-a-cursor",
      Buffer.from("{}").toString("base64url"),
      Buffer.from('["a",1]').toString("base64url"),
    ]) {
      expect(decodeTargetCursor(bad)).toBeNull();
    }
  });
});
