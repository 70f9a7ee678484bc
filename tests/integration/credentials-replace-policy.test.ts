import { beforeAll, describe, expect, it } from "vitest";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let deployer: Caller;
let approver: Caller;

function post(targetId: string, token: string, as: Caller) {
  return callRoute(targetCredentialsRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/credentials`,
    params: { id: targetId },
    body: { kind: "bearer-token", token },
    as,
  });
}

async function pushTarget(name: string, environment: string) {
  return (await db().target.create({ data: { name, environment, mode: "push", serverUrl: "https://127.0.0.1:6443" } }))
    .id;
}

beforeAll(async () => {
  [admin, deployer, approver] = await Promise.all([
    createCaller("admin"),
    createCaller("deployer"),
    createCaller("approver"),
  ]);
  await db().credentialPolicy.create({
    data: { name: "ci-rotates", maxAgeDays: 7, warnBeforeDays: 1, minReplaceRole: "deployer", environment: "ci" },
  });
  await db().credentialPolicy.create({
    data: { name: "locked", maxAgeDays: 30, warnBeforeDays: 7, minReplaceRole: "admin", environment: "prod" },
  });
});

describe("who may store and replace a credential", () => {
  it("lets a policy hand replacement to deployers, but keeps the first store with admins", async () => {
    const id = await pushTarget("ci-cluster", "ci");
    const first = await post(id, "first-token-value-123", deployer);
    expect(first.status).toBe(403);
    expect(await db().credential.count({ where: { targetId: id } })).toBe(0);
    const denied = await db().auditEvent.findFirst({ where: { action: "credential.denied", targetId: id } });
    expect(denied?.outcome).toBe("denied");

    expect((await post(id, "first-token-value-123", admin)).status).toBe(201);
    const replaced = await post(id, "second-token-value-456", deployer);
    expect(replaced.status).toBe(201);
    expect(replaced.body.replaced).toBe(true);
  });

  it("refuses replacement below the policy's minimum role, audits it, and keeps the credential", async () => {
    const id = await pushTarget("prod-cluster", "prod");
    expect((await post(id, "prod-token-value-123", admin)).status).toBe(201);
    const before = await db().credential.findFirstOrThrow({ where: { targetId: id, state: "active" } });
    const res = await post(id, "attacker-token-value", approver);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('Policy "locked"');
    const after = await db().credential.findFirstOrThrow({ where: { targetId: id, state: "active" } });
    expect(after.id).toBe(before.id);
    const denied = await db().auditEvent.findFirst({ where: { action: "credential.denied", credentialId: before.id } });
    expect(denied).toMatchObject({ outcome: "denied", actorKind: "api-token" });
  });

  it("keeps viewers out entirely", async () => {
    const viewer = await createCaller("viewer");
    const id = await pushTarget("viewer-cluster", "ci");
    expect((await post(id, "some-token-value-000", viewer)).status).toBe(403);
  });
});
