import { describe, expect, it } from "vitest";
import { CREDENTIAL_ACCESS_ACTIONS, ZCredentialAccessPage } from "@/lib/audit/credential-access";
import { filterSearchParams, parseCredentialAccessFilter } from "@/lib/audit/query";
import { purposeHref, toCredentialAccessView, type AuditRowFields } from "@/lib/audit/views";
import { AUDIT_ACTIONS } from "@/lib/audit/schemas";

function row(patch: Partial<AuditRowFields>): AuditRowFields {
  return {
    seq: 7,
    id: "row-1",
    at: new Date("2026-11-26T10:00:00.000Z"),
    actorKind: "system",
    actorId: null,
    actorName: "wharf executor",
    action: "credential.decrypted",
    subjectType: "credential",
    subjectId: "cred-1",
    targetId: "tgt-1",
    credentialId: "cred-1",
    outcome: "success",
    ip: "10.0.0.1",
    userAgent: "ua",
    requestId: "req-1",
    details: JSON.stringify({ purpose: "deployment", purposeId: "dep-1", fingerprint: "abcdef012345", keyId: "k1" }),
    prevHash: "0".repeat(64),
    hash: "f".repeat(64),
    ...patch,
  };
}

describe("credential access actions", () => {
  it("are every credential.* action plus refused tokens/routes and agent scope denials, nothing else", () => {
    for (const a of AUDIT_ACTIONS) {
      expect(CREDENTIAL_ACCESS_ACTIONS.includes(a), a).toBe(
        a.startsWith("credential.") || a === "auth.denied" || a === "agent.denied",
      );
    }
    expect(CREDENTIAL_ACCESS_ACTIONS).toContain("credential.decrypted");
  });
});

describe("toCredentialAccessView", () => {
  it("reads the names a row stored when written, ahead of today's names, only where the hash covers them", () => {
    const names = JSON.stringify({
      target: { name: "payments-prod", environment: "production" },
      credential: { label: "payments-prod bearer-token", kind: "bearer-token", fingerprint: "abcdef012345" },
      application: { name: "checkout" },
      deployment: { reason: "hotfix", requester: "ana@example.com", revision: "0123456789abcdef" },
    });
    const stored = row({ names, targetName: "payments-prod", chainScheme: "hmac-sha256+names" });
    const v = toCredentialAccessView(stored, new Map([["tgt-1", "renamed-since"]]));
    expect(v.target).toEqual({ id: "tgt-1", name: "payments-prod", environment: "production" });
    expect(v.credential).toEqual({
      id: "cred-1",
      fingerprint: "abcdef012345",
      label: "payments-prod bearer-token",
      kind: "bearer-token",
    });
    expect(v.application).toBe("checkout");
    expect(v.deployment).toEqual({ reason: "hotfix", requester: "ana@example.com", revision: "0123456789abcdef" });
    // On a row of an older scheme the names are not covered by its hash: they are ignored, not trusted.
    const older = toCredentialAccessView({ ...stored, chainScheme: "hmac-sha256" }, new Map([["tgt-1", "today"]]));
    expect(older.target.name).toBe("today");
    expect(older.credential.label).toBeNull();
    expect(older.deployment).toBeNull();
  });

  it("reads fingerprint and purpose from details and the target name from the lookup", () => {
    const v = toCredentialAccessView(row({}), new Map([["tgt-1", "prod-eu"]]));
    expect(v).toMatchObject({
      at: "2026-11-26T10:00:00.000Z",
      actor: { kind: "system", id: null, name: "wharf executor" },
      credential: { id: "cred-1", fingerprint: "abcdef012345" },
      target: { id: "tgt-1", name: "prod-eu" },
      purpose: { kind: "deployment", id: "dep-1" },
      reason: null,
    });
  });

  it("falls back to the name the row recorded for a deleted target, and explains refusals", () => {
    const deleted = toCredentialAccessView(
      row({
        action: "credential.deleted",
        details: JSON.stringify({ fingerprint: "x", targetName: "gone", reason: "target deleted" }),
      }),
      new Map(),
    );
    expect(deleted.target).toEqual({ id: "tgt-1", name: "gone", environment: null });
    expect(deleted.reason).toBe("target deleted");
    expect(toCredentialAccessView(row({ details: JSON.stringify({ attempted: "replace" }) }), new Map()).reason).toBe(
      "attempted replace",
    );
    expect(
      toCredentialAccessView(row({ details: JSON.stringify({ error: "MASTER_KEY_UNAVAILABLE" }) }), new Map()).reason,
    ).toBe("MASTER_KEY_UNAVAILABLE");
    expect(toCredentialAccessView(row({ details: "not json" }), new Map()).credential.fingerprint).toBeNull();
    const rotated = toCredentialAccessView(
      row({
        action: "credential.rotated",
        details: JSON.stringify({ fromFingerprint: "old000000000", toFingerprint: "new000000000" }),
      }),
      new Map(),
    );
    expect(rotated.credential.fingerprint).toBe("new000000000");
  });
});

describe("filters", () => {
  it("drop invalid fields from a shared link one by one", () => {
    expect(
      parseCredentialAccessFilter({
        credentialId: "c1",
        action: "user.updated",
        outcome: "nope",
        from: "2026-01-01",
        actor: ["alice", "bob"],
      }),
    ).toEqual({
      credentialId: "c1",
      from: "2026-01-01T00:00:00.000Z",
      actor: "alice",
    });
  });

  it("refuse actions outside the view and cap page sizes", () => {
    expect(ZCredentialAccessPage.safeParse({ action: "user.updated" }).success).toBe(false);
    expect(ZCredentialAccessPage.safeParse({ action: "agent.denied" }).success).toBe(true);
    expect(ZCredentialAccessPage.safeParse({ limit: "500" }).success).toBe(false);
  });

  it("write only non-empty fields to the query string", () => {
    expect(filterSearchParams({ credentialId: "c1", actor: " " }, { cursor: 5, limit: undefined }).toString()).toBe(
      "credentialId=c1&cursor=5",
    );
  });

  it("link deployment and preview purposes to the deployment", () => {
    expect(purposeHref({ kind: "deployment", id: "d1" })).toBe("/deployments/d1");
    expect(purposeHref({ kind: "preview", id: "d1" })).toBe("/deployments/d1");
    expect(purposeHref({ kind: "rekey", id: "r1" })).toBeNull();
    expect(purposeHref(null)).toBeNull();
  });
});
