import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as scopeRoute from "@/app/api/credentials/[id]/scope-check/route";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createSandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let cluster: TestCluster;
let deployer: Caller;
let adminCaller: Caller;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 50 });
  deployer = await createCaller("deployer");
  adminCaller = await createCaller("admin");
});

afterAll(async () => {
  await cluster?.stop();
});

async function activeCredentialId(targetId: string): Promise<string> {
  return (await db().credential.findFirstOrThrow({ where: { targetId, state: "active" }, select: { id: true } })).id;
}

describe("cluster-admin check of stored credentials (SelfSubjectRulesReview on the cluster)", () => {
  it("flags a cluster-admin ServiceAccount, not a namespace admin; the decrypt is audited; the comparison counts it", async () => {
    const admin = await createSandboxPushTarget(cluster, {
      databaseUrl: t.url,
      clusterAdmin: true,
      environment: "scope-env",
    });
    const scoped = await createSandboxPushTarget(cluster, { databaseUrl: t.url, environment: "scope-env" });
    const adminCred = await activeCredentialId(admin.targetId);
    const scopedCred = await activeCredentialId(scoped.targetId);

    const before = await getComparison({ range: resolveRange({ range: "7", environment: "scope-env" }) });
    expect(before.exposure.push).toMatchObject({ credentials: 2, clusterAdmin: 0, scopeUnchecked: 2 });
    expect([...before.exposure.push.uncheckedIds].sort()).toEqual([adminCred, scopedCred].sort());

    const r1 = await callRoute(scopeRoute.POST, {
      method: "POST",
      path: `/api/credentials/${adminCred}/scope-check`,
      params: { id: adminCred },
      as: adminCaller,
    });
    expect(r1.status, r1.text).toBe(200);
    expect(r1.body).toMatchObject({ credentialId: adminCred, clusterAdmin: true });
    const r2 = await callRoute(scopeRoute.POST, {
      method: "POST",
      path: `/api/credentials/${scopedCred}/scope-check`,
      params: { id: scopedCred },
      as: adminCaller,
    });
    expect(r2.status, r2.text).toBe(200);
    expect(r2.body).toMatchObject({ credentialId: scopedCred, clusterAdmin: false });

    const decrypts = await db().auditEvent.findMany({
      where: { action: "credential.decrypted", credentialId: { in: [adminCred, scopedCred] } },
    });
    expect(decrypts).toHaveLength(2);
    expect(decrypts.every((d) => JSON.parse(d.details).purpose === "scope-check")).toBe(true);

    const after = await getComparison({ range: resolveRange({ range: "7", environment: "scope-env" }) });
    expect(after.exposure.push).toMatchObject({ credentials: 2, clusterAdmin: 1, scopeUnchecked: 0, uncheckedIds: [] });
    expect(after.exposure.push.decrypts).toBe(2);
  });

  it("only roles that may replace the credential may run it (it decrypts): a deployer gets 403, an audited refusal and no decrypt; a policy can lower it", async () => {
    const target = await createSandboxPushTarget(cluster, {
      databaseUrl: t.url,
      environment: `scope-${randomBytes(3).toString("hex")}`,
    });
    const cred = await activeCredentialId(target.targetId);
    const check = (as: Caller) =>
      callRoute(scopeRoute.POST, {
        method: "POST",
        path: `/api/credentials/${cred}/scope-check`,
        params: { id: cred },
        as,
      });
    const decrypts = () => db().auditEvent.count({ where: { action: "credential.decrypted", credentialId: cred } });

    const refused = await check(deployer);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.error.message).toMatch(/Only an admin may check this credential's scope/);
    expect(await decrypts()).toBe(0);
    const denied = await db().auditEvent.findFirstOrThrow({
      where: { action: "credential.denied", credentialId: cred },
    });
    expect(JSON.parse(denied.details)).toMatchObject({
      attempted: "scope-check",
      role: "deployer",
      minReplaceRole: "admin",
    });
    expect(await db().credential.findUniqueOrThrow({ where: { id: cred }, select: { scopeCheckedAt: true } })).toEqual({
      scopeCheckedAt: null,
    });

    const allowed = await check(adminCaller);
    expect(allowed.status, allowed.text).toBe(200);
    expect(await decrypts()).toBe(1);

    // The environment's policy lets deployers replace (and so check) its credentials.
    const targetRow = await db().target.findUniqueOrThrow({
      where: { id: target.targetId },
      select: { environment: true },
    });
    await db().credentialPolicy.create({
      data: {
        name: `lenient-${randomBytes(3).toString("hex")}`,
        maxAgeDays: 90,
        warnBeforeDays: 7,
        minReplaceRole: "deployer",
        environment: targetRow.environment,
      },
    });
    expect((await check(deployer)).status).toBe(200);
    expect(await decrypts()).toBe(2);
  });

  it("viewers may not run it (it decrypts); unknown credentials are 404", async () => {
    const viewer = await createCaller("viewer");
    expect(
      (
        await callRoute(scopeRoute.POST, {
          method: "POST",
          path: "/api/credentials/x/scope-check",
          params: { id: "x" },
          as: viewer,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await callRoute(scopeRoute.POST, {
          method: "POST",
          path: "/api/credentials/nope/scope-check",
          params: { id: "nope" },
          as: deployer,
        })
      ).status,
    ).toBe(404);
  });
});
