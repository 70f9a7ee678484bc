import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as scopeRoute from "@/app/api/credentials/[id]/scope-check/route";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { startSandbox, type Sandbox } from "@/lib/kube/sandbox";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createSandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let sandbox: Sandbox;
let deployer: Caller;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rolloutDelayMs: 50 });
  deployer = await createCaller("deployer");
});

afterAll(async () => {
  await sandbox?.stop();
});

async function activeCredentialId(targetId: string): Promise<string> {
  return (await db().credential.findFirstOrThrow({ where: { targetId, state: "active" }, select: { id: true } })).id;
}

describe("cluster-admin check of stored credentials (SelfSubjectRulesReview on the sandbox)", () => {
  it("flags a cluster-admin ServiceAccount, not a namespace admin; the decrypt is audited; the comparison counts it", async () => {
    const admin = await createSandboxPushTarget(sandbox, { databaseUrl: t.url, clusterAdmin: true, environment: "scope-env" });
    const scoped = await createSandboxPushTarget(sandbox, { databaseUrl: t.url, environment: "scope-env" });
    const adminCred = await activeCredentialId(admin.targetId);
    const scopedCred = await activeCredentialId(scoped.targetId);

    const before = await getComparison({ range: resolveRange({ range: "7", environment: "scope-env" }) });
    expect(before.exposure.push).toMatchObject({ credentials: 2, clusterAdmin: 0, scopeUnchecked: 2 });
    expect([...before.exposure.push.uncheckedIds].sort()).toEqual([adminCred, scopedCred].sort());

    const r1 = await callRoute(scopeRoute.POST, { method: "POST", path: `/api/credentials/${adminCred}/scope-check`, params: { id: adminCred }, as: deployer });
    expect(r1.status, r1.text).toBe(200);
    expect(r1.body).toMatchObject({ credentialId: adminCred, clusterAdmin: true });
    const r2 = await callRoute(scopeRoute.POST, { method: "POST", path: `/api/credentials/${scopedCred}/scope-check`, params: { id: scopedCred }, as: deployer });
    expect(r2.status, r2.text).toBe(200);
    expect(r2.body).toMatchObject({ credentialId: scopedCred, clusterAdmin: false });

    const decrypts = await db().auditEvent.findMany({ where: { action: "credential.decrypted", credentialId: { in: [adminCred, scopedCred] } } });
    expect(decrypts).toHaveLength(2);
    expect(decrypts.every((d) => JSON.parse(d.details).purpose === "scope-check")).toBe(true);

    const after = await getComparison({ range: resolveRange({ range: "7", environment: "scope-env" }) });
    expect(after.exposure.push).toMatchObject({ credentials: 2, clusterAdmin: 1, scopeUnchecked: 0, uncheckedIds: [] });
    expect(after.exposure.push.decrypts).toBe(2);
  });

  it("viewers may not run it (it decrypts); unknown credentials are 404", async () => {
    const viewer = await createCaller("viewer");
    expect((await callRoute(scopeRoute.POST, { method: "POST", path: "/api/credentials/x/scope-check", params: { id: "x" }, as: viewer })).status).toBe(403);
    expect((await callRoute(scopeRoute.POST, { method: "POST", path: "/api/credentials/nope/scope-check", params: { id: "nope" }, as: deployer })).status).toBe(404);
  });
});
