import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/auth/me/route";
import * as signInRoute from "@/app/api/auth/sign-in/route";
import * as signOutRoute from "@/app/api/auth/sign-out/route";
import { SESSION_COOKIE } from "@/lib/auth/cookies";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller } from "../support/api";
import { installQueryLog } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const ORIGIN = "http://localhost:3000";
const PASSWORD = "correct horse battery staple";

async function signIn(email: string, password: string, ip = "10.0.0.1") {
  return callRoute(signInRoute.POST, {
    method: "POST",
    path: "/api/auth/sign-in",
    body: { email, password },
    origin: ORIGIN,
    peer: ip,
  });
}

function sessionCookieFrom(res: { headers: Headers }): string {
  const set = res.headers.get("set-cookie") ?? "";
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(set)?.[1];
  expect(value, "a session cookie").toBeTruthy();
  return `${SESSION_COOKIE}=${value}`;
}

describe("sign-in", () => {
  it("opens an httpOnly session that authenticates later requests, and sign-out ends it", async () => {
    const user = await createCaller("deployer", { password: PASSWORD });
    const res = await signIn(user.email, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/);
    const cookie = sessionCookieFrom(res);

    const me = await callRoute(meRoute.GET, { path: "/api/auth/me", cookie });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: user.email, role: "deployer" });

    // The session token is stored only as a hash.
    const token = cookie.split("=")[1]!;
    const sessions = await dbFor(t.url).session.findMany({ where: { userId: user.userId } });
    expect(sessions).toHaveLength(1);
    expect(JSON.stringify(sessions)).not.toContain(token);

    const out = await callRoute(signOutRoute.POST, {
      method: "POST",
      path: "/api/auth/sign-out",
      cookie,
      origin: ORIGIN,
    });
    expect(out.status).toBe(204);
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(401);
  });

  it("answers a wrong password and an unknown email the same way, and audits both", async () => {
    const user = await createCaller("viewer", { password: PASSWORD });
    const wrong = await signIn(user.email, "nope", "10.0.1.1");
    const unknown = await signIn("nobody@test.wharf", "nope", "10.0.1.2");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    const failures = await dbFor(t.url).auditEvent.count({ where: { action: "auth.sign-in-failed" } });
    expect(failures).toBeGreaterThanOrEqual(2);
  });

  it("answers the sixth wrong password within a minute with 429, even with the right password", async () => {
    const user = await createCaller("viewer", { password: PASSWORD });
    for (let i = 0; i < 5; i++) expect((await signIn(user.email, `wrong-${i}`, "10.0.2.1")).status).toBe(401);
    const sixth = await signIn(user.email, "wrong-6", "10.0.2.1");
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe("RATE_LIMITED");
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await signIn(user.email, PASSWORD, "10.0.2.2")).status).toBe(429);
  });

  it("evaluates exactly the allowed number of 40 concurrent wrong passwords; the rest get 429", async () => {
    const user = await createCaller("viewer", { password: PASSWORD });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(user.email, `wrong-${i}`, "10.0.6.1")),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    // Each evaluated password leaves one audit row: five, not more.
    expect(
      await dbFor(t.url).auditEvent.count({ where: { action: "auth.sign-in-failed", actorName: user.email } }),
    ).toBe(5);
  });

  it("gives a successful sign-in's attempt back", async () => {
    const user = await createCaller("viewer", { password: PASSWORD });
    for (let i = 0; i < 4; i++) expect((await signIn(user.email, `wrong-${i}`, "10.0.7.1")).status).toBe(401);
    expect((await signIn(user.email, PASSWORD, "10.0.7.1")).status).toBe(200);
    expect((await signIn(user.email, "wrong-5", "10.0.7.1")).status).toBe(401);
    expect((await signIn(user.email, "wrong-6", "10.0.7.1")).status).toBe(429);
  });

  it("refuses a disabled account and drops its sessions' authority", async () => {
    const user = await createCaller("approver", { password: PASSWORD });
    const cookie = sessionCookieFrom(await signIn(user.email, PASSWORD, "10.0.3.1"));
    await dbFor(t.url).user.update({ where: { id: user.userId }, data: { disabled: true } });
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(401);
    expect((await signIn(user.email, PASSWORD, "10.0.3.1")).status).toBe(403);
  });

  it("reads a session and its user in one statement, without the password hash, and refuses it once expired", async () => {
    const user = await createCaller("viewer", { password: PASSWORD });
    const cookie = sessionCookieFrom(await signIn(user.email, PASSWORD, "10.0.8.1"));
    // Every signed-in request starts with this lookup: a second statement for the user was a round trip on each.
    const log = installQueryLog(t.url);
    const me = await callRoute(meRoute.GET, { path: "/api/auth/me", cookie });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: user.email, role: "viewer" });
    const reads = log.queries.filter((q) => /^\s*SELECT/i.test(q.sql));
    expect(reads.map((q) => q.sql)).toHaveLength(1);
    expect(reads[0]!.sql).not.toMatch(/passwordHash/);
    await log.db.session.updateMany({
      where: { userId: user.userId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(401);
  });

  it("validates input with field errors", async () => {
    const res = await signIn("not-an-email", "", "10.0.4.1");
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toHaveProperty("email");
    expect(res.body.error.fields).toHaveProperty("password");
  });
});

describe("CSRF protection on cookie-authenticated writes", () => {
  it("refuses a missing or foreign Origin and accepts Wharf's own", async () => {
    const user = await createCaller("viewer", { password: PASSWORD });
    const cookie = sessionCookieFrom(await signIn(user.email, PASSWORD, "10.0.5.1"));
    const noOrigin = await callRoute(signOutRoute.POST, { method: "POST", path: "/api/auth/sign-out", cookie });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error.code).toBe("CSRF_ORIGIN_MISMATCH");
    const foreign = await callRoute(signOutRoute.POST, {
      method: "POST",
      path: "/api/auth/sign-out",
      cookie,
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    // The refused requests changed nothing: the session still works.
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(200);
    const own = await callRoute(signOutRoute.POST, {
      method: "POST",
      path: "/api/auth/sign-out",
      cookie,
      origin: ORIGIN,
    });
    expect(own.status).toBe(204);
  });

  it("does not apply to bearer tokens, which carry no ambient authority", async () => {
    const user = await createCaller("viewer");
    const me = await callRoute(meRoute.GET, { path: "/api/auth/me", as: user });
    expect(me.status).toBe(200);
    expect(me.body.via).toBe("api-token");
  });

  it("guards sign-in itself against login CSRF", async () => {
    const res = await callRoute(signInRoute.POST, {
      method: "POST",
      path: "/api/auth/sign-in",
      body: { email: "a@b.c", password: "x" },
      origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
  });
});
