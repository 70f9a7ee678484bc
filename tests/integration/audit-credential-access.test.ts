import { beforeAll, describe, expect, it } from "vitest";
import * as auditExportRoute from "@/app/api/audit/export/route";
import * as accessRoute from "@/app/api/credential-access/route";
import * as accessExportRoute from "@/app/api/credential-access/export/route";
import * as usageRoute from "@/app/api/credential-access/usage/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import * as targetRoute from "@/app/api/targets/[id]/route";
import * as targetsRoute from "@/app/api/targets/route";
import * as tokensRoute from "@/app/api/tokens/route";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { CredentialAccessPageView, CredentialAccessView, CredentialUsageView } from "@/lib/audit/views";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, fromPeer, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let viewer: Caller;
let deployer: Caller;
let target: { id: string; name: string };
let credentialId: string;
let fingerprint: string;
const TOKEN = `sa-token-${"f00d".repeat(12)}-SECRET`;
const TOKEN2 = `sa-token-${"beef".repeat(12)}-SECRET2`;

async function list(query: string, as: Caller = viewer): Promise<CredentialAccessPageView> {
  const res = await callRoute(accessRoute.GET, { path: `/api/credential-access?${query}`, as });
  expect(res.status, res.text).toBe(200);
  return res.body as CredentialAccessPageView;
}

async function csvLines(route: typeof accessExportRoute.GET, path: string, as: Caller = viewer) {
  const res = await callRoute(route, { path, as });
  expect(res.status, res.text).toBe(200);
  return { res, lines: res.text.split("\r\n").filter((l) => l !== "") };
}

beforeAll(async () => {
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
  deployer = await createCaller("deployer");
  const created = await callRoute(targetsRoute.POST, {
    method: "POST",
    path: "/api/targets",
    as: admin,
    body: { name: "access-push", environment: "staging", mode: "push", serverUrl: "https://127.0.0.1:6443" },
  });
  expect(created.status, created.text).toBe(201);
  target = { id: created.body.id as string, name: "access-push" };
  const stored = await callRoute(targetCredentialsRoute.POST, {
    method: "POST",
    path: `/api/targets/${target.id}/credentials`,
    params: { id: target.id },
    as: admin,
    headers: { ...fromPeer("10.1.2.3"), "user-agent": "audit-test/1.0", "x-request-id": "req-store-1" },
    body: { kind: "bearer-token", token: TOKEN },
  });
  expect(stored.status, stored.text).toBe(201);
  credentialId = stored.body.credential.id as string;
  fingerprint = stored.body.credential.fingerprint as string;
  // Two uses by the executor for a deployment and one preview by a person.
  const request = { ip: null, userAgent: null, requestId: null };
  await withDecryptedCredential(
    credentialId,
    {
      actor: { kind: "system", id: null, name: "wharf executor" },
      purpose: { kind: "deployment", id: "dep-1" },
      request,
    },
    () => undefined,
  );
  await withDecryptedCredential(
    credentialId,
    {
      actor: { kind: "system", id: null, name: "wharf executor" },
      purpose: { kind: "deployment", id: "dep-2" },
      request,
    },
    () => undefined,
  );
  await withDecryptedCredential(
    credentialId,
    {
      actor: { kind: "user", id: admin.userId, name: admin.email },
      purpose: { kind: "preview", id: "dep-3" },
      request,
    },
    () => undefined,
  );
  // A deployer may not replace it (no policy: admin only) — a credential.denied row.
  const denied = await callRoute(targetCredentialsRoute.POST, {
    method: "POST",
    path: `/api/targets/${target.id}/credentials`,
    params: { id: target.id },
    as: deployer,
    body: { kind: "bearer-token", token: TOKEN2 },
  });
  expect(denied.status).toBe(403);
  // An agent used outside its scope (written by the pull agent's routes).
  await recordStandaloneAuditEvent({
    actor: { kind: "agent", id: "agent-x", name: "agent:edge" },
    action: "agent.denied",
    subjectType: "agent",
    subjectId: "agent-x",
    targetId: target.id,
    outcome: "denied",
    details: { route: "POST /api/agent/events", refusedCount: 1 },
  });
  // Unrelated rows that the view must leave out.
  await recordStandaloneAuditEvent({
    actor: { kind: "user", id: admin.userId, name: admin.email },
    action: "user.updated",
    subjectType: "user",
    subjectId: admin.userId,
  });
});

describe("denied API tokens", () => {
  it("records unknown, revoked and expired tokens as auth.denied with the display prefix only, and answers 401", async () => {
    const unknown = `wharf_${"x".repeat(43)}`;
    const res = await callRoute(accessRoute.GET, {
      path: "/api/credential-access",
      headers: {
        authorization: `Bearer ${unknown}`,
        ...fromPeer("192.0.2.10"),
        "user-agent": "curl/8",
        "x-request-id": "req-denied-1",
      },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
    const row = await db().auditEvent.findFirstOrThrow({ where: { action: "auth.denied", ip: "192.0.2.10" } });
    expect(row).toMatchObject({
      actorKind: "api-token",
      actorId: null,
      actorName: unknown.slice(0, 12),
      outcome: "denied",
      userAgent: "curl/8",
      requestId: "req-denied-1",
      subjectType: "api-token",
    });
    expect(JSON.parse(row.details)).toEqual({ reason: "unknown", route: "GET /api/credential-access" });
    expect(JSON.stringify(await db().auditEvent.findMany())).not.toContain(unknown.slice(0, 13));

    // A real token, revoked; another, expired.
    const mk = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      as: admin,
      body: { name: "soon-revoked", role: "viewer" },
    });
    expect(mk.status).toBe(201);
    const secret = mk.body.secret as string;
    await db().apiToken.update({ where: { id: mk.body.token.id as string }, data: { revokedAt: new Date() } });
    expect(
      (
        await callRoute(accessRoute.GET, {
          path: "/api/credential-access",
          headers: { authorization: `Bearer ${secret}`, ...fromPeer("192.0.2.11") },
        })
      ).status,
    ).toBe(401);
    const revoked = await db().auditEvent.findFirstOrThrow({ where: { action: "auth.denied", ip: "192.0.2.11" } });
    expect(revoked).toMatchObject({
      actorId: mk.body.token.id,
      actorName: secret.slice(0, 12),
      subjectId: mk.body.token.id,
    });
    expect(JSON.parse(revoked.details).reason).toBe("revoked");

    const mk2 = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      as: admin,
      body: { name: "soon-expired", role: "viewer" },
    });
    await db().apiToken.update({
      where: { id: mk2.body.token.id as string },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(
      (
        await callRoute(accessRoute.GET, {
          path: "/api/credential-access",
          headers: { authorization: `Bearer ${mk2.body.secret as string}`, ...fromPeer("192.0.2.12") },
        })
      ).status,
    ).toBe(401);
    expect(
      JSON.parse(
        (await db().auditEvent.findFirstOrThrow({ where: { action: "auth.denied", ip: "192.0.2.12" } })).details,
      ).reason,
    ).toBe("expired");

    // Not a Wharf token: recorded without any of its characters.
    expect(
      (
        await callRoute(accessRoute.GET, {
          path: "/api/credential-access",
          headers: { authorization: "Bearer ghp_SomeoneElsesSecret123", ...fromPeer("192.0.2.13") },
        })
      ).status,
    ).toBe(401);
    const foreign = await db().auditEvent.findFirstOrThrow({ where: { action: "auth.denied", ip: "192.0.2.13" } });
    expect(foreign.actorName).toBe("bearer (not a Wharf token)");
    expect(JSON.stringify(foreign)).not.toContain("ghp_");
  });

  it("writes at most one row per prefix and IP per minute, ten per IP, so a flood cannot fill the table", async () => {
    const count = (ip: string) => db().auditEvent.count({ where: { action: "auth.denied", ip } });
    const same = `wharf_${"y".repeat(43)}`;
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await callRoute(accessRoute.GET, {
            path: "/api/credential-access",
            headers: { authorization: `Bearer ${same}`, ...fromPeer("198.51.100.1") },
          })
        ).status,
      ).toBe(401);
    }
    expect(await count("198.51.100.1")).toBe(1);
    // The same token from another address is another row.
    await callRoute(accessRoute.GET, {
      path: "/api/credential-access",
      headers: { authorization: `Bearer ${same}`, ...fromPeer("198.51.100.2") },
    });
    expect(await count("198.51.100.2")).toBe(1);
    // Random tokens from one address: capped per IP.
    for (let i = 0; i < 25; i++) {
      const random = `wharf_${i.toString(36).padStart(6, "0")}${"z".repeat(37)}`;
      expect(
        (
          await callRoute(accessRoute.GET, {
            path: "/api/credential-access",
            headers: { authorization: `Bearer ${random}`, ...fromPeer("198.51.100.3") },
          })
        ).status,
      ).toBe(401);
    }
    expect(await count("198.51.100.3")).toBe(10);
  });
});

describe("the credential access view", () => {
  it("lists credential events for viewers, newest first, with fingerprint, target, purpose and request origin; leaves other events out", async () => {
    const page = await list(`credentialId=${credentialId}`);
    expect(page.items.map((i) => i.action)).toEqual([
      "credential.denied",
      "credential.decrypted",
      "credential.decrypted",
      "credential.decrypted",
      "credential.stored",
    ]);
    for (const item of page.items) {
      expect(item.credential).toEqual({
        id: credentialId,
        fingerprint,
        label: `${target.name} bearer-token`,
        kind: "bearer-token",
      });
      expect(item.target).toEqual({ id: target.id, name: target.name, environment: "staging" });
    }
    const stored = page.items[4]!;
    expect(stored).toMatchObject({
      actor: { kind: "api-token", name: expect.stringContaining(admin.email) },
      outcome: "success",
      ip: "10.1.2.3",
      userAgent: "audit-test/1.0",
      requestId: "req-store-1",
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(page.items[1]).toMatchObject({
      actor: { kind: "user", name: admin.email },
      purpose: { kind: "preview", id: "dep-3" },
    });
    expect(page.items[3]).toMatchObject({
      actor: { kind: "system", name: "wharf executor" },
      purpose: { kind: "deployment", id: "dep-1" },
    });
    expect(page.items[0]).toMatchObject({
      outcome: "denied",
      reason: "attempted replace",
      actor: { kind: "api-token" },
    });
    expect(JSON.stringify(page)).not.toContain(TOKEN);

    const all = await list("limit=200");
    const actions = new Set(all.items.map((i) => i.action));
    expect(actions.has("auth.denied")).toBe(true);
    expect(actions.has("agent.denied")).toBe(true);
    expect(actions.has("user.updated")).toBe(false);
    expect(actions.has("target.created")).toBe(false);
  });

  it("filters by target, actor, action, outcome and time, and pages on the sequence number", async () => {
    expect((await list(`targetId=${target.id}&action=agent.denied`)).items.map((i) => i.actor.name)).toEqual([
      "agent:edge",
    ]);
    expect((await list(`credentialId=${credentialId}&actor=executor`)).items.map((i) => i.purpose?.id)).toEqual([
      "dep-2",
      "dep-1",
    ]);
    expect((await list(`credentialId=${credentialId}&outcome=denied`)).items).toHaveLength(1);
    expect(
      (await list(`credentialId=${credentialId}&from=${new Date(Date.now() + 60_000).toISOString()}`)).items,
    ).toHaveLength(0);
    expect(
      (await list(`credentialId=${credentialId}&to=${new Date(Date.now() + 60_000).toISOString()}&from=`)).items,
    ).toHaveLength(5);

    const seen: CredentialAccessView[] = [];
    let cursor: number | null = null;
    do {
      const page: CredentialAccessPageView = await list(
        `credentialId=${credentialId}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((i) => i.seq)).toEqual((await list(`credentialId=${credentialId}`)).items.map((i) => i.seq));

    // Unfiltered, every action is read on its own index and merged: pages must still be exact, newest first.
    const all = (await list("limit=200")).items.map((i) => i.seq);
    expect(new Set(all.map((seq) => seq)).size).toBe(all.length);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    expect(new Set((await list("limit=200")).items.map((i) => i.action)).size).toBeGreaterThan(2);
    const merged: number[] = [];
    let next: number | null = null;
    do {
      const page: CredentialAccessPageView = await list(`limit=3${next ? `&cursor=${next}` : ""}`);
      merged.push(...page.items.map((i) => i.seq));
      next = page.nextCursor;
    } while (next);
    expect(merged).toEqual(all);

    // Actions outside the view are a validation error, not a silent widening.
    const bad = await callRoute(accessRoute.GET, { path: "/api/credential-access?action=user.updated", as: viewer });
    expect(bad.status).toBe(422);
  });

  it("answers who used the credential in the last 30 days: actors, counts, last use, purposes", async () => {
    const res = await callRoute(usageRoute.GET, {
      path: `/api/credential-access/usage?credentialId=${credentialId}`,
      as: viewer,
    });
    expect(res.status, res.text).toBe(200);
    const usage = res.body as CredentialUsageView;
    expect(usage).toMatchObject({ credentialId, days: 30, total: 3, refused: 0 });
    expect(usage.actors.map((a) => [a.actor.name, a.count])).toEqual([
      [admin.email, 1],
      ["wharf executor", 2],
    ]);
    expect(usage.actors[1]!.purposes).toEqual([{ kind: "deployment", count: 2 }]);
    expect(usage.actors[1]!.recent).toEqual([
      { kind: "deployment", id: "dep-2" },
      { kind: "deployment", id: "dep-1" },
    ]);
    const none = await callRoute(usageRoute.GET, {
      path: "/api/credential-access/usage?credentialId=nope",
      as: viewer,
    });
    expect(none.body).toMatchObject({ total: 0, actors: [] });
  });
});

describe("exports", () => {
  it("streams the filtered credential access rows as CSV with a header, escaped cells and an attachment name", async () => {
    const { res, lines } = await csvLines(
      accessExportRoute.GET,
      `/api/credential-access/export?format=csv&credentialId=${credentialId}`,
    );
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename=wharf-credential-access-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    expect(lines[0]).toBe(
      "time,seq,id,actor_kind,actor_id,actor_name,action,credential_id,credential_label,credential_kind,fingerprint,target_id,target_name,target_environment,purpose,purpose_id,application,deployment_reason,deployment_requester,revision,outcome,reason,ip,user_agent,request_id,prev_hash,hash",
    );
    // Oldest first, one line per row.
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain("credential.stored");
    expect(lines.slice(1).every((l) => l.includes(fingerprint) && l.includes(credentialId))).toBe(true);
    expect(res.text).not.toContain(TOKEN);
  });

  it("streams JSON Lines, one object per row, and the general audit log for approvers only", async () => {
    const res = await callRoute(accessExportRoute.GET, {
      path: `/api/credential-access/export?format=jsonl&credentialId=${credentialId}&action=credential.decrypted`,
      as: viewer,
    });
    expect(res.headers.get("content-disposition")).toMatch(/filename=wharf-credential-access-.*\.jsonl$/);
    const rows = res.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as CredentialAccessView);
    expect(rows.map((r) => r.purpose?.id)).toEqual(["dep-1", "dep-2", "dep-3"]);

    expect((await callRoute(auditExportRoute.GET, { path: "/api/audit/export", as: viewer })).status).toBe(403);
    const approver = await createCaller("approver");
    const total = await db().auditEvent.count({ where: { action: "credential.decrypted" } });
    const { lines } = await csvLines(auditExportRoute.GET, "/api/audit/export?action=credential.decrypted", approver);
    expect(lines[0]!.startsWith("time,seq,id,actor_kind")).toBe(true);
    expect(lines).toHaveLength(total + 1);
    const jsonl = await callRoute(auditExportRoute.GET, {
      path: "/api/audit/export?format=jsonl&action=user.updated",
      as: approver,
    });
    expect(jsonl.headers.get("content-disposition")).toMatch(/filename=wharf-audit-.*\.jsonl$/);
    expect(
      jsonl.text
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { action: string }).action),
    ).toEqual(["user.updated"]);
    expect((await callRoute(auditExportRoute.GET, { path: "/api/audit/export?format=xml", as: approver })).status).toBe(
      422,
    );
  });
});

describe("deleting a target", () => {
  it("records credential.deleted with the fingerprint for each credential the cascade removes", async () => {
    const del = await callRoute(targetRoute.DELETE, {
      method: "DELETE",
      path: `/api/targets/${target.id}`,
      params: { id: target.id },
      as: admin,
    });
    expect(del.status, del.text).toBeLessThan(300);
    const page = await list(`credentialId=${credentialId}&action=credential.deleted`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      credential: { id: credentialId, fingerprint },
      target: { id: target.id, name: target.name },
      reason: "target deleted",
    });
  });
});
