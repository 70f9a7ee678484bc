import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/auth/me/route";
import * as signInRoute from "@/app/api/auth/sign-in/route";
import * as userRoute from "@/app/api/users/[id]/route";
import * as usersRoute from "@/app/api/users/route";
import { SYSTEM_ACTOR, NO_REQUEST } from "@/lib/audit/schemas";
import { dbFor } from "@/lib/db/client";
import { updateUser } from "@/lib/users/data/update-user";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const ORIGIN = "http://localhost:3000";
const PASSWORD = "correct horse battery staple";
let n = 0;
const newEmail = () => `user-${Date.now().toString(36)}-${n++}@example.com`;

async function createUser(as: Caller, body: Record<string, unknown> = {}) {
  return callRoute(usersRoute.POST, {
    method: "POST",
    path: "/api/users",
    as,
    body: { email: newEmail(), name: "Dana", role: "deployer", password: PASSWORD, ...body },
  });
}

async function auditRowsFor(subjectId: string, action: string) {
  return dbFor(t.url).auditEvent.findMany({ where: { subjectId, action }, orderBy: { seq: "asc" } });
}

describe("users API", () => {
  it("creates a user with an argon2 hash, never returns the hash, and audits in the same transaction", async () => {
    const admin = await createCaller("admin");
    const email = newEmail();
    const res = await createUser(admin, { email: email.toUpperCase(), name: "  Dana Scully ", role: "approver" });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      email,
      name: "Dana Scully",
      role: "approver",
      disabled: false,
      lastSignInAt: null,
    });
    expect(res.text).not.toContain("passwordHash");
    expect(res.text).not.toContain(PASSWORD);

    const row = await dbFor(t.url).user.findUniqueOrThrow({ where: { id: res.body.user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    const audit = await auditRowsFor(row.id, "user.created");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorKind: "api-token", outcome: "success" });
    expect(JSON.parse(audit[0]!.details)).toEqual({ email, name: "Dana Scully", role: "approver" });
    expect(audit[0]!.details).not.toContain(PASSWORD);
  });

  it("answers 409 with a field error for a duplicate email and writes nothing", async () => {
    const admin = await createCaller("admin");
    const email = newEmail();
    expect((await createUser(admin, { email })).status).toBe(201);
    const before = await dbFor(t.url).auditEvent.count();
    const dup = await createUser(admin, { email: email.toUpperCase(), name: "Other" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.fields.email).toBeDefined();
    expect(await dbFor(t.url).user.count({ where: { email } })).toBe(1);
    expect(await dbFor(t.url).auditEvent.count()).toBe(before);
  });

  it("answers 422 with field errors for bad input", async () => {
    const admin = await createCaller("admin");
    const res = await createUser(admin, { email: "not-an-email", role: "owner", password: "short" });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(["email", "password", "role"]);
  });

  it("lists every user exactly once across cursor pages", async () => {
    const admin = await createCaller("admin");
    for (let i = 0; i < 5; i++) expect((await createUser(admin)).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await callRoute(usersRoute.GET, {
        path: `/api/users?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        as: admin,
      });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(res.text).not.toContain("passwordHash");
      seen.push(...res.body.items.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    const all = await dbFor(t.url).user.findMany({
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    expect(seen).toEqual(all.map((u) => u.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("changes role and name with one audit row listing what changed; a no-op writes nothing", async () => {
    const admin = await createCaller("admin");
    const { body } = await createUser(admin, { role: "viewer", name: "Fox" });
    const id = body.user.id as string;
    const res = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      path: `/api/users/${id}`,
      params: { id },
      as: admin,
      body: { role: "approver", name: "Fox Mulder" },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ role: "approver", name: "Fox Mulder" });
    const audit = await auditRowsFor(id, "user.updated");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details).changes).toEqual({
      role: { from: "viewer", to: "approver" },
      name: { from: "Fox", to: "Fox Mulder" },
    });

    const again = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      path: `/api/users/${id}`,
      params: { id },
      as: admin,
      body: { role: "approver" },
    });
    expect(again.status).toBe(200);
    expect(await auditRowsFor(id, "user.updated")).toHaveLength(1);
  });

  it("answers 404 for an unknown user and 422 for an empty change", async () => {
    const admin = await createCaller("admin");
    expect(
      (
        await callRoute(userRoute.PATCH, {
          method: "PATCH",
          params: { id: "nope" },
          as: admin,
          body: { role: "viewer" },
        })
      ).status,
    ).toBe(404);
    const { body } = await createUser(admin);
    expect(
      (await callRoute(userRoute.PATCH, { method: "PATCH", params: { id: body.user.id }, as: admin, body: {} })).status,
    ).toBe(422);
  });

  it("disabling a user ends their sessions and stops their API tokens; enabling lets them sign in again", async () => {
    const admin = await createCaller("admin");
    const target = await createCaller("deployer", { password: PASSWORD });
    const signIn = await callRoute(signInRoute.POST, {
      method: "POST",
      path: "/api/auth/sign-in",
      origin: ORIGIN,
      body: { email: target.email, password: PASSWORD },
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(200);
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", as: target })).status).toBe(200);

    const res = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      params: { id: target.userId },
      as: admin,
      body: { disabled: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.user.disabled).toBe(true);
    expect(await dbFor(t.url).session.count({ where: { userId: target.userId } })).toBe(0);
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", cookie })).status).toBe(401);
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", as: target })).status).toBe(401);
    const audit = await auditRowsFor(target.userId, "user.updated");
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({
      changes: { disabled: { from: false, to: true } },
      sessionsEnded: 1,
    });

    const enabled = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      params: { id: target.userId },
      as: admin,
      body: { disabled: false },
    });
    expect(enabled.body.user.disabled).toBe(false);
    expect((await callRoute(meRoute.GET, { path: "/api/auth/me", as: target })).status).toBe(200);
  });

  it("refuses to demote or disable the last enabled admin, and an admin cannot disable themselves", async () => {
    const admin = await createCaller("admin");
    const self = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      params: { id: admin.userId },
      as: admin,
      body: { disabled: true },
    });
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe("CONFLICT");

    // Leave `admin` as the only enabled admin: demote every other one (allowed while `admin` remains).
    const others = await dbFor(t.url).user.findMany({
      where: { role: "admin", disabled: false, id: { not: admin.userId } },
    });
    for (const other of others) {
      const res = await callRoute(userRoute.PATCH, {
        method: "PATCH",
        params: { id: other.id },
        as: admin,
        body: { role: "deployer" },
      });
      expect(res.status).toBe(200);
    }
    // A disabled admin does not count as a way back in.
    const { body } = await createUser(admin, { role: "admin" });
    expect(
      (
        await callRoute(userRoute.PATCH, {
          method: "PATCH",
          params: { id: body.user.id },
          as: admin,
          body: { disabled: true },
        })
      ).status,
    ).toBe(200);

    const before = await dbFor(t.url).auditEvent.count();
    const demote = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      params: { id: admin.userId },
      as: admin,
      body: { role: "approver" },
    });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe("LAST_ADMIN");
    await expect(
      updateUser({
        userId: admin.userId,
        input: { disabled: true },
        byUserId: "someone-else",
        actor: SYSTEM_ACTOR,
        request: NO_REQUEST,
      }),
    ).rejects.toMatchObject({ code: "LAST_ADMIN" });
    expect((await dbFor(t.url).user.findUniqueOrThrow({ where: { id: admin.userId } })).role).toBe("admin");
    expect(await dbFor(t.url).auditEvent.count()).toBe(before);

    // With a second enabled admin, the first may step down.
    const second = await createUser(admin, { role: "admin" });
    expect(second.status).toBe(201);
    const stepDown = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      params: { id: admin.userId },
      as: admin,
      body: { role: "approver" },
    });
    expect(stepDown.status).toBe(200);
  });

  it("refuses non-admins (403) and anonymous callers (401)", async () => {
    const admin = await createCaller("admin");
    const { body } = await createUser(admin);
    for (const role of ["viewer", "deployer", "approver"] as const) {
      const caller = await createCaller(role);
      expect((await callRoute(usersRoute.GET, { path: "/api/users", as: caller })).status).toBe(403);
      expect((await createUser(caller)).status).toBe(403);
      expect(
        (
          await callRoute(userRoute.PATCH, {
            method: "PATCH",
            params: { id: body.user.id },
            as: caller,
            body: { role: "admin" },
          })
        ).status,
      ).toBe(403);
    }
    expect((await callRoute(usersRoute.GET, { path: "/api/users" })).status).toBe(401);
    expect((await dbFor(t.url).user.findUniqueOrThrow({ where: { id: body.user.id } })).role).toBe("deployer");
  });
});
