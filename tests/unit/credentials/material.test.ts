import { describe, expect, it } from "vitest";
import { fingerprintOf, parseCredentialMaterial, readJwtClaims } from "@/lib/credentials/material";
import { makeCertificate, makeJwt } from "./fixtures";

describe("JWT claims", () => {
  it("reads exp, iat and sub without verifying", () => {
    const token = makeJwt({ exp: 1_900_000_000, iat: 1_800_000_000, sub: "system:serviceaccount:ns:deployer" });
    const parsed = parseCredentialMaterial({ kind: "service-account-token", token });
    expect(parsed.metadata.expiresAt?.toISOString()).toBe(new Date(1_900_000_000_000).toISOString());
    expect(parsed.metadata.issuedAt?.toISOString()).toBe(new Date(1_800_000_000_000).toISOString());
    expect(parsed.metadata.subject).toBe("system:serviceaccount:ns:deployer");
  });

  it("treats an opaque bearer token as having no expiry", () => {
    const parsed = parseCredentialMaterial({ kind: "bearer-token", token: "abcdef.0123456789abcdef" });
    expect(parsed.metadata).toMatchObject({ expiresAt: null, issuedAt: null, subject: null });
    expect(readJwtClaims("a.b")).toBeNull();
    expect(readJwtClaims("not-json.not-json.sig")).toBeNull();
  });

  it("ignores claims of the wrong type", () => {
    expect(readJwtClaims(makeJwt({ exp: "tomorrow", sub: 42 }))).toEqual({
      exp: null,
      iat: null,
      sub: null,
      iss: null,
    });
  });

  it("fingerprints the token as the first 12 hex of its SHA-256", () => {
    const parsed = parseCredentialMaterial({ kind: "bearer-token", token: "opaque-token-value" });
    expect(parsed.metadata.fingerprint).toBe(fingerprintOf("opaque-token-value"));
    expect(parsed.metadata.fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("token validation never echoes the value", () => {
  it.each([
    ["bearer-token", "has a space inside-SECRETVALUE"],
    ["bearer-token", "-----BEGIN CERTIFICATE-----SECRETVALUE"],
    ["service-account-token", "not-a-jwt-SECRETVALUE"],
  ] as const)("%s %j is refused", (kind, token) => {
    let caught: unknown;
    try {
      parseCredentialMaterial({ kind, token });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: "INVALID_CREDENTIAL_MATERIAL", fields: { token: expect.any(Array) } });
    expect(JSON.stringify(caught) + String((caught as Error).message)).not.toContain("SECRETVALUE");
  });
});

describe("client certificates", () => {
  const one = makeCertificate({ cn: "alice", days: 1 });
  const other = makeCertificate({ cn: "bob", days: 1 });

  it("reads notAfter, notBefore and the subject", () => {
    const parsed = parseCredentialMaterial({ kind: "client-certificate", ...one });
    const { expiresAt, issuedAt, subject } = parsed.metadata;
    expect(subject).toBe("CN=alice, O=devs");
    expect(issuedAt).not.toBeNull();
    expect(expiresAt).not.toBeNull();
    // openssl -days 1: notAfter is one day after notBefore (to the second).
    expect((expiresAt?.getTime() ?? 0) - (issuedAt?.getTime() ?? 0)).toBe(86_400_000);
    expect(Math.abs((issuedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(120_000);
  });

  it("refuses a key that belongs to another certificate", () => {
    expect(() =>
      parseCredentialMaterial({ kind: "client-certificate", certPem: one.certPem, keyPem: other.keyPem }),
    ).toThrowError(
      expect.objectContaining({
        code: "INVALID_CREDENTIAL_MATERIAL",
        fields: { keyPem: ["This private key does not belong to the certificate."] },
      }),
    );
  });

  it("refuses garbage in either field, naming the field", () => {
    expect(() =>
      parseCredentialMaterial({ kind: "client-certificate", certPem: "nope", keyPem: one.keyPem }),
    ).toThrowError(expect.objectContaining({ fields: { certPem: expect.any(Array) } }));
    const badBody = one.certPem.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!");
    expect(() =>
      parseCredentialMaterial({ kind: "client-certificate", certPem: badBody, keyPem: one.keyPem }),
    ).toThrowError(expect.objectContaining({ fields: { certPem: expect.any(Array) } }));
    expect(() =>
      parseCredentialMaterial({
        kind: "client-certificate",
        certPem: one.certPem,
        keyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
      }),
    ).toThrowError(expect.objectContaining({ fields: { keyPem: expect.any(Array) } }));
  });

  it("fingerprints different certificates differently", () => {
    const a = parseCredentialMaterial({ kind: "client-certificate", ...one }).metadata.fingerprint;
    const b = parseCredentialMaterial({ kind: "client-certificate", ...other }).metadata.fingerprint;
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});
