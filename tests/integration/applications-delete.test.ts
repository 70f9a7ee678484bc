import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as applicationRoute from "@/app/api/applications/[id]/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as cancelRoute from "@/app/api/deployments/[id]/cancel/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import { revisionIdOf, specOf, ZAssignments } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, createPushTarget, fakeSha, syncEvent } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// DELETE /api/applications/:id: refused while one of its deployments awaits approval, waits or runs; otherwise the
// application is archived (with, for pull, its repository registration, and the webhook bindings that deploy it
// removed) and its history stays, still linked to it. Objects it applied stay in the cluster.
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

const remove = (id: string, as: Caller = deployer) =>
  callRoute(applicationRoute.DELETE, { method: "DELETE", path: `/api/applications/${id}`, params: { id }, as });
const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n";

describe("DELETE /api/applications/:id", () => {
  it("push: refused while a deployment is open, then removes the application and its bindings; history is kept", async () => {
    const target = await createPushTarget();
    const binding = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repo-bindings`,
      params: { id: target.id },
      body: { repoUrl: "https://git.example.test/team/web.git", branch: "main" },
      as: admin,
    });
    expect(binding.status).toBe(201);
    const requested = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: target.id, source: { kind: "manifests", manifests: CONFIG_MAP } },
      as: deployer,
    });
    expect(requested.status, requested.text).toBe(201);
    const deployment = await db().deployment.findUniqueOrThrow({ where: { id: requested.body.id } });
    const appId = deployment.applicationId!;
    expect(appId).toBeTruthy();

    expect((await remove(appId, viewer)).status).toBe(403);
    for (const state of ["pending-approval", "running", "queued"]) {
      await db().deployment.update({ where: { id: deployment.id }, data: { state } });
      const refused = await remove(appId);
      expect(refused.status, state).toBe(409);
      expect(refused.body.error).toMatchObject({ code: "APPLICATION_BUSY" });
      expect(refused.body.error.message).toContain(deployment.id);
      expect(refused.body.error.message).toContain(
        state === "running" ? "running" : state === "queued" ? "waiting to run" : "awaiting approval",
      );
    }
    expect(await db().application.count({ where: { id: appId } })).toBe(1);
    expect(await db().repoBinding.count({ where: { id: binding.body.binding.id } })).toBe(1);
    expect(await db().auditEvent.count({ where: { action: "application.deleted", subjectId: appId } })).toBe(0);

    // Cancelled first: now it goes.
    const cancelled = await callRoute(cancelRoute.POST, {
      method: "POST",
      path: `/api/deployments/${deployment.id}/cancel`,
      params: { id: deployment.id },
      as: deployer,
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    const removed = await remove(appId);
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body).toMatchObject({
      id: appId,
      targetId: target.id,
      mode: "push",
      pullRepoRemoved: null,
      repoBindingsRemoved: 1,
    });
    expect(removed.body.message).toContain("stay in the cluster");
    expect(await db().application.findUniqueOrThrow({ where: { id: appId } })).toMatchObject({ archivedKey: appId });
    expect(await db().repoBinding.count({ where: { id: binding.body.binding.id } })).toBe(0);
    // History stays, still linked to the archived application.
    expect(await db().deployment.findUniqueOrThrow({ where: { id: deployment.id } })).toMatchObject({
      state: "cancelled",
      applicationId: appId,
    });
    const audit = await db().auditEvent.findMany({ where: { targetId: target.id }, orderBy: { seq: "asc" } });
    const actions = audit.map((a) => a.action);
    expect(actions).toContain("application.created");
    expect(actions.slice(-2)).toEqual(["repo-binding.deleted", "application.deleted"]);
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({ repoBindingsRemoved: 1, pullRepoRemoved: null });
    expect((await remove(appId)).body.error.code).toBe("APPLICATION_ARCHIVED");
  });

  it("pull: removes its repository registration (the agent stops syncing it), cancels its revision requests, keeps its sync history", async () => {
    const target = await createPullTarget({ requiredApprovals: 1 });
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
    expect(created.status).toBe(201);
    const app = created.body;
    const repoId: string = app.pullRepoId;
    const assigned = async () => {
      const res = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
      return ZAssignments.parse(res.body).targets.flatMap((x) => x.repos);
    };
    const repo = (await assigned()).find((r) => r.repoId === repoId)!;
    const sha = fakeSha();
    const revision = revisionIdOf(sha, {}, specDigestOf(specOf(repo)));
    const events = await callRoute(eventsRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/events",
      body: {
        events: [
          syncEvent({
            targetId: target.id,
            repoId,
            kind: "pending-approval",
            result: "pending-approval",
            revision: { sha, id: revision },
          }),
        ],
      },
      as: agent,
    });
    expect(events.status).toBe(200);
    const request = await db().deployment.findFirstOrThrow({
      where: { pullRepoId: repoId, state: "pending-approval" },
    });
    expect(request.applicationId).toBe(app.id);
    const syncEvents = await db().syncEvent.count({ where: { repoId } });
    expect(syncEvents).toBeGreaterThan(0);

    // The agent's own approval requests do not hold the deletion up: they go with the registration.
    const removed = await remove(app.id);
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body).toMatchObject({ mode: "pull", pullRepoRemoved: repoId, cancelledRequests: 1 });
    expect(removed.body.message).toContain("stops syncing");
    expect(await db().pullRepo.count({ where: { id: repoId } })).toBe(0);
    expect((await db().application.findUniqueOrThrow({ where: { id: app.id } })).archivedAt).not.toBeNull();
    expect((await assigned()).map((r) => r.repoId)).not.toContain(repoId);
    expect(await db().deployment.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
      state: "cancelled",
      applicationId: app.id,
    });
    expect(await db().syncEvent.count({ where: { repoId } })).toBe(syncEvents);
    const actions = (await db().auditEvent.findMany({ where: { targetId: target.id }, orderBy: { seq: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions.slice(-3)).toEqual(["deployment.cancelled", "repo.removed", "application.deleted"]);
  });
});
