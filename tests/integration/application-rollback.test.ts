import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as rollbackPlanRoute from "@/app/api/applications/[id]/rollback/route";
import * as timelineRoute from "@/app/api/applications/[id]/timeline/route";
import * as rollbackRoute from "@/app/api/deployments/[id]/rollback/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as pinRoute from "@/app/api/repos/[id]/pin/route";
import { ZRollbackPlan, ZTimelinePage } from "@/lib/applications/timeline-schemas";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useExecutorFixture } from "../support/executor-fixture";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 3: rollback to any earlier revision from the application's timeline, through the target's approval
// rule. Push: the old deployment's manifests are requested again (same digest); a gated target gets a request awaiting
// approval, an ungated one runs it (on the sandbox and on the real control plane). Pull: the revision is pinned.
const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
let deployer: Caller;
let viewer: Caller;

beforeAll(async () => {
  deployer = await createCaller("deployer");
  viewer = await createCaller("viewer");
});

const cm = (namespace: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${namespace}\ndata:\n  color: "${value}"\n`;

const timeline = async (id: string) => {
  const res = await callRoute(timelineRoute.GET, {
    path: `/api/applications/${id}/timeline`,
    params: { id },
    as: viewer,
  });
  expect(res.status, res.text).toBe(200);
  return ZTimelinePage.parse(res.body).items;
};
const plan = (id: string, deploymentId: string, as: Caller = viewer) =>
  callRoute(rollbackPlanRoute.GET, {
    path: `/api/applications/${id}/rollback?deploymentId=${encodeURIComponent(deploymentId)}`,
    params: { id },
    as,
  });
const rollback = (deploymentId: string, as: Caller = deployer) =>
  callRoute(rollbackRoute.POST, {
    method: "POST",
    path: `/api/deployments/${deploymentId}/rollback`,
    params: { id: deploymentId },
    as,
  });

async function request(targetId: string, manifests: string) {
  const res = await callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId, source: { kind: "manifests", manifests }, application: "web", reason: "ship" },
    as: deployer,
  });
  expect(res.status, res.text).toBe(201);
  return db().deployment.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
}

describe("rollback from the application timeline", () => {
  it("on a target requiring approvals, requests the old revision's digest and waits for approval", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;
    const old = await request(target.targetId, cm(ns, "blue"));
    // Both ran (their approvals are not this test's subject): marked succeeded, the newer one finishing last.
    await db().deployment.update({ where: { id: old.id }, data: { state: "succeeded", finishedAt: new Date(1000) } });
    const live = await request(target.targetId, cm(ns, "green"));
    await db().deployment.update({ where: { id: live.id }, data: { state: "succeeded", finishedAt: new Date(2000) } });
    const appId = old.applicationId!;
    expect(live.applicationId).toBe(appId);

    const before = await timeline(appId);
    const oldEntry = before.find((e) => e.deploymentId === old.id)!;
    expect(oldEntry.rollback).toEqual({ mode: "push", deploymentId: old.id });
    expect(before.find((e) => e.deploymentId === live.id)).toMatchObject({ live: true, rollback: null });

    // The confirmation's plan: from the live deployment to the old one, color green → blue, and the rule.
    const p = await plan(appId, old.id);
    expect(p.status, p.text).toBe(200);
    const body = ZRollbackPlan.parse(p.body);
    expect(body).toMatchObject({
      target: { id: target.targetId, requiredApprovals: 1 },
      from: { deploymentId: live.id, digest: live.manifestsDigest },
      to: { deploymentId: old.id, digest: old.manifestsDigest },
    });
    expect(body.preview.counts).toMatchObject({ change: 1, create: 0, prune: 0 });
    expect(body.preview.objects[0]!.changes).toContainEqual({
      path: "data.color",
      op: "change",
      old: "green",
      new: "blue",
    });
    expect((await plan(appId, live.id)).status).toBe(409); // the live one is not offered
    expect((await plan(appId, "nope")).status).toBe(404);
    expect((await plan(appId, "")).status).toBe(422);

    expect((await rollback(old.id, viewer)).status).toBe(403);
    const res = await rollback(old.id);
    expect(res.status, res.text).toBe(201);
    const row = await db().deployment.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row).toMatchObject({
      applicationId: appId,
      state: "pending-approval",
      approvedAt: null,
      queuedAt: null,
      rollbackOfId: old.id,
      manifestsDigest: old.manifestsDigest,
    });
    const audit = await db().auditEvent.findMany({ where: { subjectId: row.id } });
    expect(audit.map((a) => a.action)).toEqual(["deployment.requested"]);

    const after = await timeline(appId);
    expect(after[0]).toMatchObject({
      kind: "rollback",
      title: "Rollback requested",
      status: "pending-approval",
      deploymentId: row.id,
      rollback: null,
    });
    // Nothing changed in the cluster: what runs is still the live deployment's (never applied here at all).
    expect(await fx.configMap(ns, "settings")).toBeUndefined();
  });

  it("on a target without approvals, queues the old revision and the executor applies it", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 0 });
    const ns = target.namespaces[0]!;
    const old = await request(target.targetId, cm(ns, "blue"));
    expect(old.state).toBe("queued");
    expect((await fx.run(old.id)).row.state).toBe("succeeded");
    const live = await request(target.targetId, cm(ns, "green"));
    expect((await fx.run(live.id)).row.state).toBe("succeeded");
    expect((await fx.configMap(ns, "settings"))?.data).toEqual({ color: "green" });

    const p = ZRollbackPlan.parse((await plan(old.applicationId!, old.id)).body);
    expect(p.target.requiredApprovals).toBe(0);
    const res = await rollback(old.id);
    expect(res.status, res.text).toBe(201);
    expect(res.body.state).toBe("queued");
    const { row } = await fx.run(res.body.id);
    expect(row).toMatchObject({ state: "succeeded", rollbackOfId: old.id, manifestsDigest: old.manifestsDigest });
    expect((await fx.configMap(ns, "settings"))?.data).toEqual({ color: "blue" });

    // The rollback is now what is live; the deployment it replaced may be rolled back to in turn.
    const items = await timeline(old.applicationId!);
    expect(items.find((e) => e.deploymentId === row.id)).toMatchObject({
      kind: "rollback",
      live: true,
      rollback: null,
    });
    expect(items.find((e) => e.deploymentId === live.id)).toMatchObject({
      live: false,
      rollback: { mode: "push", deploymentId: live.id },
    });
  });

  it.each([0, 1])("pins a pull application to an earlier synced revision (%i required approvals)", async (required) => {
    const suffix = randomBytes(3).toString("hex");
    const target = await db().target.create({
      data: { name: `pull-${suffix}`, environment: "prod", mode: "pull", serverUrl: "", requiredApprovals: required },
    });
    const app = await db().application.create({
      data: { name: "shop", targetId: target.id, mode: "pull", sourceKind: "git", inventoryKey: `shop-${suffix}` },
    });
    const repo = await db().pullRepo.create({
      data: {
        targetId: target.id,
        applicationId: app.id,
        url: `https://git.example.test/${suffix}.git`,
        branch: "main",
        createdById: deployer.userId,
      },
    });
    const old = "a".repeat(40);
    const live = "b".repeat(40);
    for (const [i, sha] of [old, live].entries())
      await db().syncEvent.create({
        data: {
          id: `ev-${suffix}-${i}`,
          agentId: "agent-test",
          targetId: target.id,
          repoId: repo.id,
          occurredAt: new Date(Date.UTC(2026, 10, 1, 12, i)),
          kind: "sync",
          trigger: "poll",
          result: "synced",
          revisionSha: sha,
          revisionId: sha,
          revisionAuthorName: "Ada",
        },
      });
    await db().repoStatus.create({ data: { repoId: repo.id, revision: live, state: "synced" } });

    const before = await timeline(app.id);
    expect(before.map((e) => e.rollback)).toEqual([null, { mode: "pull", repoId: repo.id, revision: old }]);
    expect((await plan(app.id, "x")).status).toBe(409); // pull rolls back by pinning

    const res = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: old },
      as: deployer,
    });
    expect(res.status, res.text).toBe(200);
    const after = await timeline(app.id);
    const stored = await db().pullRepo.findUniqueOrThrow({ where: { id: repo.id } });
    if (required === 0) {
      expect(res.body).toMatchObject({ outcome: "pinned", deploymentId: null });
      expect(stored.pinnedRevision).toBe(old);
      expect(after[0]).toMatchObject({ kind: "pin", title: "Pull repository pinned to a revision" });
      expect(after[0]!.actor).toContain(deployer.email); // the token's owner
      expect(after[0]!.revision).toMatchObject({ id: old });
    } else {
      expect(res.body).toMatchObject({ outcome: "pending-approval" });
      expect(stored.pinnedRevision).toBeNull();
      const request = await db().deployment.findUniqueOrThrow({ where: { id: res.body.deploymentId } });
      expect(request).toMatchObject({
        state: "pending-approval",
        revision: old,
        applicationId: app.id,
        approvedAt: null,
      });
      expect(after[0]).toMatchObject({
        kind: "rollback",
        status: "pending-approval",
        deploymentId: request.id,
        title: `Rollback to revision ${old.slice(0, 7)} requested`,
      });
    }
  });
});
