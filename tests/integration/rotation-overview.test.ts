import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as rotationRoute from "@/app/api/rotation/route";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const DAY = 86_400_000;
let viewer: Caller;
const ids: Record<string, string> = {};

function saJwt(name: string, iat: Date, exp: Date): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "RS256" })}.${b({ sub: `system:serviceaccount:kube-system:${name}`, iat: Math.floor(iat.getTime() / 1000), exp: Math.floor(exp.getTime() / 1000) })}.c2ln`;
}

async function target(
  name: string,
  policyId: string | null,
  input: Parameters<typeof saveCredential>[0]["input"],
  lastRotatedAgoDays: number,
  extra: Record<string, unknown> = {},
) {
  const row = await db().target.create({
    data: { name, environment: "qa", mode: "push", serverUrl: "https://127.0.0.1:6443", credentialPolicyId: policyId },
  });
  await saveCredential({
    targetId: row.id,
    input,
    actor: SYSTEM_ACTOR,
    actorRole: "admin",
    actorUserId: null,
    request: NO_REQUEST,
  });
  const cred = await db().credential.findFirstOrThrow({ where: { targetId: row.id, state: "active" } });
  await db().credential.update({
    where: { id: cred.id },
    data: { lastRotatedAt: new Date(Date.now() - lastRotatedAgoDays * DAY), ...extra },
  });
  // Written around the data layer: bring the stored status boundaries along, as the data layer would.
  await recomputeCredentialStatusColumns(db(), { where: { id: cred.id } });
  ids[name] = cred.id;
}

beforeAll(async () => {
  viewer = await createCaller("viewer");
  const auto = await db().credentialPolicy.create({
    data: { name: "auto-30", maxAgeDays: 30, warnBeforeDays: 5, autoRotate: true },
  });
  const manual = await db().credentialPolicy.create({
    data: { name: "manual-30", maxAgeDays: 30, warnBeforeDays: 5, autoRotate: false },
  });
  const now = Date.now();
  // 10-day token issued 2 days ago: automatic rotation at 80 % = 8 days after issue, before max age (30 d).
  await target(
    "a-auto",
    auto.id,
    { kind: "service-account-token", token: saJwt("a", new Date(now - 2 * DAY), new Date(now + 8 * DAY)) },
    2,
  );
  // Same token under a manual policy: only max age counts.
  await target(
    "b-manual",
    manual.id,
    { kind: "service-account-token", token: saJwt("b", new Date(now - 2 * DAY), new Date(now + 8 * DAY)) },
    2,
  );
  await target(
    "c-failed",
    auto.id,
    { kind: "service-account-token", token: saJwt("c", new Date(now - DAY), new Date(now + 100 * DAY)) },
    1,
    {
      rotationError: 'serviceaccounts "c" is forbidden',
      rotationFailedAt: new Date(),
      rotationAttempts: 2,
      nextRotationAttemptAt: new Date(now + 120_000),
    },
  );
  await target("d-none", null, { kind: "bearer-token", token: `opaque-${randomBytes(6).toString("hex")}` }, 40);
});

describe("GET /api/rotation", () => {
  it("lists every active credential with age, schedule, policy and status; readable by viewers", async () => {
    const res = await callRoute(rotationRoute.GET, { path: "/api/rotation", as: viewer });
    expect(res.status).toBe(200);
    const now = Date.parse(res.body.now);
    const byName = Object.fromEntries(res.body.items.map((i: { targetName: string }) => [i.targetName, i]));
    expect(Object.keys(byName)).toEqual(["a-auto", "b-manual", "c-failed", "d-none"]);

    const a = byName["a-auto"];
    const issued = Date.parse(a.issuedAt);
    expect(a).toMatchObject({
      autoRotate: true,
      policyName: "auto-30",
      policyMaxAgeDays: 30,
      status: "ok",
      origin: "stored",
    });
    expect(Date.parse(a.nextRotationAt)).toBe(issued + Math.floor((Date.parse(a.expiresAt) - issued) * 0.8));
    expect(Math.round(a.ageMs / DAY)).toBe(2);

    const b = byName["b-manual"];
    expect(b).toMatchObject({ autoRotate: false, policyName: "manual-30" });
    expect(Date.parse(b.nextRotationAt)).toBe(Date.parse(b.lastRotatedAt) + 30 * DAY);

    expect(byName["c-failed"]).toMatchObject({
      status: "rotation-failed",
      rotationError: 'serviceaccounts "c" is forbidden',
      rotationAttempts: 2,
    });
    expect(Date.parse(byName["c-failed"].nextRotationAttemptAt)).toBeGreaterThan(now);

    expect(byName["d-none"]).toMatchObject({
      autoRotate: false,
      policyName: null,
      policyMaxAgeDays: null,
      nextRotationAt: null,
      status: "ok",
    });
    expect(Math.round(byName["d-none"].ageMs / DAY)).toBe(40);

    expect(res.body.counts).toEqual({ ok: 3, dueSoon: 0, rotationFailed: 1, overdue: 0, expired: 0 });
    expect(res.text).not.toContain("ciphertext");
  });

  it("filters by status and pages by cursor", async () => {
    const failed = await callRoute(rotationRoute.GET, { path: "/api/rotation?status=rotation-failed", as: viewer });
    expect(failed.body.items.map((i: { id: string }) => i.id)).toEqual([ids["c-failed"]]);

    const first = await callRoute(rotationRoute.GET, { path: "/api/rotation?limit=3", as: viewer });
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([
      ids["a-auto"],
      ids["b-manual"],
      ids["c-failed"],
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await callRoute(rotationRoute.GET, {
      path: `/api/rotation?limit=3&cursor=${first.body.nextCursor}`,
      as: viewer,
    });
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([ids["d-none"]]);
    expect(second.body.nextCursor).toBeNull();

    const bad = await callRoute(rotationRoute.GET, { path: "/api/rotation?status=nope", as: viewer });
    expect(bad.status).toBe(422);
    const badCursor = await callRoute(rotationRoute.GET, {
      path: `/api/rotation?limit=3&cursor=${ids["c-failed"]}`,
      as: viewer,
    });
    expect(badCursor.status).toBe(422);
  });
});
