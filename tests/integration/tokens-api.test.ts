import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/auth/me/route";
import * as tokenRoute from "@/app/api/tokens/[id]/route";
import * as tokensRoute from "@/app/api/tokens/route";
import * as userRoute from "@/app/api/users/[id]/route";
import { sha256Hex } from "@/lib/auth/secrets";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const DAY_MS = 86_400_000;

function createToken(as: Caller, body: Record<string, unknown> = {}) {
  return callRoute(tokensRoute.POST, {
    method: "POST",
    path: "/api/tokens",
    as,
    body: { name: "ci", role: as.role, ...body },
  });
}

/** Calls /api/auth/me with a plaintext token the way automation would. */
function me(token: string) {
  return callRoute(meRoute.GET, { path: "/api/auth/me", headers: { authorization: `Bearer ${token}` } });
}

describe("API tokens", () => {
  it("issues a token that authenticates as Bearer, stored only as its hash, shown only once", async () => {
    const deployer = await createCaller("deployer");
    const res = await createToken(deployer, { name: "deploy bot" });
    expect(res.status).toBe(201);
    const secret = res.body.secret as string;
    expect(secret).toMatch(/^wharf_[A-Za-z0-9_-]{40,}$/);
    expect(res.body.token).toMatchObject({
      name: "deploy bot",
      role: "deployer",
      status: "active",
      prefix: secret.slice(0, 12),
      owner: { id: deployer.userId },
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const expiresAt = new Date(res.body.token.expiresAt as string).getTime();
    expect(Math.abs(expiresAt - (Date.now() + 90 * DAY_MS))).toBeLessThan(60_000);

    const who = await me(secret);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ via: "api-token", user: { id: deployer.userId, role: "deployer" } });

    const list = await callRoute(tokensRoute.GET, { path: "/api/tokens", as: deployer });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(res.body.token.id);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain(sha256Hex(secret));
    expect(list.text).not.toContain("tokenHash");

    const row = await dbFor(t.url).apiToken.findUniqueOrThrow({ where: { id: res.body.token.id } });
    expect(row.tokenHash).toBe(sha256Hex(secret));
    const tokenRows = await dbFor(t.url).apiToken.findMany();
    const auditRows = await dbFor(t.url).auditEvent.findMany();
    expect(JSON.stringify(tokenRows)).not.toContain(secret);
    expect(JSON.stringify(auditRows)).not.toContain(secret);
    expect(auditRows.filter((a) => a.action === "api-token.created" && a.subjectId === row.id)).toHaveLength(1);

    const revoked = await callRoute(tokenRoute.DELETE, { method: "DELETE", params: { id: row.id }, as: deployer });
    expect(revoked.status).toBe(200);
    expect(revoked.text).not.toContain(secret);
  });

  it("refuses a role above the creator's (403) and creates nothing", async () => {
    const deployer = await createCaller("deployer");
    const before = await dbFor(t.url).apiToken.count();
    const res = await createToken(deployer, { role: "admin" });
    expect(res.status).toBe(403);
    expect(res.body.error.fields.role).toBeDefined();
    expect(await dbFor(t.url).apiToken.count()).toBe(before);
    expect(
      await dbFor(t.url).auditEvent.count({ where: { action: "api-token.created", actorId: deployer.userId } }),
    ).toBe(0);
  });

  it("issues lower-role tokens that act with the lower role", async () => {
    const admin = await createCaller("admin");
    const res = await createToken(admin, { role: "viewer" });
    expect(res.status).toBe(201);
    expect((await me(res.body.secret)).body.user.role).toBe("viewer");
    expect(
      (
        await callRoute(tokensRoute.POST, {
          method: "POST",
          path: "/api/tokens",
          headers: { authorization: `Bearer ${res.body.secret}` },
          body: { name: "x", role: "viewer" },
        })
      ).status,
    ).toBe(403);
  });

  it("lets only admins create tokens that never expire", async () => {
    const approver = await createCaller("approver");
    const refused = await createToken(approver, { expiresInDays: null });
    expect(refused.status).toBe(403);
    const admin = await createCaller("admin");
    const res = await createToken(admin, { expiresInDays: null });
    expect(res.status).toBe(201);
    expect(res.body.token.expiresAt).toBeNull();
  });

  it("does not let a token mint a token that outlives it", async () => {
    const deployer = await createCaller("deployer");
    const short = await createToken(deployer, { expiresInDays: 7 });
    const viaShort = { ...deployer, token: short.body.secret as string };
    expect((await createToken(viaShort, { expiresInDays: 30 })).status).toBe(403);
    expect((await createToken(viaShort, { expiresInDays: 3 })).status).toBe(201);
  });

  it("rejects revoked and expired tokens with 401", async () => {
    const deployer = await createCaller("deployer");
    const a = await createToken(deployer, { name: "a" });
    const b = await createToken(deployer, { name: "b" });
    expect((await me(a.body.secret)).status).toBe(200);

    const revoke = await callRoute(tokenRoute.DELETE, {
      method: "DELETE",
      params: { id: a.body.token.id },
      as: deployer,
    });
    expect(revoke.status).toBe(200);
    expect(revoke.body.token).toMatchObject({ status: "revoked" });
    expect((await me(a.body.secret)).status).toBe(401);
    // Revoking again changes nothing and writes no second audit row.
    expect(
      (await callRoute(tokenRoute.DELETE, { method: "DELETE", params: { id: a.body.token.id }, as: deployer })).status,
    ).toBe(200);
    expect(
      await dbFor(t.url).auditEvent.count({ where: { action: "api-token.revoked", subjectId: a.body.token.id } }),
    ).toBe(1);

    await dbFor(t.url).apiToken.update({
      where: { id: b.body.token.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await me(b.body.secret)).status).toBe(401);
    const list = await callRoute(tokensRoute.GET, { path: "/api/tokens", as: deployer });
    const statuses = Object.fromEntries(
      list.body.items.map((i: { name: string; status: string }) => [i.name, i.status]),
    );
    expect(statuses).toMatchObject({ a: "revoked", b: "expired", test: "active" });
  });

  it("caps a token at its owner's current role after a demotion", async () => {
    const admin = await createCaller("admin");
    const approver = await createCaller("approver");
    const res = await createToken(approver);
    expect((await me(res.body.secret)).body.user.role).toBe("approver");
    expect(
      (
        await callRoute(userRoute.PATCH, {
          method: "PATCH",
          params: { id: approver.userId },
          as: admin,
          body: { role: "viewer" },
        })
      ).status,
    ).toBe(200);
    expect((await me(res.body.secret)).body.user.role).toBe("viewer");
  });

  it("scopes listing and revoking: own tokens for everyone, all tokens for admins; others' tokens are 404", async () => {
    const alice = await createCaller("deployer");
    const bob = await createCaller("deployer");
    const admin = await createCaller("admin");
    const bobs = await createToken(bob, { name: "bob's" });

    const aliceList = await callRoute(tokensRoute.GET, { path: "/api/tokens", as: alice });
    expect(aliceList.body.items.every((i: { owner: { id: string } }) => i.owner.id === alice.userId)).toBe(true);
    expect(
      (await callRoute(tokenRoute.DELETE, { method: "DELETE", params: { id: bobs.body.token.id }, as: alice })).status,
    ).toBe(404);
    expect((await me(bobs.body.secret)).status).toBe(200);

    const adminList = await callRoute(tokensRoute.GET, { path: "/api/tokens?limit=200", as: admin });
    expect(adminList.body.items.find((i: { id: string }) => i.id === bobs.body.token.id)).toMatchObject({
      owner: { id: bob.userId, email: bob.email },
    });
    expect(
      (await callRoute(tokenRoute.DELETE, { method: "DELETE", params: { id: bobs.body.token.id }, as: admin })).status,
    ).toBe(200);
    expect((await me(bobs.body.secret)).status).toBe(401);
    const audit = await dbFor(t.url).auditEvent.findFirstOrThrow({
      where: { action: "api-token.revoked", subjectId: bobs.body.token.id },
    });
    expect(audit.actorName).toContain(admin.email);
  });

  it("lists every token exactly once across cursor pages", async () => {
    const admin = await createCaller("admin");
    for (let i = 0; i < 4; i++) await createToken(admin, { name: `bulk-${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await callRoute(tokensRoute.GET, {
        path: `/api/tokens?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        as: admin,
      });
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = await dbFor(t.url).apiToken.findMany({
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });
    expect(seen).toEqual(all.map((x) => x.id));
  });

  it("lets viewers list but not create, and anonymous callers neither", async () => {
    const viewer = await createCaller("viewer");
    expect((await callRoute(tokensRoute.GET, { path: "/api/tokens", as: viewer })).status).toBe(200);
    expect((await createToken(viewer)).status).toBe(403);
    expect((await callRoute(tokensRoute.GET, { path: "/api/tokens" })).status).toBe(401);
    expect(
      (await callRoute(tokensRoute.POST, { method: "POST", path: "/api/tokens", body: { name: "x", role: "viewer" } }))
        .status,
    ).toBe(401);
    expect((await me("wharf_not-a-real-token")).status).toBe(401);
  });

  it("answers 422 for bad input", async () => {
    const deployer = await createCaller("deployer");
    const res = await createToken(deployer, { name: "", expiresInDays: 400 });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(["expiresInDays", "name"]);
  });
});
