import { beforeAll, describe, expect, it } from "vitest";
import * as auditRoute from "@/app/api/audit/route";
import * as tokenRoute from "@/app/api/tokens/[id]/route";
import * as tokensRoute from "@/app/api/tokens/route";
import * as userRoute from "@/app/api/users/[id]/route";
import * as usersRoute from "@/app/api/users/route";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, fromPeer, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let admin: Caller;
let approver: Caller;

const CLIENT = { ...fromPeer("203.0.113.7"), "user-agent": "audit-test/1.0", "x-request-id": "req-audit-42" };

async function page(query: string, as: Caller = approver) {
  const res = await callRoute(auditRoute.GET, { path: `/api/audit?${query}`, as });
  expect(res.status).toBe(200);
  return res.body as { items: Array<Record<string, any>>; nextCursor: number | null };
}

/** Follows nextCursor to the end and returns every row of a filter. */
async function all(query: string, limit: number) {
  const items: Array<Record<string, any>> = [];
  const sizes: number[] = [];
  let cursor: number | null = null;
  for (let i = 0; i < 100; i++) {
    const p = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    items.push(...p.items);
    sizes.push(p.items.length);
    cursor = p.nextCursor;
    if (!cursor) break;
  }
  return { items, sizes };
}

beforeAll(async () => {
  admin = await createCaller("admin");
  approver = await createCaller("approver");
});

describe("audit rows of users and tokens", () => {
  it("records who, what, outcome, address, user agent and request id for each change", async () => {
    const created = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      as: admin,
      headers: CLIENT,
      body: {
        email: "audited@example.com",
        name: "Audited",
        role: "deployer",
        password: "correct horse battery staple",
      },
    });
    const userId = created.body.user.id as string;
    await callRoute(userRoute.PATCH, {
      method: "PATCH",
      params: { id: userId },
      as: admin,
      headers: CLIENT,
      body: { disabled: true },
    });
    const token = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      as: admin,
      headers: CLIENT,
      body: { name: "audited", role: "viewer" },
    });
    await callRoute(tokenRoute.DELETE, {
      method: "DELETE",
      params: { id: token.body.token.id },
      as: admin,
      headers: CLIENT,
    });

    const rows = await dbFor(t.url).auditEvent.findMany({
      where: { requestId: "req-audit-42" },
      orderBy: { seq: "asc" },
    });
    expect(rows.map((r) => [r.action, r.subjectId])).toEqual([
      ["user.created", userId],
      ["user.updated", userId],
      ["api-token.created", token.body.token.id],
      ["api-token.revoked", token.body.token.id],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({
        actorKind: "api-token",
        outcome: "success",
        ip: "203.0.113.7",
        userAgent: "audit-test/1.0",
      });
      expect(r.actorName).toContain(admin.email);
    }
  });

  it("records a refused request as a denied auth.denied row", async () => {
    const viewer = await createCaller("viewer");
    expect((await callRoute(usersRoute.GET, { path: "/api/users", as: viewer })).status).toBe(403);
    const p = await page(`action=auth.denied&outcome=denied&actor=${encodeURIComponent(viewer.email)}`);
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({
      subjectId: "GET /api/users",
      details: { permission: "users.manage", role: "viewer" },
    });
  });
});

describe("GET /api/audit", () => {
  it("returns details parsed to an object and the row's hash link", async () => {
    await recordStandaloneAuditEvent({
      actor: { kind: "system", id: null, name: "wharf" },
      action: "policy.created",
      subjectType: "policy",
      subjectId: "pol-1",
      details: { maxAgeDays: 30 },
    });
    const p = await page("subject=pol-1");
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({ action: "policy.created", actorKind: "system", details: { maxAgeDays: 30 } });
    expect(p.items[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof p.items[0]!.at).toBe("string");
  });

  it("filters by action, actor, outcome, subject and time, and ignores empty fields", async () => {
    const bot = { kind: "agent" as const, id: "agent-7", name: "filter-bot" };
    await recordStandaloneAuditEvent({
      actor: bot,
      action: "credential.decrypted",
      subjectType: "credential",
      subjectId: "cred-a",
      credentialId: "cred-a",
      targetId: "tgt-a",
    });
    await recordStandaloneAuditEvent({
      actor: bot,
      action: "credential.denied",
      subjectType: "credential",
      subjectId: "cred-b",
      credentialId: "cred-b",
      outcome: "denied",
    });
    await new Promise((r) => setTimeout(r, 20));
    const mark = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await recordStandaloneAuditEvent({
      actor: bot,
      action: "credential.decrypted",
      subjectType: "credential",
      subjectId: "cred-b",
      credentialId: "cred-b",
      outcome: "failure",
    });

    const byActor = await page("actor=filter-bot");
    expect(byActor.items).toHaveLength(3);
    expect((await page("actor=agent-7")).items).toHaveLength(3);
    expect((await page("actor=filter-bot&action=credential.decrypted")).items.map((i) => i.subjectId)).toEqual([
      "cred-b",
      "cred-a",
    ]);
    expect((await page("actor=filter-bot&outcome=denied")).items.map((i) => i.action)).toEqual(["credential.denied"]);
    expect((await page("subject=tgt-a")).items.map((i) => i.subjectId)).toEqual(["cred-a"]);
    expect((await page("subject=cred-b")).items).toHaveLength(2);
    expect((await page(`actor=filter-bot&from=${mark.toISOString()}`)).items.map((i) => i.outcome)).toEqual([
      "failure",
    ]);
    expect((await page(`actor=filter-bot&to=${mark.toISOString()}`)).items).toHaveLength(2);
    expect((await page("actor=filter-bot&action=&outcome=&subject=&from=&to=")).items).toHaveLength(3);
  });

  it("answers 422 for an unknown action or outcome", async () => {
    expect((await callRoute(auditRoute.GET, { path: "/api/audit?action=user.deleted", as: approver })).status).toBe(
      422,
    );
    expect((await callRoute(auditRoute.GET, { path: "/api/audit?outcome=maybe", as: approver })).status).toBe(422);
  });

  it("pages newest first with no gaps or repeats, with and without a filter", async () => {
    const bot = { kind: "system" as const, id: null, name: "pager-bot" };
    for (let i = 0; i < 7; i++)
      await recordStandaloneAuditEvent({
        actor: bot,
        action: "target.updated",
        subjectType: "target",
        subjectId: `pg-${i}`,
      });
    // Rows by others in between must not leak into a filtered page or shift its cursor.
    await recordStandaloneAuditEvent({
      actor: { kind: "system", id: null, name: "someone-else" },
      action: "target.updated",
      subjectType: "target",
      subjectId: "x",
    });

    const filtered = await all("actor=pager-bot", 3);
    expect(filtered.sizes).toEqual([3, 3, 1]);
    expect(filtered.items.map((i) => i.subjectId)).toEqual(["pg-6", "pg-5", "pg-4", "pg-3", "pg-2", "pg-1", "pg-0"]);

    const everything = await all("", 4);
    const seqs = everything.items.map((i) => i.seq as number);
    const inDb = await dbFor(t.url).auditEvent.findMany({ orderBy: { seq: "desc" }, select: { seq: true } });
    expect(seqs).toEqual(inDb.map((r) => r.seq));
  });

  it("is for approvers and admins only", async () => {
    for (const role of ["viewer", "deployer"] as const) {
      expect((await callRoute(auditRoute.GET, { path: "/api/audit", as: await createCaller(role) })).status).toBe(403);
    }
    expect((await callRoute(auditRoute.GET, { path: "/api/audit", as: admin })).status).toBe(200);
    expect((await callRoute(auditRoute.GET, { path: "/api/audit" })).status).toBe(401);
  });
});
