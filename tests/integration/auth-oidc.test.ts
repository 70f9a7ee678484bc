import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as callbackRoute from "@/app/api/auth/oidc/callback/route";
import * as startRoute from "@/app/api/auth/oidc/start/route";
import * as meRoute from "@/app/api/auth/me/route";
import { SESSION_COOKIE } from "@/lib/auth/cookies";
import { dbFor } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { callRoute, createCaller } from "../support/api";
import { loginAtProvider, startTestOidcProvider, type TestOidcProvider } from "../support/oidc-provider";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let idp: TestOidcProvider;

beforeAll(async () => {
  idp = await startTestOidcProvider({
    redirectUri: "http://localhost:3000/api/auth/oidc/callback",
    accounts: [
      { sub: "ann", email: "ann@corp.example", name: "Ann Approver", groups: ["devs", "release-approvers"] },
      { sub: "vic", email: "vic@corp.example", name: "Vic Viewer", groups: ["marketing"] },
    ],
  });
  Object.assign(process.env, {
    WHARF_OIDC_ISSUER: idp.issuer,
    WHARF_OIDC_CLIENT_ID: idp.clientId,
    WHARF_OIDC_CLIENT_SECRET: idp.clientSecret,
    WHARF_OIDC_ROLE_MAP: "platform-admins=admin,release-approvers=approver,devs=deployer",
    WHARF_OIDC_DISPLAY_NAME: "Test IdP",
  });
  resetEnvCache();
});

afterAll(async () => {
  for (const k of [
    "WHARF_OIDC_ISSUER",
    "WHARF_OIDC_CLIENT_ID",
    "WHARF_OIDC_CLIENT_SECRET",
    "WHARF_OIDC_ROLE_MAP",
    "WHARF_OIDC_DISPLAY_NAME",
  ]) {
    delete process.env[k];
  }
  resetEnvCache();
  await idp?.stop();
});

async function start(returnTo?: string) {
  const res = await callRoute(startRoute.GET, {
    path: `/api/auth/oidc/start${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ""}`,
  });
  expect(res.status).toBe(302);
  return res.headers.get("location")!;
}

async function callback(url: URL, headers: Record<string, string> = {}) {
  return callRoute(callbackRoute.GET, { path: `${url.pathname}${url.search}`, headers });
}

async function signInAs(login: string, returnTo?: string) {
  const authorize = await start(returnTo);
  const back = await loginAtProvider(authorize, login);
  return { back, res: await callback(back) };
}

function cookieOf(res: { headers: Headers }): string {
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get("set-cookie") ?? "")?.[1];
  expect(value, "a session cookie").toBeTruthy();
  return `${SESSION_COOKIE}=${value}`;
}

describe("OIDC sign-in", () => {
  it("redirects to the provider with state, nonce and an S256 PKCE challenge, keeping the verifier server-side", async () => {
    const location = new URL(await start("/deployments"));
    expect(location.origin).toBe(idp.issuer);
    const q = location.searchParams;
    expect(q.get("client_id")).toBe(idp.clientId);
    expect(q.get("redirect_uri")).toBe("http://localhost:3000/api/auth/oidc/callback");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("scope")).toContain("openid");
    const login = await dbFor(t.url).oidcLogin.findUnique({ where: { state: q.get("state")! } });
    expect(login?.nonce).toBe(q.get("nonce"));
    expect(login?.returnTo).toBe("/deployments");
    expect(location.href).not.toContain(login!.codeVerifier);
  });

  it("signs in a group member of release-approvers as approver, opens a session, audits method oidc, returns to the page", async () => {
    const { res } = await signInAs("ann", "/deployments?state=awaiting");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/deployments?state=awaiting");
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/);
    const me = await callRoute(meRoute.GET, { path: "/api/auth/me", cookie: cookieOf(res) });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: "ann@corp.example", role: "approver" });

    const user = await dbFor(t.url).user.findUniqueOrThrow({ where: { email: "ann@corp.example" } });
    expect(user).toMatchObject({
      authSource: "oidc",
      oidcIssuer: idp.issuer,
      oidcSubject: "ann",
      passwordHash: null,
      name: "Ann Approver",
    });
    const signedIn = await dbFor(t.url).auditEvent.findFirstOrThrow({
      where: { action: "auth.signed-in", actorId: user.id },
    });
    expect(JSON.parse(signedIn.details)).toEqual({ method: "oidc", local: false, issuer: idp.issuer });
  });

  it("re-reads the role on every sign-in and audits the change; the same (issuer, sub) stays one user", async () => {
    idp.accounts.get("ann")!.groups = ["platform-admins"];
    const { res } = await signInAs("ann");
    expect(res.status).toBe(303);
    const me = await callRoute(meRoute.GET, { path: "/api/auth/me", cookie: cookieOf(res) });
    expect(me.body.user.role).toBe("admin");
    const users = await dbFor(t.url).user.findMany({ where: { oidcSubject: "ann" } });
    expect(users).toHaveLength(1);
    const updated = await dbFor(t.url).auditEvent.findFirstOrThrow({
      where: { action: "user.updated", subjectId: users[0]!.id },
    });
    expect(JSON.parse(updated.details)).toMatchObject({ role: { from: "approver", to: "admin" }, source: "oidc" });
  });

  it("gives viewer when no group maps to a role", async () => {
    const { res } = await signInAs("vic");
    const me = await callRoute(meRoute.GET, { path: "/api/auth/me", cookie: cookieOf(res) });
    expect(me.body.user.role).toBe("viewer");
  });

  it("refuses a replayed callback: the state is used once", async () => {
    const { back, res } = await signInAs("vic");
    expect(res.status).toBe(303);
    const replay = await callback(back);
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/login?oidc_error=unknown-state");
    expect(replay.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a callback whose state was never issued", async () => {
    const res = await callback(new URL("http://localhost:3000/api/auth/oidc/callback?code=abc&state=forged"));
    expect(res.headers.get("location")).toBe("/login?oidc_error=unknown-state");
  });

  it("does not take over a local account with the same email, and audits the refusal", async () => {
    const local = await createCaller("admin", { password: "correct horse battery staple" });
    idp.accounts.set("mallory", { sub: "mallory", email: local.email, name: "Mallory", groups: [] });
    const { res } = await signInAs("mallory");
    expect(res.headers.get("location")).toBe("/login?oidc_error=local-account-exists");
    expect(res.headers.get("set-cookie")).toBeNull();
    const user = await dbFor(t.url).user.findUniqueOrThrow({ where: { email: local.email } });
    expect(user).toMatchObject({ authSource: "local", oidcSubject: null, role: "admin" });
    const refused = await dbFor(t.url).auditEvent.findFirstOrThrow({
      where: { action: "auth.sign-in-failed", subjectId: local.userId },
    });
    expect(JSON.parse(refused.details)).toMatchObject({ method: "oidc", reason: "local-account-exists" });
  });

  it("refuses a disabled OIDC user", async () => {
    await dbFor(t.url).user.update({ where: { email: "vic@corp.example" }, data: { disabled: true } });
    const { res } = await signInAs("vic");
    expect(res.headers.get("location")).toBe("/login?oidc_error=account-disabled");
  });

  it("only returns to same-origin paths", async () => {
    for (const evil of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const location = new URL(await start(evil));
      const login = await dbFor(t.url).oidcLogin.findUniqueOrThrow({
        where: { state: location.searchParams.get("state")! },
      });
      expect(login.returnTo, evil).toBe("/");
    }
  });
});
