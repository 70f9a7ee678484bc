import { randomBytes } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as promoteRoute from "@/app/api/applications/[id]/promote/route";
import * as matrixRoute from "@/app/api/applications/matrix/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import { revisionIdOf, specOf, ZAssignments, type TRepoAssignment } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { ZEnvironmentMatrix } from "@/lib/applications/matrix-schemas";
import { dbFor } from "@/lib/db/client";
import { env } from "@/lib/env";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Promote (issue 15, Must 4) for pull: the revision live in staging becomes a pinned-revision request of the
// namesake in prod, decided by prod's approval rule; once approved the prod agent's assignment pins it, and its sync
// completes the request. The agent's side is the agent protocol (assignments, events): nothing is applied here.

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let deployer: Caller;
let approver: Caller;
let viewer: Caller;

beforeAll(async () => {
  [admin, deployer, approver, viewer] = await Promise.all([
    createCaller("admin"),
    createCaller("deployer"),
    createCaller("approver"),
    createCaller("viewer"),
  ]);
});

beforeEach(async () => {
  await db().notificationSink.deleteMany();
});

async function pullTarget(environment: string, requiredApprovals = 0) {
  return db().target.create({
    data: {
      name: `${environment}-${randomBytes(3).toString("hex")}`,
      environment,
      mode: "pull",
      serverUrl: "https://127.0.0.1:6443",
      requiredApprovals,
      // The test's people act with API tokens.
      allowTokenApprovals: true,
    },
  });
}

/** A pull application through `POST /api/applications` (its repository registered with it). */
async function pullApp(
  targetId: string,
  name: string,
  url: string,
  path: string,
): Promise<{ id: string; repoId: string }> {
  const res = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: { name, targetId, source: { kind: "git", repoUrl: url, ref: "main", path } },
    as: deployer,
  });
  expect(res.status, res.text).toBe(201);
  const repo = await db().pullRepo.findUniqueOrThrow({ where: { applicationId: res.body.id } });
  return { id: res.body.id, repoId: repo.id };
}

async function assignment(agent: AgentCaller, repoId: string): Promise<TRepoAssignment> {
  const res = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
  expect(res.status).toBe(200);
  const repo = ZAssignments.parse(res.body)
    .targets.flatMap((x) => x.repos)
    .find((r) => r.repoId === repoId);
  if (!repo) throw new Error("repo not assigned");
  return repo;
}

/** The agent applied `revision` (a sync reported with its commit and author). */
async function synced(agent: AgentCaller, targetId: string, repoId: string, sha: string, revision: string) {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: {
      events: [
        syncEvent({
          targetId,
          repoId,
          trigger: "rollback",
          revision: { sha, id: revision, authorEmail: "ada@example.com", authorName: "Ada", message: "Blue buttons" },
        }),
      ],
    },
    as: agent,
  });
  expect(res.status).toBe(200);
}

const promote = (id: string, body: unknown, as: Caller = deployer) =>
  callRoute(promoteRoute.POST, { method: "POST", path: `/api/applications/${id}/promote`, params: { id }, body, as });

const decide = (deploymentId: string, as: Caller) =>
  callRoute(approvalsRoute.POST, {
    method: "POST",
    path: `/api/deployments/${deploymentId}/approvals`,
    params: { id: deploymentId },
    body: { decision: "approved" },
    as,
  });

/** Staging and prod pull targets served by one agent, each with `shop` from one repository's own folder. */
async function world(prodApprovals: number) {
  const staging = await pullTarget("staging");
  const prod = await pullTarget("prod", prodApprovals);
  const agent = await createEnrolledAgent(admin, [staging.id, prod.id]);
  const url = `https://git.example.test/team/shop-${randomBytes(3).toString("hex")}.git`;
  const name = `shop-${randomBytes(3).toString("hex")}`;
  const stagingApp = await pullApp(staging.id, name, url, "envs/staging");
  const prodApp = await pullApp(prod.id, name, url, "envs/prod");
  const stagingSpec = specOf(await assignment(agent, stagingApp.repoId));
  const prodSpec = specOf(await assignment(agent, prodApp.repoId));
  return { staging, prod, agent, url, name, stagingApp, prodApp, stagingSpec, prodSpec };
}

describe("promote a pull application", () => {
  it("staging's live commit becomes a pinned-revision request on prod: approved by someone else, pinned, synced, live", async () => {
    const w = await world(1);
    const sink = await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: {
        name: `sink-${randomBytes(3).toString("hex")}`,
        url: "https://hooks.example.test/wharf",
        events: ["deployment.awaiting-approval"],
      },
      as: admin,
    });
    expect(sink.status).toBe(201);

    // Prod runs an older commit; staging runs the newer one (its revision id carries staging's spec digest).
    const oldSha = fakeSha();
    const oldProd = revisionIdOf(oldSha, {}, specDigestOf(w.prodSpec));
    await synced(w.agent, w.prod.id, w.prodApp.repoId, oldSha, oldProd);
    // Nothing live in staging yet: nothing to promote.
    expect((await promote(w.stagingApp.id, { to: w.prod.id })).status).toBe(409);
    const sha = fakeSha();
    await synced(w.agent, w.staging.id, w.stagingApp.repoId, sha, revisionIdOf(sha, {}, specDigestOf(w.stagingSpec)));

    expect((await promote(w.stagingApp.id, { to: w.prod.id }, viewer)).status).toBe(403);
    // An admin asks (admins may approve, so the requester ban is what stops them below).
    const promoted = await promote(w.stagingApp.id, { to: w.prod.id }, admin);
    expect(promoted.status, promoted.text).toBe(201);
    expect(promoted.body).toMatchObject({ state: "pending-approval", target: { id: w.prod.id } });
    // The same commit, made with prod's own settings (its folder): what prod's agent will apply.
    const expected = revisionIdOf(sha, {}, specDigestOf(w.prodSpec));
    const row = await db().deployment.findUniqueOrThrow({ where: { id: promoted.body.id } });
    expect(row).toMatchObject({
      sourceKind: "pull-revision",
      applicationId: w.prodApp.id,
      pullRepoId: w.prodApp.repoId,
      revision: expected,
      commitSha: sha,
      commitAuthorEmail: "ada@example.com",
      gitPath: "envs/prod",
      approvedAt: null,
    });
    // The request says what changes in prod: the revision live there now → the promoted one.
    expect(row.reason).toContain(`from ${w.staging.name} (staging) to ${w.prod.name} (prod)`);
    expect(row.reason).toContain(`${oldSha.slice(0, 7)} → ${sha.slice(0, 7)}`);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { subjectId: row.id, action: "deployment.requested" },
    });
    expect(JSON.parse(audit.details)).toMatchObject({
      promotion: true,
      fromApplicationId: w.stagingApp.id,
      previousRevision: oldProd,
    });

    // Approvers hear it is a promotion, with a link to the application.
    const delivery = await db().notificationDelivery.findFirstOrThrow({ where: { sinkId: sink.body.sink.id } });
    const payload = JSON.parse(delivery.payload) as { text: string; wharf: Record<string, unknown> };
    expect(payload.text).toContain("from staging to prod awaiting approval");
    expect(payload.text).toMatch(new RegExp(`^Promotion of <[^|]+/applications/${w.prodApp.id}\\|${w.name}>`));
    expect(payload.wharf.url).toBe(`${env().publicUrl}/applications/${w.prodApp.id}`);

    // Not in force before approval: the agent keeps following its approved revisions.
    expect((await assignment(w.agent, w.prodApp.repoId)).pinnedRevision).toBeNull();
    // Never approved by whoever asked for it.
    const own = await decide(row.id, admin);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe("APPROVAL_SELF_FORBIDDEN");
    expect((await decide(row.id, approver)).status).toBe(201);

    // Approved: the next assignments read pins prod to it, served with prod's spec.
    const pinned = await assignment(w.agent, w.prodApp.repoId);
    expect(pinned.pinnedRevision).toBe(expected);
    expect(pinned.pinnedSpec).toEqual(w.prodSpec);
    expect((await db().deployment.findUniqueOrThrow({ where: { id: row.id } })).state).toBe("queued");

    // The agent syncs it: the request succeeds and the matrix shows prod live at staging's commit.
    await synced(w.agent, w.prod.id, w.prodApp.repoId, sha, expected);
    expect((await db().deployment.findUniqueOrThrow({ where: { id: row.id } })).state).toBe("succeeded");
    const m = ZEnvironmentMatrix.parse(
      (await callRoute(matrixRoute.GET, { path: "/api/applications/matrix?limit=100", as: viewer })).body,
    );
    const cells = m.rows.find((r) => r.name === w.name)!.cells;
    const prodCell = cells[m.environments.indexOf("prod")]!.find((e) => e.target.id === w.prod.id);
    expect(prodCell).toMatchObject({ revision: { commitSha: sha, revisionId: expected }, differsFromPrevious: false });

    // Promoting again changes nothing: prod already runs it.
    expect((await promote(w.stagingApp.id, { to: w.prod.id })).status).toBe(409);
  });

  it("on a target without approvals the request is approved at once and pinned on the next assignments read", async () => {
    const w = await world(0);
    const sha = fakeSha();
    await synced(w.agent, w.staging.id, w.stagingApp.repoId, sha, revisionIdOf(sha, {}, specDigestOf(w.stagingSpec)));
    const promoted = await promote(w.stagingApp.id, { to: w.prod.id, reason: "Ship the blue buttons" });
    expect(promoted.status, promoted.text).toBe(201);
    expect(promoted.body).toMatchObject({ state: "approved", reason: "Ship the blue buttons" });
    expect((await assignment(w.agent, w.prodApp.repoId)).pinnedRevision).toBe(
      revisionIdOf(sha, {}, specDigestOf(w.prodSpec)),
    );
  });

  it("refuses what it cannot promote: another mode, another repository, an unknown application", async () => {
    const w = await world(1);
    const sha = fakeSha();
    await synced(w.agent, w.staging.id, w.stagingApp.repoId, sha, revisionIdOf(sha, {}, specDigestOf(w.stagingSpec)));
    const push = await db().target.create({
      data: {
        name: `push-${randomBytes(3).toString("hex")}`,
        environment: "prod",
        mode: "push",
        serverUrl: "https://127.0.0.1:1",
      },
    });
    await db().application.create({
      data: {
        name: w.name,
        targetId: push.id,
        mode: "push",
        sourceKind: "manifests",
        inventoryKey: `p-${randomBytes(4).toString("hex")}`,
      },
    });
    const toPush = await promote(w.stagingApp.id, { to: push.id });
    expect(toPush.status).toBe(409);
    expect(toPush.body.error.code).toBe("TARGET_NOT_PULL");

    const elsewhere = await pullTarget("prod", 1);
    await pullApp(elsewhere.id, w.name, "https://git.example.test/other/repo.git", "envs/prod");
    const otherRepo = await promote(w.stagingApp.id, { to: elsewhere.id });
    expect(otherRepo.status).toBe(409);
    expect(otherRepo.body.error.message).toContain("another repository");

    expect((await promote(w.stagingApp.id, { to: (await pullTarget("prod")).id })).status).toBe(404);
    expect(await db().deployment.count({ where: { pullRepoId: w.prodApp.repoId } })).toBe(0);
  });
});
