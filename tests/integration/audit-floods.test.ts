import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as accessRoute from "@/app/api/credential-access/route";
import * as signInRoute from "@/app/api/auth/sign-in/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as tokensRoute from "@/app/api/tokens/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { installPeerStamp } from "@/lib/api/client-address";
import { FLOOD_SUMMARY_ACTOR } from "@/lib/audit/data/record-capped-audit-event";
import { recordDeniedApiToken } from "@/lib/auth/data/record-denied-api-token";
import { dbFor } from "@/lib/db/client";
import { githubSignature } from "@/lib/deployments/webhooks";
import { resetEnvCache } from "@/lib/env";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createPullTarget } from "../support/pull";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let server: RouteServer;

beforeAll(async () => {
  admin = await createCaller("admin");
  installPeerStamp();
  server = await startRouteServer({ "/api/credential-access": accessRoute });
});

afterAll(async () => {
  await server?.stop();
  delete process.env.WHARF_TRUSTED_PROXIES;
  resetEnvCache();
});

function withTrustedProxies(value: string | undefined): void {
  if (value === undefined) delete process.env.WHARF_TRUSTED_PROXIES;
  else process.env.WHARF_TRUSTED_PROXIES = value;
  resetEnvCache();
}

const randomToken = () => `wharf_${randomBytes(24).toString("base64url")}`;
const denied = (token: string, peer: string, headers: Record<string, string> = {}) =>
  callRoute(accessRoute.GET, {
    path: "/api/credential-access",
    peer,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });

describe("the client address", () => {
  it("is the real TCP peer over HTTP, whatever X-Forwarded-For or a copied peer header claim", async () => {
    const token = randomToken();
    const res = await fetch(`${server.url}/api/credential-access`, {
      headers: {
        authorization: `Bearer ${token}`,
        "x-forwarded-for": "198.18.0.66",
        "x-real-ip": "198.18.0.67",
        "x-wharf-peer": "forged 198.18.0.68 https",
      },
    });
    expect(res.status).toBe(401);
    const row = await db().auditEvent.findFirstOrThrow({
      where: { action: "auth.denied", actorName: token.slice(0, 12) },
    });
    expect(row.ip).toBe("127.0.0.1");
  });

  it("comes from X-Forwarded-For only through a trusted proxy: the right-most address that is not a proxy", async () => {
    const untrusted = randomToken();
    await denied(untrusted, "192.0.2.50", { "x-forwarded-for": "203.0.113.9" });
    expect((await db().auditEvent.findFirstOrThrow({ where: { actorName: untrusted.slice(0, 12) } })).ip).toBe(
      "192.0.2.50",
    );

    withTrustedProxies("10.0.0.0/8");
    try {
      const proxied = randomToken();
      await denied(proxied, "10.0.0.2", { "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.1" });
      expect((await db().auditEvent.findFirstOrThrow({ where: { actorName: proxied.slice(0, 12) } })).ip).toBe(
        "203.0.113.9",
      );
    } finally {
      withTrustedProxies(undefined);
    }
  });

  it("trusts X-Forwarded-Host/-Proto for the Origin check only from a trusted proxy", async () => {
    const forged = { host: "localhost:3000", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };
    const signIn = () =>
      callRoute(signInRoute.POST, {
        method: "POST",
        path: "/api/auth/sign-in",
        body: { email: "nobody@test.wharf", password: "not the password" },
        origin: "https://evil.example",
        peer: "192.0.2.60",
        headers: forged,
      });
    // Sign-in checks the Origin first: 403 means it was refused, a 401 for the credentials means it passed.
    const direct = await signIn();
    expect(direct.status).toBe(403);
    expect(direct.body.error.code).toBe("CSRF_ORIGIN_MISMATCH");
    withTrustedProxies("192.0.2.60");
    try {
      const proxied = await signIn();
      expect(proxied.status).toBe(401);
      expect(proxied.body.error.code).toBe("INVALID_CREDENTIALS");
    } finally {
      withTrustedProxies(undefined);
    }
  });
});

describe("a flood of made-up API tokens", () => {
  it("cannot keep a real revoked token out of the audit trail, and is summarised instead of dropped", async () => {
    const before = await db().auditEvent.count({ where: { action: "auth.denied" } });
    // 65 random tokens from 65 addresses: the overall cap of 60 rows a minute is used up.
    for (let i = 0; i < 65; i++)
      expect((await denied(randomToken(), `198.51.${100 + Math.floor(i / 200)}.${(i % 200) + 1}`)).status).toBe(401);
    const flood = (await db().auditEvent.count({ where: { action: "auth.denied" } })) - before;
    expect(flood).toBeLessThanOrEqual(60);

    const made = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      as: admin,
      body: { name: "revoked-in-flood", role: "viewer" },
    });
    expect(made.status).toBe(201);
    await db().apiToken.update({ where: { id: made.body.token.id as string }, data: { revokedAt: new Date() } });
    expect((await denied(made.body.secret as string, "192.0.2.99")).status).toBe(401);
    const row = await db().auditEvent.findFirst({
      where: { action: "auth.denied", actorId: made.body.token.id as string },
    });
    expect(row, "the revoked token's denial is audited despite the flood").not.toBeNull();
    expect(JSON.parse(row!.details).reason).toBe("revoked");

    // What the caps held back is counted, and becomes one summary row once its minute is over.
    const counted = await db().auditFloodCount.findMany({ where: { action: "auth.denied" } });
    const suppressed = counted.reduce((n, c) => n + c.count, 0);
    expect(suppressed).toBe(65 - flood);
    expect(await db().auditEvent.count({ where: { actorName: FLOOD_SUMMARY_ACTOR.name } })).toBe(0);
    await recordDeniedApiToken({
      token: randomToken(),
      route: "GET /x",
      request: { ip: "192.0.2.200", userAgent: null, requestId: null },
      now: new Date(Date.now() + 120_000),
    });
    const summaries = await db().auditEvent.findMany({
      where: { action: "auth.denied", actorName: FLOOD_SUMMARY_ACTOR.name },
    });
    expect(summaries.reduce((n, s) => n + (JSON.parse(s.details) as { suppressed: number }).suppressed, 0)).toBe(
      suppressed,
    );
    expect(summaries.length).toBe(counted.length);
    expect(summaries[0]).toMatchObject({ subjectType: "api-token", outcome: "denied", actorKind: "system" });
    expect(await db().auditFloodCount.count()).toBe(0);
  });
});

describe("webhook deliveries with a wrong signature", () => {
  it("are audited ten a minute per source; beyond that the source gets 429 and the rest is counted", async () => {
    const target = await createPullTarget();
    const repoUrl = `https://git.example.test/team/${randomBytes(4).toString("hex")}.git`;
    const bound = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repo-bindings`,
      params: { id: target.id },
      body: { repoUrl, branch: "main" },
      as: admin,
    });
    expect(bound.status, bound.text).toBe(201);
    const body = JSON.stringify({
      ref: "refs/heads/main",
      after: "a".repeat(40),
      repository: { clone_url: repoUrl },
      pusher: { name: "mallory" },
    });
    const deliver = (peer: string) =>
      callRoute(webhookRoute.POST, {
        method: "POST",
        path: "/api/webhooks/git",
        peer,
        body,
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-hub-signature-256": githubSignature("wrong-secret", body),
        },
      });

    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await deliver("192.0.2.150")).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    expect(await db().auditEvent.count({ where: { action: "webhook.rejected", ip: "192.0.2.150" } })).toBe(10);
    // The 15 held back are counted per minute of the clock: when the deliveries straddle a minute, the earlier
    // minute's count is already a summary row, so the two together must account for every one of them.
    const counted = await db().auditFloodCount.findMany({ where: { action: "webhook.rejected" } });
    const summaries = await db().auditEvent.findMany({
      where: { action: "webhook.rejected", actorName: FLOOD_SUMMARY_ACTOR.name },
    });
    const summarised = summaries.reduce((n, e) => n + (JSON.parse(e.details) as { suppressed: number }).suppressed, 0);
    expect(counted.reduce((n, c) => n + c.count, 0) + summarised).toBe(15);
    // Another source is not affected by the first one's failures.
    expect((await deliver("192.0.2.151")).status).toBe(401);
  });
});
