import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonBody, parseJsonBounded, readBodyBytes } from "@/lib/api/read-body";

const enc = (s: string) => new TextEncoder().encode(s);

describe("readBodyBytes", () => {
  it("returns the whole body when it fits, and stops reading one that does not", async () => {
    const ok = new Request("http://x/", { method: "POST", body: "hello" });
    expect((await readBodyBytes(ok, 5)).toString()).toBe("hello");
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      { pull: (c) => void (pulls++, c.enqueue(new Uint8Array(1024))) },
      { highWaterMark: 0 },
    );
    const big = new Request("http://x/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readBodyBytes(big, 10 * 1024)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
    // An endless stream: only the limit and the chunk that crossed it were read.
    expect(pulls).toBeLessThanOrEqual(12);
  });
});

describe("parseJsonBody", () => {
  it("refuses NUL escapes but not an escaped backslash before u0000", () => {
    expect(() => parseJsonBody(enc('{"a":"x\\u0000"}'))).toThrow(/NUL/);
    expect(() => parseJsonBody(enc('{"a\\u0000":1}'))).toThrow(/NUL/);
    expect(parseJsonBody(enc('{"a":"x\\\\u0000"}'))).toEqual({ a: "x\\u0000" });
  });

  it("bounds nesting, counting brackets inside strings as text", () => {
    expect(parseJsonBody(enc(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`))).toBeInstanceOf(Array);
    expect(() => parseJsonBody(enc(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`))).toThrow(
      /deeper/,
    );
    expect(parseJsonBody(enc(JSON.stringify({ s: "[".repeat(1000) + '\\"{' })))).toHaveProperty("s");
  });

  it("answers invalid UTF-8 and invalid JSON with 422", () => {
    expect(() => parseJsonBody(new Uint8Array([0x22, 0xff, 0x22]))).toThrow(expect.objectContaining({ status: 422 }));
    expect(() => parseJsonBody(enc("{"))).toThrow(expect.objectContaining({ status: 422 }));
  });
});

describe("parseJsonBounded", () => {
  it("is the parse behind parseJsonBody: the same NUL, depth and syntax refusals on text", () => {
    expect(parseJsonBounded('{"a":[1]}')).toEqual({ a: [1] });
    expect(() => parseJsonBounded('{"a":"\\u0000"}')).toThrow(/NUL/);
    expect(() => parseJsonBounded(`${"[".repeat(5000)}${"]".repeat(5000)}`)).toThrow(
      expect.objectContaining({ status: 422 }),
    );
    expect(() => parseJsonBounded("{")).toThrow(expect.objectContaining({ status: 422 }));
  });
});
