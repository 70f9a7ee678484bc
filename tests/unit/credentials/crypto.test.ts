import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyIdOf, open, seal } from "@/lib/credentials/crypto";
import { decodeMasterKey, keyIdFor, keyringOf } from "@/lib/credentials/keyring";

const k1 = randomBytes(32);
const k2 = randomBytes(32);

function flipByteOfPart(envelope: string, part: number): string {
  const parts = envelope.split(".");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("seal/open", () => {
  it("round-trips text, including multi-byte characters", () => {
    const ring = keyringOf(k1);
    for (const plain of ["", "s3cr3t", "ünïcødé 🔑", "x".repeat(100_000)]) {
      expect(open(seal(plain, ring, "ctx"), ring, "ctx")).toBe(plain);
    }
  });

  it("records the key id and never contains the plaintext", () => {
    const ring = keyringOf(k1);
    const env = seal("super-secret-token", ring);
    expect(keyIdOf(env)).toBe(keyIdFor(k1));
    expect(keyIdFor(k1)).toMatch(/^[0-9a-f]{16}$/);
    expect(env).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(env).not.toContain("super-secret-token");
    expect(env).not.toContain(Buffer.from("super-secret-token").toString("base64url"));
  });

  it("uses a fresh IV each time", () => {
    const ring = keyringOf(k1);
    expect(seal("same", ring)).not.toBe(seal("same", ring));
  });

  it.each([
    ["iv", 2],
    ["ciphertext", 3],
    ["tag", 4],
  ])("fails when one byte of the %s is flipped", (_name, part) => {
    const ring = keyringOf(k1);
    const env = seal("secret material", ring, "ctx");
    expect(() => open(flipByteOfPart(env, part), ring, "ctx")).toThrowError(
      expect.objectContaining({ code: "CREDENTIAL_UNREADABLE" }),
    );
  });

  it("fails when the key id is relabelled or the context differs", () => {
    const ring = keyringOf(k1, [k2]);
    const env = seal("secret", ring, "credential:a:bearer-token");
    const relabelled = env.replace(keyIdFor(k1), keyIdFor(k2));
    expect(() => open(relabelled, ring, "credential:a:bearer-token")).toThrowError(
      expect.objectContaining({ code: "CREDENTIAL_UNREADABLE" }),
    );
    expect(() => open(env, ring, "credential:b:bearer-token")).toThrowError(
      expect.objectContaining({ code: "CREDENTIAL_UNREADABLE" }),
    );
  });

  it("refuses a truncated or garbage envelope", () => {
    const ring = keyringOf(k1);
    const env = seal("secret", ring);
    expect(() => open(env.split(".").slice(0, 4).join("."), ring)).toThrowError(
      expect.objectContaining({ code: "CREDENTIAL_UNREADABLE" }),
    );
    expect(() => open("plaintext", ring)).toThrowError(expect.objectContaining({ code: "CREDENTIAL_UNREADABLE" }));
  });

  it("fails with MASTER_KEY_UNAVAILABLE naming the key when the key is unknown", () => {
    const env = seal("secret", keyringOf(k1));
    expect(() => open(env, keyringOf(k2))).toThrowError(
      expect.objectContaining({ code: "MASTER_KEY_UNAVAILABLE", message: expect.stringContaining(keyIdFor(k1)) }),
    );
  });

  it("opens old envelopes with a previous key after a key change (rotation), sealing new ones with the new key", () => {
    const old = seal("before rotation", keyringOf(k1));
    const rotated = keyringOf(k2, [k1]);
    expect(open(old, rotated)).toBe("before rotation");
    const fresh = seal("after rotation", rotated);
    expect(keyIdOf(fresh)).toBe(keyIdFor(k2));
    expect(() => open(fresh, keyringOf(k1))).toThrowError(expect.objectContaining({ code: "MASTER_KEY_UNAVAILABLE" }));
  });
});

describe("decodeMasterKey", () => {
  it("accepts base64 of exactly 32 bytes", () => {
    expect(decodeMasterKey(k1.toString("base64"), "X").key.equals(k1)).toBe(true);
  });
  it.each([
    ["16 bytes", randomBytes(16).toString("base64")],
    ["33 bytes", randomBytes(33).toString("base64")],
    ["not base64", "this is not base64!"],
  ])("refuses %s with a message naming the variable", (_name, value) => {
    expect(() => decodeMasterKey(value, "WHARF_MASTER_KEY")).toThrowError(/WHARF_MASTER_KEY/);
  });
});
