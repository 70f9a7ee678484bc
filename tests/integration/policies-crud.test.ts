import { beforeAll, describe, expect, it } from "vitest";
import * as credentialsListRoute from "@/app/api/credentials/route";
import * as policyRoute from "@/app/api/policies/[id]/route";
import * as policiesRoute from "@/app/api/policies/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import { countCredentialsByStatus } from "@/lib/credentials/data/list-credentials";
import { DAY_MS } from "@/lib/credentials/status";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let viewer: Caller;

const create = (body: unknown, as: Caller = admin) =>
  callRoute(policiesRoute.POST, { method: "POST", path: "/api/policies", body, as });
const patch = (id: string, body: unknown, as: Caller = admin) =>
  callRoute(policyRoute.PATCH, { method: "PATCH", path: `/api/policies/${id}`, params: { id }, body, as });
const remove = (id: string, as: Caller = admin) =>
  callRoute(policyRoute.DELETE, { method: "DELETE", path: `/api/policies/${id}`, params: { id }, as });

beforeAll(async () => {
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
});

describe("credential policies", () => {
  let prodPolicyId = "";

  it("creates with defaults, audited", async () => {
    const res = await create({ name: "prod-90", maxAgeDays: 90, warnBeforeDays: 14, environment: "prod" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "prod-90",
      maxAgeDays: 90,
      warnBeforeDays: 14,
      minReplaceRole: "admin",
      autoRotate: false,
      environment: "prod",
    });
    prodPolicyId = res.body.id;
    expect(await db().auditEvent.count({ where: { action: "policy.created", subjectId: prodPolicyId } })).toBe(1);
  });

  it("409 for a taken name or an environment that already has a policy; 422 for bad limits; nothing written", async () => {
    const before = await db().credentialPolicy.count();
    const dupName = await create({ name: "prod-90", maxAgeDays: 30, warnBeforeDays: 1 });
    expect(dupName.status).toBe(409);
    expect(dupName.body.error.fields).toHaveProperty("name");
    const dupEnv = await create({ name: "another", maxAgeDays: 30, warnBeforeDays: 1, environment: "prod" });
    expect(dupEnv.status).toBe(409);
    expect(dupEnv.body.error.fields.environment[0]).toContain("prod-90");
    const bad = await create({ name: "bad", maxAgeDays: 10, warnBeforeDays: 10 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toHaveProperty("warnBeforeDays");
    expect(await db().credentialPolicy.count()).toBe(before);
  });

  it("viewers can list but not change", async () => {
    const list = await callRoute(policiesRoute.GET, { path: "/api/policies", as: viewer });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { name: string }) => p.name)).toContain("prod-90");
    expect((await create({ name: "v", maxAgeDays: 2, warnBeforeDays: 1 }, viewer)).status).toBe(403);
    expect((await patch(prodPolicyId, { maxAgeDays: 5 }, viewer)).status).toBe(403);
    expect((await remove(prodPolicyId, viewer)).status).toBe(403);
  });

  it("PATCH merges with stored values and checks warn-before against them", async () => {
    const bad = await patch(prodPolicyId, { maxAgeDays: 14 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toHaveProperty("warnBeforeDays");
    const ok = await patch(prodPolicyId, { maxAgeDays: 60, autoRotate: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      maxAgeDays: 60,
      warnBeforeDays: 14,
      autoRotate: true,
      environment: "prod",
      name: "prod-90",
    });
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "policy.updated", subjectId: prodPolicyId },
    });
    expect(JSON.parse(audit.details).changed).toEqual({ maxAgeDays: 60, autoRotate: true });
    expect((await patch("nope", { maxAgeDays: 5 })).status).toBe(404);
  });

  it("applies by environment or explicitly, and drives each credential's status and the counts", async () => {
    const now = Date.now();
    const mk = async (name: string, environment: string, rotatedDaysAgo: number, credentialPolicyId?: string) => {
      const target = await db().target.create({
        data: { name, environment, mode: "push", serverUrl: "https://127.0.0.1:6443", credentialPolicyId },
      });
      const res = await callRoute(targetCredentialsRoute.POST, {
        method: "POST",
        path: `/api/targets/${target.id}/credentials`,
        params: { id: target.id },
        body: { kind: "bearer-token", token: `token-of-${name}` },
        as: admin,
      });
      expect(res.status).toBe(201);
      await db().credential.update({
        where: { id: res.body.credential.id },
        data: { lastRotatedAt: new Date(now - rotatedDaysAgo * DAY_MS) },
      });
      // Written around the data layer: bring the stored status boundaries along, as the data layer would.
      await recomputeCredentialStatusColumns(db(), { where: { id: res.body.credential.id } });
      return target.id;
    };
    const explicit = await create({ name: "strict-7", maxAgeDays: 7, warnBeforeDays: 2 });
    const fresh = await mk("prod-fresh", "prod", 1);
    const dueSoon = await mk("prod-due", "prod", 50);
    const overdue = await mk("prod-old", "prod", 61);
    const explicitOverdue = await mk("dev-explicit", "dev", 8, explicit.body.id);
    const noPolicy = await mk("dev-free", "dev", 3000);

    const view = await callRoute(targetCredentialsRoute.GET, {
      path: `/api/targets/${explicitOverdue}/credentials`,
      params: { id: explicitOverdue },
      as: viewer,
    });
    expect(view.body.policy).toMatchObject({ name: "strict-7" });
    expect(view.body.active).toMatchObject({ status: "overdue", policyName: "strict-7" });

    const list = await callRoute(credentialsListRoute.GET, { path: "/api/credentials?limit=2", as: viewer });
    expect(list.body.counts).toEqual({ ok: 2, dueSoon: 1, rotationFailed: 0, overdue: 2, expired: 0 });
    expect(await countCredentialsByStatus()).toEqual({ ok: 2, dueSoon: 1, rotationFailed: 0, overdue: 2, expired: 0 });
    // Cursor pagination walks every item exactly once.
    const seen: string[] = [...list.body.items.map((c: { targetId: string }) => c.targetId)];
    let cursor: string | null = list.body.nextCursor;
    while (cursor) {
      const next = await callRoute(credentialsListRoute.GET, {
        path: `/api/credentials?limit=2&cursor=${cursor}`,
        as: viewer,
      });
      seen.push(...next.body.items.map((c: { targetId: string }) => c.targetId));
      cursor = next.body.nextCursor;
    }
    expect(seen.sort()).toEqual([fresh, dueSoon, overdue, explicitOverdue, noPolicy].sort());
    const overdueOnly = await callRoute(credentialsListRoute.GET, {
      path: "/api/credentials?status=overdue",
      as: viewer,
    });
    expect(overdueOnly.body.items.map((c: { targetId: string }) => c.targetId).sort()).toEqual(
      [overdue, explicitOverdue].sort(),
    );
  });

  it("DELETE removes the policy (204, audited); targets fall back to no policy; then 404", async () => {
    const res = await remove(prodPolicyId);
    expect(res.status).toBe(204);
    expect(await db().auditEvent.count({ where: { action: "policy.deleted", subjectId: prodPolicyId } })).toBe(1);
    expect(await countCredentialsByStatus()).toEqual({ ok: 4, dueSoon: 0, rotationFailed: 0, overdue: 1, expired: 0 });
    expect((await remove(prodPolicyId)).status).toBe(404);
  });
});
