import { beforeAll, describe, expect, it, vi } from "vitest";
import * as credentialsListRoute from "@/app/api/credentials/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import * as cryptoModule from "@/lib/credentials/crypto";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import type { CredentialMaterial } from "@/lib/credentials/material";
import { SYSTEM_ACTOR, NO_REQUEST } from "@/lib/audit/schemas";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";
import { dumpWholeDatabase, makeCertificate, makeJwt, secretForms } from "../unit/credentials/fixtures";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let viewer: Caller;
let pushId: string;
let pullId: string;

const TOKEN_A = `tokA-${"a1b2c3d4".repeat(6)}-SECRET`;
const TOKEN_B = makeJwt({
  sub: "system:serviceaccount:ci:deployer",
  exp: Math.floor(Date.now() / 1000) + 86_400,
  iat: Math.floor(Date.now() / 1000),
  nonce: "TOKEN-B-UNIQUE-NONCE",
});
const CERT = makeCertificate({ cn: "vault-test", days: 1 });
const KEY_BODY = CERT.keyPem.split("\n").slice(1, -2).join("");

async function counts() {
  return {
    credentials: await db().credential.count(),
    audit: await db().auditEvent.count(),
    targets: await db().target.count(),
  };
}

function post(targetId: string, body: unknown, as: Caller = admin) {
  return callRoute(targetCredentialsRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/credentials`,
    params: { id: targetId },
    body,
    as,
  });
}

function get(targetId: string, as: Caller = viewer) {
  return callRoute(targetCredentialsRoute.GET, {
    path: `/api/targets/${targetId}/credentials`,
    params: { id: targetId },
    as,
  });
}

async function expectSecretsAbsentFromDb() {
  const { text, tables } = await dumpWholeDatabase(db(), t.kind);
  expect(tables).toEqual(expect.arrayContaining(["Credential", "AuditEvent", "Target"]));
  expect(text).toContain("vault-push"); // the dump does hold the data
  for (const secret of [TOKEN_A, TOKEN_B, KEY_BODY, "TOKEN-B-UNIQUE-NONCE"]) {
    for (const form of secretForms(secret)) expect(text).not.toContain(form);
  }
}

beforeAll(async () => {
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
  pushId = (
    await db().target.create({
      data: { name: "vault-push", environment: "staging", mode: "push", serverUrl: "https://127.0.0.1:6443" },
    })
  ).id;
  pullId = (
    await db().target.create({
      data: { name: "vault-pull", environment: "staging", mode: "pull", serverUrl: "https://127.0.0.1:6443" },
    })
  ).id;
});

describe("storing and replacing through the routes", () => {
  it("stores a token: 201, metadata only, audit row, ciphertext under the current key", async () => {
    const before = await counts();
    const res = await post(pushId, { kind: "bearer-token", token: TOKEN_A });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      replaced: false,
      credential: {
        targetId: pushId,
        kind: "bearer-token",
        state: "active",
        status: "ok",
        fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    });
    expect(res.text).not.toContain(TOKEN_A);
    expect(Object.keys(res.body.credential)).not.toContain("ciphertext");
    const after = await counts();
    expect(after.credentials).toBe(before.credentials + 1);
    const row = await db().credential.findUniqueOrThrow({ where: { id: res.body.credential.id } });
    expect(row.ciphertext).toMatch(/^v1\./);
    expect(row.keyId).toBe(cryptoModule.keyIdOf(row.ciphertext));
    const audit = await db().auditEvent.findFirst({ where: { action: "credential.stored", credentialId: row.id } });
    expect(audit).toMatchObject({
      actorKind: "api-token",
      actorId: expect.any(String),
      targetId: pushId,
      outcome: "success",
    });
    expect(audit?.details).not.toContain(TOKEN_A);
  });

  it("a viewer sees the credential's metadata but never the material, and cannot store", async () => {
    const res = await get(pushId);
    expect(res.status).toBe(200);
    expect(res.body.active).toMatchObject({ kind: "bearer-token", state: "active" });
    expect(res.text).not.toContain(TOKEN_A);
    expect(res.text).not.toContain("v1.");
    const denied = await post(pushId, { kind: "bearer-token", token: "viewer-attempt-token" }, viewer);
    expect(denied.status).toBe(403);
  });

  it("replaces: the new one is active, the old one is history with its metadata", async () => {
    const first = await get(pushId);
    const res = await post(pushId, { kind: "service-account-token", token: TOKEN_B });
    expect(res.status).toBe(201);
    expect(res.body.replaced).toBe(true);
    expect(res.text).not.toContain(TOKEN_B);
    const after = await get(pushId);
    expect(after.body.active).toMatchObject({
      id: res.body.credential.id,
      kind: "service-account-token",
      subject: "system:serviceaccount:ci:deployer",
      expiresAt: expect.any(String),
    });
    expect(after.body.history).toHaveLength(1);
    expect(after.body.history[0]).toMatchObject({
      id: first.body.active.id,
      state: "superseded",
      fingerprint: first.body.active.fingerprint,
      supersededById: res.body.credential.id,
      supersededAt: expect.any(String),
      status: null,
    });
    expect(await db().credential.count({ where: { targetId: pushId, state: "active" } })).toBe(1);
    const audit = await db().auditEvent.findFirst({
      where: { action: "credential.replaced", credentialId: res.body.credential.id },
    });
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ replacedCredentialId: first.body.active.id });
  });

  it("stores a client certificate with its expiry and subject", async () => {
    const res = await post(pushId, { kind: "client-certificate", ...CERT });
    expect(res.status).toBe(201);
    expect(res.body.credential).toMatchObject({
      kind: "client-certificate",
      subject: "CN=vault-test, O=devs",
      status: "due-soon",
    });
    expect(res.text).not.toContain(KEY_BODY);
  });

  it("the overall list shows every active credential with status, and never material", async () => {
    const res = await callRoute(credentialsListRoute.GET, { path: "/api/credentials?status=due-soon", as: viewer });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { targetId: string }) => c.targetId)).toEqual([pushId]);
    expect(res.body.counts).toEqual({ ok: 0, dueSoon: 1, rotationFailed: 0, overdue: 0, expired: 0 });
    expect(res.text).not.toContain(KEY_BODY);
    const bad = await callRoute(credentialsListRoute.GET, { path: "/api/credentials?status=fine", as: viewer });
    expect(bad.status).toBe(422);
  });

  it("after all of that, no secret is anywhere in the database", async () => {
    await expectSecretsAbsentFromDb();
  });
});

describe("a failed store changes nothing", () => {
  it.each([
    [
      "422 for material that is not a JWT",
      () => ({ kind: "service-account-token", token: "FAILED-STORE-SECRET" }),
      422,
      "INVALID_CREDENTIAL_MATERIAL",
    ],
    [
      "422 for a certificate with a foreign key",
      () => ({ kind: "client-certificate", certPem: CERT.certPem, keyPem: makeCertificate().keyPem }),
      422,
      "INVALID_CREDENTIAL_MATERIAL",
    ],
    [
      "422 for a missing field",
      () => ({ kind: "client-certificate", certPem: CERT.certPem }),
      422,
      "VALIDATION_FAILED",
    ],
  ])("%s", async (_name, body, status, code) => {
    const before = await counts();
    const res = await post(pushId, body());
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.text).not.toContain("FAILED-STORE-SECRET");
    expect(await counts()).toEqual(before);
  });

  it("409 TARGET_NOT_PUSH for a pull target, and nothing is written", async () => {
    const before = await counts();
    const res = await post(pullId, { kind: "bearer-token", token: "PULL-TARGET-SECRET" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("TARGET_NOT_PUSH");
    expect(await counts()).toEqual(before);
    const { text } = await dumpWholeDatabase(db(), t.kind);
    expect(text).not.toContain("PULL-TARGET-SECRET");
  });

  it("404 for an unknown target", async () => {
    const before = await counts();
    const res = await post("no-such-target", { kind: "bearer-token", token: "abc" });
    expect(res.status).toBe(404);
    expect(await counts()).toEqual(before);
  });
});

describe("minimum role to replace", () => {
  it("a role below the policy's minReplaceRole gets 403 and a credential.denied audit row, and nothing else changes", async () => {
    const target = await db().target.create({
      data: { name: "vault-strict", environment: "locked", mode: "push", serverUrl: "https://127.0.0.1:6443" },
    });
    await db().credentialPolicy.create({
      data: {
        name: "locked-policy",
        maxAgeDays: 30,
        warnBeforeDays: 7,
        minReplaceRole: "admin",
        environment: "locked",
      },
    });
    const actor = { kind: "user" as const, id: viewer.userId, name: viewer.email };
    const stored = await saveCredential({
      targetId: target.id,
      input: { kind: "bearer-token", token: "first-token" },
      actor,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
    });
    expect(stored.replaced).toBe(false);
    const before = await counts();
    await expect(
      saveCredential({
        targetId: target.id,
        input: { kind: "bearer-token", token: "second-token" },
        actor,
        actorRole: "approver",
        actorUserId: null,
        request: NO_REQUEST,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", status: 403 });
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
    const denial = await db().auditEvent.findFirst({
      where: { action: "credential.denied" },
      orderBy: { seq: "desc" },
    });
    expect(denial).toMatchObject({
      outcome: "denied",
      credentialId: stored.credential.id,
      targetId: target.id,
      actorId: viewer.userId,
    });
    expect(JSON.parse(denial?.details ?? "{}")).toMatchObject({
      minReplaceRole: "admin",
      role: "approver",
      policy: "locked-policy",
    });
    const active = await db().credential.findFirstOrThrow({ where: { targetId: target.id, state: "active" } });
    expect(active.id).toBe(stored.credential.id);
    // The same replacement by an admin goes through.
    const ok = await saveCredential({
      targetId: target.id,
      input: { kind: "bearer-token", token: "second-token" },
      actor,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
    });
    expect(ok.replaced).toBe(true);
  });
});

describe("withDecryptedCredential", () => {
  async function activeId() {
    return (await db().credential.findFirstOrThrow({ where: { targetId: pushId, state: "active" } })).id;
  }

  it("writes the credential.decrypted row and hands the plaintext to the callback only", async () => {
    const id = await activeId();
    const before = await db().auditEvent.count({ where: { action: "credential.decrypted", credentialId: id } });
    let seen: CredentialMaterial | null = null;
    const result = await withDecryptedCredential(
      id,
      { actor: SYSTEM_ACTOR, purpose: { kind: "deployment", id: "dep-123" }, request: NO_REQUEST },
      (material, info) => {
        seen = material;
        return { used: info.fingerprint };
      },
    );
    expect(seen).toEqual({ kind: "client-certificate", certPem: CERT.certPem.trim(), keyPem: CERT.keyPem.trim() });
    expect(JSON.stringify(result)).not.toContain(KEY_BODY);
    const rows = await db().auditEvent.findMany({
      where: { action: "credential.decrypted", credentialId: id },
      orderBy: { seq: "asc" },
    });
    expect(rows).toHaveLength(before + 1);
    expect(JSON.parse(rows.at(-1)?.details ?? "{}")).toMatchObject({ purpose: "deployment", purposeId: "dep-123" });
  });

  it("refuses a superseded credential (409) and records the denied attempt", async () => {
    const old = await db().credential.findFirstOrThrow({ where: { targetId: pushId, state: "superseded" } });
    const fn = vi.fn();
    await expect(
      withDecryptedCredential(
        old.id,
        { actor: SYSTEM_ACTOR, purpose: { kind: "preview", id: "p1" }, request: NO_REQUEST },
        fn,
      ),
    ).rejects.toMatchObject({ code: "CREDENTIAL_NOT_ACTIVE" });
    expect(fn).not.toHaveBeenCalled();
    expect(
      await db().auditEvent.findFirst({
        where: { action: "credential.decrypted", credentialId: old.id, outcome: "denied" },
      }),
    ).not.toBeNull();
  });

  it("when the audit row cannot be written, nothing is decrypted and the callback never runs", async () => {
    const id = await activeId();
    const openSpy = vi.spyOn(cryptoModule, "open");
    const before = await db().auditEvent.count();
    // Make the audit insert itself fail in the database: a real failure, not a mock of our code.
    if (t.kind === "sqlite") {
      await db().$executeRawUnsafe(
        `CREATE TRIGGER "test_audit_down" BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END`,
      );
    } else {
      await db().$executeRawUnsafe(
        `CREATE FUNCTION test_audit_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$ LANGUAGE plpgsql`,
      );
      await db().$executeRawUnsafe(
        `CREATE TRIGGER "test_audit_down" BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION test_audit_down()`,
      );
    }
    try {
      const fn = vi.fn();
      await expect(
        withDecryptedCredential(
          id,
          { actor: SYSTEM_ACTOR, purpose: { kind: "deployment", id: "dep-no-audit" }, request: NO_REQUEST },
          fn,
        ),
      ).rejects.toThrow();
      expect(fn).not.toHaveBeenCalled();
      expect(openSpy).not.toHaveBeenCalled();
    } finally {
      await db().$executeRawUnsafe(
        `DROP TRIGGER "test_audit_down"${t.kind === "postgresql" ? ` ON "AuditEvent"` : ""}`,
      );
      if (t.kind === "postgresql") await db().$executeRawUnsafe(`DROP FUNCTION test_audit_down()`);
      openSpy.mockRestore();
    }
    expect(await db().auditEvent.count()).toBe(before);
    // And with the audit store back, the same call decrypts (so the spy above could have seen a call).
    const fn = vi.fn(() => "ok");
    await expect(
      withDecryptedCredential(
        id,
        { actor: SYSTEM_ACTOR, purpose: { kind: "deployment", id: "dep-after" }, request: NO_REQUEST },
        fn,
      ),
    ).resolves.toBe("ok");
    expect(fn).toHaveBeenCalledOnce();
  });

  it("spying confirms decrypt runs only after the audit insert", async () => {
    const id = await activeId();
    const openSpy = vi.spyOn(cryptoModule, "open");
    try {
      await withDecryptedCredential(
        id,
        { actor: SYSTEM_ACTOR, purpose: { kind: "preview", id: "order" }, request: NO_REQUEST },
        () => undefined,
      );
      expect(openSpy).toHaveBeenCalledOnce();
    } finally {
      openSpy.mockRestore();
    }
  });
});
