import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as applicationRoute from "@/app/api/applications/[id]/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as rollbackRoute from "@/app/api/deployments/[id]/rollback/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as pullStatusRoute from "@/app/api/targets/[id]/pull-status/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as targetRoute from "@/app/api/targets/[id]/route";
import * as targetsRoute from "@/app/api/targets/route";
import { ZAssignments } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import { claimNextDeployment } from "@/lib/deployments/data/executor-claim";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, createPushTarget, fakeSha } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Deleting a target or an application archives it (issue 16, Must 2): its deployments, approvals and their pages
// stay readable with its name and a deleted marker, nothing can be deployed or synced to it any more, its credentials'
// secret material is destroyed, and its name is free for a new one. Runs on SQLite and PostgreSQL.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let deployer: Caller;
let viewer: Caller;

beforeAll(async () => {
  [admin, deployer, viewer] = await Promise.all([
    createCaller("admin"),
    createCaller("deployer"),
    createCaller("viewer"),
  ]);
});

const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n";

const request = (body: Record<string, unknown>) =>
  callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { source: { kind: "manifests", manifests: CONFIG_MAP }, ...body },
    as: deployer,
  });
const getDeployment = (id: string, as: Caller = viewer) =>
  callRoute(deploymentRoute.GET, { path: `/api/deployments/${id}`, params: { id }, as });
const deleteTarget = (id: string) =>
  callRoute(targetRoute.DELETE, { method: "DELETE", path: `/api/targets/${id}`, params: { id }, as: admin });
const deleteApplication = (id: string) =>
  callRoute(applicationRoute.DELETE, { method: "DELETE", path: `/api/applications/${id}`, params: { id }, as: admin });

/** A deployment that ran: succeeded, with the approval an approver gave it (written as the approval route would). */
async function succeededWithApproval(deploymentId: string, approver: Caller) {
  const d = await db().deployment.findUniqueOrThrow({ where: { id: deploymentId } });
  await db().deploymentApproval.create({
    data: {
      deploymentId,
      approverId: approver.userId,
      approverEmail: approver.email,
      approverName: "Ada Approver",
      approverKind: "user",
      decision: "approved",
      manifestsDigest: d.manifestsDigest,
    },
  });
  await db().deployment.update({
    where: { id: deploymentId },
    data: { state: "succeeded", approvedAt: new Date(), finishedAt: new Date() },
  });
}

describe("deleting a push target archives it", () => {
  it("keeps its deployments and approvals readable, refuses new work, destroys its credentials and frees its name", async () => {
    const target = await createPushTarget();
    await db().target.update({ where: { id: target.id }, data: { requiredApprovals: 1 } });
    const ran = await request({ targetId: target.id, reason: "ship it" });
    expect(ran.status, ran.text).toBe(201);
    await succeededWithApproval(ran.body.id, admin);
    const waiting = await request({ targetId: target.id });
    expect(waiting.status, waiting.text).toBe(201);
    expect(waiting.body.state).toBe("pending-approval");
    const binding = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repo-bindings`,
      params: { id: target.id },
      body: { repoUrl: "https://git.example.test/team/archived.git", branch: "main" },
      as: admin,
    });
    expect(binding.status, binding.text).toBe(201);
    await db().credential.create({
      data: {
        targetId: target.id,
        kind: "bearer-token",
        ciphertext: "sealed-secret-material",
        keyId: "k",
        fingerprint: "fp-archive",
      },
    });

    const deleted = await deleteTarget(target.id);
    expect(deleted.status, deleted.text).toBe(204);

    // The deployment page answers with the target's name and the deleted marker; its approval is still there.
    const page = await getDeployment(ran.body.id);
    expect(page.status, page.text).toBe(200);
    expect(page.body.target).toMatchObject({ id: target.id, name: target.name });
    expect(page.body.target.archived).toMatchObject({ byName: expect.any(String) });
    expect(Date.parse(page.body.target.archived.at)).not.toBeNaN();
    expect(page.body.approvals).toHaveLength(1);
    expect(page.body.approvals[0]).toMatchObject({ approverName: "Ada Approver", decision: "approved" });
    expect(page.body.canRollback).toBe(false);
    // What awaited approval can no longer be approved into a run: it was cancelled, audited.
    const cancelled = await getDeployment(waiting.body.id);
    expect(cancelled.body).toMatchObject({ state: "cancelled", resultMessage: expect.stringContaining(target.name) });

    // The target's own page (the audit trail links to it) answers too, marked; the lists leave it out.
    const own = await callRoute(targetRoute.GET, {
      path: `/api/targets/${target.id}`,
      params: { id: target.id },
      as: viewer,
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ name: target.name, archived: { byName: expect.any(String) } });
    const listed = await callRoute(targetsRoute.GET, { path: `/api/targets?q=${target.name}`, as: viewer });
    expect(listed.body.items.map((x: { id: string }) => x.id)).not.toContain(target.id);
    const withDeleted = await callRoute(targetsRoute.GET, {
      path: `/api/targets?q=${target.name}&deleted=include`,
      as: viewer,
    });
    expect(withDeleted.body.items).toEqual([
      expect.objectContaining({ id: target.id, archived: expect.objectContaining({ byName: expect.any(String) }) }),
    ]);

    // Nothing can be deployed to it: a request and a rollback are refused with a clear code.
    const refused = await request({ targetId: target.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("TARGET_ARCHIVED");
    expect(refused.body.error.message).toContain(target.name);
    const rollback = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: `/api/deployments/${ran.body.id}/rollback`,
      params: { id: ran.body.id },
      as: deployer,
    });
    expect(rollback.status).toBe(409);
    expect(rollback.body.error.code).toBe("TARGET_ARCHIVED");
    expect(
      (
        await callRoute(targetRoute.PATCH, {
          method: "PATCH",
          path: `/api/targets/${target.id}`,
          params: { id: target.id },
          body: { ownerTeam: "ghosts" },
          as: admin,
        })
      ).body.error?.code,
    ).toBe("TARGET_ARCHIVED");
    // Even a queued row written behind the API's back is never claimed by the executor.
    await db().deployment.create({
      data: {
        targetId: target.id,
        state: "queued",
        sourceKind: "manifests",
        manifests: CONFIG_MAP,
        manifestsDigest: fakeSha(),
        objectCount: 1,
        requestedById: deployer.userId,
        requestedByKind: "user",
        requestedByName: "someone",
        queuedAt: new Date(Date.now() - 60_000),
      },
    });
    expect(await claimNextDeployment({ processId: "archive-test", leaseMs: 30_000 })).toBeNull();

    // Webhook pushes find no binding (its sealed secret went with it).
    expect(await db().repoBinding.count({ where: { targetId: target.id } })).toBe(0);
    // The secret material is gone, with its audit row; no row anywhere still holds the ciphertext.
    expect(await db().credential.count({ where: { targetId: target.id } })).toBe(0);
    expect(await db().credential.count({ where: { ciphertext: "sealed-secret-material" } })).toBe(0);
    const audit = await db().auditEvent.findMany({ where: { targetId: target.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "credential.deleted",
        "deployment.cancelled",
        "repo-binding.deleted",
        "application.deleted",
        "target.deleted",
      ]),
    );
    expect(audit.at(-1)!.action).toBe("target.deleted");
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({
      name: target.name,
      archived: true,
      credentialsDeleted: 1,
    });

    // Deleting it again says it is gone already.
    expect((await deleteTarget(target.id)).body.error.code).toBe("TARGET_ARCHIVED");

    // A new target may take the name; the old deployment still reads the old target.
    const again = await callRoute(targetsRoute.POST, {
      method: "POST",
      path: "/api/targets",
      body: { name: target.name, environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
      as: admin,
    });
    expect(again.status, again.text).toBe(201);
    expect(again.body.id).not.toBe(target.id);
    expect(again.body.archived).toBeNull();
    const relisted = await callRoute(targetsRoute.GET, { path: `/api/targets?q=${target.name}`, as: viewer });
    expect(relisted.body.items.map((x: { id: string }) => x.id)).toEqual([again.body.id]);
    expect((await getDeployment(ran.body.id)).body.target.id).toBe(target.id);
    // And two live targets still cannot share a name.
    const clash = await callRoute(targetsRoute.POST, {
      method: "POST",
      path: "/api/targets",
      body: { name: target.name, environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
      as: admin,
    });
    expect(clash.status).toBe(409);
  });
});

describe("deleting a pull target archives it", () => {
  it("its agent no longer gets its spec", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const created = await callRoute(applicationsRoute.POST, {
      method: "POST",
      path: "/api/applications",
      body: {
        name: "shop",
        targetId: target.id,
        source: { kind: "git", repoUrl: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`, path: "deploy" },
      },
      as: deployer,
    });
    expect(created.status, created.text).toBe(201);
    const assigned = async () => {
      const res = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
      expect(res.status, res.text).toBe(200);
      return ZAssignments.parse(res.body).targets;
    };
    expect((await assigned()).map((x) => x.targetId)).toEqual([target.id]);

    expect((await deleteTarget(target.id)).status).toBe(204);
    expect(await assigned()).toEqual([]);
    // Its application is archived with it and readable by id, marked deleted.
    const app = await callRoute(applicationRoute.GET, {
      path: `/api/applications/${created.body.id}`,
      params: { id: created.body.id },
      as: viewer,
    });
    expect(app.status).toBe(200);
    expect(app.body.archived).toMatchObject({ byName: expect.any(String) });
    expect(await db().pullRepo.count({ where: { targetId: target.id } })).toBe(0);
    // Nothing new is registered on it; its pull status page still reads.
    const refused = await callRoute(applicationsRoute.POST, {
      method: "POST",
      path: "/api/applications",
      body: { name: "shop2", targetId: target.id, source: { kind: "git", repoUrl: "https://git.example.test/x.git" } },
      as: deployer,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("TARGET_ARCHIVED");
    const status = await callRoute(pullStatusRoute.GET, {
      path: `/api/targets/${target.id}/pull-status`,
      params: { id: target.id },
      as: viewer,
    });
    expect(status.status, status.text).toBe(200);
  });
});

describe("deleting an application archives it", () => {
  it("keeps its deployments readable and marked, refuses deploying it, and frees its name on the target", async () => {
    const target = await createPushTarget();
    const ran = await request({ targetId: target.id, application: "web" });
    expect(ran.status, ran.text).toBe(201);
    await succeededWithApproval(ran.body.id, admin);
    const appId = (await db().deployment.findUniqueOrThrow({ where: { id: ran.body.id } })).applicationId!;

    const deleted = await deleteApplication(appId);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.message).toContain("stay readable");

    const page = await getDeployment(ran.body.id);
    expect(page.status).toBe(200);
    expect(page.body.application).toMatchObject({ id: appId, name: "web", archived: { byName: expect.any(String) } });
    expect(page.body.target.archived).toBeNull();
    expect(page.body.approvals[0]).toMatchObject({ approverName: "Ada Approver" });
    const own = await callRoute(applicationRoute.GET, {
      path: `/api/applications/${appId}`,
      params: { id: appId },
      as: viewer,
    });
    expect(own.status).toBe(200);
    expect(own.body.archived).not.toBeNull();
    const listed = await callRoute(applicationsRoute.GET, {
      path: `/api/applications?targetId=${target.id}`,
      as: viewer,
    });
    expect(listed.body.items.map((a: { id: string }) => a.id)).not.toContain(appId);

    // Its deployments cannot be rolled back into it, and it cannot be edited or deleted again.
    const rollback = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: `/api/deployments/${ran.body.id}/rollback`,
      params: { id: ran.body.id },
      as: deployer,
    });
    expect(rollback.status).toBe(409);
    expect(rollback.body.error.code).toBe("APPLICATION_ARCHIVED");
    expect((await deleteApplication(appId)).body.error.code).toBe("APPLICATION_ARCHIVED");

    // A new application may take the name: deploying "web" again makes a new one, the old record stays apart.
    const fresh = await request({ targetId: target.id, application: "web" });
    expect(fresh.status, fresh.text).toBe(201);
    const freshAppId = (await db().deployment.findUniqueOrThrow({ where: { id: fresh.body.id } })).applicationId!;
    expect(freshAppId).not.toBe(appId);
    expect((await getDeployment(fresh.body.id)).body.application).toMatchObject({ name: "web", archived: null });
    expect((await getDeployment(ran.body.id)).body.application.id).toBe(appId);
    // The target's default application can be deleted and comes back on the next request that names none.
    const plain = await request({ targetId: target.id });
    expect(plain.status, plain.text).toBe(201);
    await db().deployment.update({
      where: { id: plain.body.id },
      data: { state: "succeeded", finishedAt: new Date() },
    });
    const defaultApp = (await db().deployment.findUniqueOrThrow({ where: { id: plain.body.id } })).applicationId!;
    expect((await deleteApplication(defaultApp)).status).toBe(200);
    const next = await request({ targetId: target.id });
    expect(next.status, next.text).toBe(201);
    const nextApp = await db().application.findUniqueOrThrow({
      where: { id: (await db().deployment.findUniqueOrThrow({ where: { id: next.body.id } })).applicationId! },
    });
    expect(nextApp.id).not.toBe(defaultApp);
    expect(nextApp.inventoryKey).toBe(target.id);
    expect(nextApp.archivedAt).toBeNull();
  });
});
