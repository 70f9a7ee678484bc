import "reflect-metadata";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { beforeAll, describe, expect, it } from "vitest";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as rollbackRoute from "@/app/api/deployments/[id]/rollback/route";
import * as previewRoute from "@/app/api/deployments/[id]/preview/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { runOnce } from "@/lib/deployments/executor";
import type { DeploymentPreview } from "@/lib/deployments/schemas";
import { callRoute, createCaller, type Caller } from "../support/api";
import { appManifests, insertQueuedDeployment } from "../support/executor";
import { EXECUTOR_TEST_SETTINGS, useExecutorFixture } from "../support/executor-fixture";
import type { SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Issue 14, Must 3: what approvers approved is what runs. The executor recomputes the plan (creates, changes,
// prunes) before applying an approved deployment; when another deployment of the same application landed since the
// preview, the run stops in plan-changed with nothing applied instead of pruning what the approvers never saw.

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
const settings = EXECUTOR_TEST_SETTINGS;
const configMap = fx.configMap;
let deployer: Caller;
let approver: Caller;

beforeAll(async () => {
  deployer = await createCaller("deployer");
  approver = await createCaller("approver");
});

/** Requests through the API, so the preview (and its plan digest) is computed the way a person sees it. */
async function request(target: SandboxPushTarget, manifests: string) {
  const res = await callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId: target.targetId, source: { kind: "manifests", manifests }, reason: "plan test" },
    as: deployer,
  });
  expect(res.status).toBe(201);
  const row = await db().deployment.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
  expect(row.state).toBe("pending-approval");
  expect(row.planDigest).toMatch(/^sha256:/);
  return row;
}

/** Approves as a signed-in person (a cookie session: approvals come from people). */
async function approve(id: string, who: Caller = approver, expected = "queued") {
  const token = newSecretToken("sess");
  await db().session.create({
    data: { tokenHash: sha256Hex(token), userId: who.userId, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  const res = await callRoute(approvalsRoute.POST, {
    method: "POST",
    path: `/api/deployments/${id}/approvals`,
    params: { id },
    body: { decision: "approved" },
    cookie: `wharf_session=${token}`,
    origin: "http://localhost:3000",
  });
  expect(res.status).toBe(201);
  expect((await db().deployment.findUniqueOrThrow({ where: { id } })).state).toBe(expected);
}

const run = (id: string) => fx.run(id, { processId: "exec-plan" });

describe("executor: an approved plan that changed before the run stops it", () => {
  it("stops in plan-changed, applies nothing, and says why, when another deployment of the application landed", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;

    // podinfo's deployment of the application is on its way; guestbook is requested and previewed before it lands,
    // while nothing of the application exists yet: create 1, prune 0.
    const podinfoId = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({ namespace: ns, configMaps: ["podinfo-a", "podinfo-b", "podinfo-c"] }),
    });
    const guestbook = await request(target, appManifests({ namespace: ns, configMaps: ["guestbook"] }));
    const preview = JSON.parse(guestbook.previewJson ?? "null") as DeploymentPreview;
    expect(preview.counts).toMatchObject({ create: 1, prune: 0 });
    await db().deployment.update({ where: { id: podinfoId }, data: { applicationId: guestbook.applicationId } });

    // The approver approves what they saw (prune 0) while podinfo's deployment runs; then podinfo lands.
    let approved = false;
    const landed = await runOnce({
      processId: "exec-plan",
      ...settings,
      onPhase: async () => {
        if (approved) return;
        approved = true;
        await approve(guestbook.id);
      },
    });
    expect(landed).toMatchObject({ deploymentId: podinfoId, state: "succeeded" });
    expect(approved).toBe(true);

    // The plan now would prune podinfo's three objects: the run stops before applying anything.
    const { row, log } = await run(guestbook.id);
    expect(row.state).toBe("plan-changed");
    expect(row.resultMessage).toMatch(/^The plan changed since it was approved \(another deployment of .+ landed\)/);
    expect(row.resultMessage).toContain("create 1, change 0, prune 3");
    expect(row.resultMessage).toContain("Nothing was applied");
    expect(log).toContain("Deployment plan-changed: The plan changed since it was approved");

    for (const name of ["podinfo-a", "podinfo-b", "podinfo-c"]) expect(await configMap(ns, name), name).toBeDefined();
    expect(await configMap(ns, "guestbook")).toBeUndefined();
    const touched = await db().deploymentObject.findMany({
      where: { deploymentId: guestbook.id, action: { not: "pending" } },
    });
    expect(touched).toEqual([]);
    const audit = await db().auditEvent.findMany({ where: { subjectId: guestbook.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action).at(-1)).toBe("deployment.plan-changed");

    // The way forward: request it again; the new request previews the plan as it is now, for new approvals.
    const view = await callRoute(deploymentRoute.GET, {
      method: "GET",
      path: `/api/deployments/${guestbook.id}`,
      params: { id: guestbook.id },
      as: deployer,
    });
    expect(view.body).toMatchObject({ state: "plan-changed", canRollback: true, canEmergencyRollback: false });
    const again = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: `/api/deployments/${guestbook.id}/rollback`,
      params: { id: guestbook.id },
      as: deployer,
    });
    expect(again.status).toBe(201);
    const fresh = await db().deployment.findUniqueOrThrow({ where: { id: (again.body as { id: string }).id } });
    expect(fresh).toMatchObject({
      state: "pending-approval",
      manifestsSha256: guestbook.manifestsSha256,
      rollbackOfId: null,
    });
    expect(fresh.applicationId).toBe(guestbook.applicationId);
    expect(JSON.parse(fresh.previewJson ?? "null").counts).toMatchObject({ create: 1, prune: 3 });
    expect(await db().deploymentApproval.count({ where: { deploymentId: fresh.id } })).toBe(0);
  });

  it("runs an approved deployment whose plan did not change", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;
    const first = await request(target, appManifests({ namespace: ns, configMaps: ["keep", "drop"] }));
    await approve(first.id);
    expect((await run(first.id)).row.state).toBe("succeeded");

    const second = await request(target, appManifests({ namespace: ns, configMaps: ["keep", "new"] }));
    expect(JSON.parse(second.previewJson ?? "null").counts).toMatchObject({ create: 1, prune: 1 });
    await approve(second.id);
    const { row, log } = await run(second.id);
    expect(row.state).toBe("succeeded");
    expect(log).toContain("The recomputed plan is the approved one (create 1, change 0, prune 1).");
    expect(await configMap(ns, "drop")).toBeUndefined();
    expect(await configMap(ns, "new")).toBeDefined();
  });

  it("applies from what the plan re-check read: its first request after the re-check is a write", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;
    // Every API request of this process (the executor's client is its own), marked from the run's first phase on:
    // the plan re-check has read the objects and the ApplySet parent by then.
    const sent: { method: string; path: string; applying: boolean }[] = [];
    let applying = false;
    const onCreate = (message: unknown) => {
      const { method, path } = (message as { request: { method: string; path: string } }).request;
      sent.push({ method, path, applying });
    };
    const readsBeforeFirstWrite = async (id: string) => {
      sent.length = 0;
      applying = false;
      subscribe("undici:request:create", onCreate);
      try {
        const { row } = await fx.run(id, {
          processId: "exec-plan",
          onPhase: () => {
            applying = true;
            return Promise.resolve();
          },
        });
        expect(row.state).toBe("succeeded");
      } finally {
        unsubscribe("undici:request:create", onCreate);
      }
      const apply = sent.filter((r) => r.applying);
      const firstWrite = apply.findIndex((r) => r.method === "PATCH" && !r.path.includes("dryRun"));
      return apply
        .slice(0, firstWrite + 1)
        .map((r) => `${r.method} ${r.path.split("?")[0]!.split("/").slice(-2).join("/")}`);
    };

    // A new application: the parent write goes out first, its first object alongside it (parentAlongside).
    const first = await request(target, appManifests({ namespace: ns, configMaps: ["a"] }));
    await approve(first.id);
    expect(await readsBeforeFirstWrite(first.id)).toEqual([expect.stringMatching(/^PATCH configmaps\/applyset-/)]);

    // A re-deploy: the parent is current, and the object's own apply is the first request.
    const second = await request(target, appManifests({ namespace: ns, configMaps: ["a", "b"] }));
    await approve(second.id);
    expect(await readsBeforeFirstWrite(second.id)).toEqual([expect.stringMatching(/^PATCH configmaps\/[ab]$/)]);
  });

  it("an approval of the old plan does not count once a new preview shows another plan", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 2 });
    const ns = target.namespaces[0]!;
    const second = await createCaller("approver");
    const podinfoId = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({ namespace: ns, configMaps: ["podinfo-a", "podinfo-b", "podinfo-c"] }),
    });
    const guestbook = await request(target, appManifests({ namespace: ns, configMaps: ["guestbook"] }));
    await db().deployment.update({ where: { id: podinfoId }, data: { applicationId: guestbook.applicationId } });
    await approve(guestbook.id, approver, "pending-approval");
    expect((await run(podinfoId)).row.state).toBe("succeeded");

    // Preview again: the plan now prunes podinfo's objects, so the first approval (of prune 0) no longer counts.
    const previewed = await callRoute(previewRoute.POST, {
      method: "POST",
      path: `/api/deployments/${guestbook.id}/preview`,
      params: { id: guestbook.id },
      as: deployer,
    });
    expect(previewed.body).toMatchObject({ preview: { counts: { create: 1, prune: 3 } } });
    expect(previewed.body).toMatchObject({ approvalStatus: { approvedCount: 0 } });
    await approve(guestbook.id, second, "pending-approval");
    await approve(guestbook.id, approver, "queued");

    // Approved for the plan it now runs: prune 3.
    const { row, log } = await run(guestbook.id);
    expect(row.state).toBe("succeeded");
    expect(log).toContain("The recomputed plan is the approved one (create 1, change 0, prune 3).");
    expect(await configMap(ns, "podinfo-a")).toBeUndefined();
  });
});
