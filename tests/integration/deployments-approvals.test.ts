import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as rollbackRoute from "@/app/api/deployments/[id]/rollback/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { NO_REQUEST } from "@/lib/audit/schemas";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { decideDeployment } from "@/lib/deployments/data/decide-deployment";
import { listAwaitingMyApproval } from "@/lib/deployments/data/list-awaiting-approval";
import { dbFor } from "@/lib/db/client";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer } from "../support/git-server";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let cluster: TestCluster;
let git: GitServer;
let target: SandboxPushTarget;
let deployer: Caller;
let approver1: Caller;
let approver2: Caller;
let admin: Caller;
const cookies = new Map<string, string>();

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 200 });
  git = await startGitServer();
  target = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 2 });
  deployer = await createCaller("deployer");
  approver1 = await createCaller("approver");
  approver2 = await createCaller("approver");
  admin = await createCaller("admin");
});

afterAll(async () => {
  await git?.stop();
  await cluster?.stop();
});

/** A browser session for the caller, so requests come from a person (kind "user"), not an API token. */
async function sessionCookie(caller: Caller): Promise<string> {
  const cached = cookies.get(caller.userId);
  if (cached) return cached;
  const token = newSecretToken("sess");
  await db().session.create({
    data: { tokenHash: sha256Hex(token), userId: caller.userId, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  const cookie = `wharf_session=${token}`;
  cookies.set(caller.userId, cookie);
  return cookie;
}

function configMap(name: string, value = "1"): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "${value}"\n`;
}

async function requestOn(targetId: string, manifests: string, as: Caller = deployer) {
  const res = await callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId, source: { kind: "manifests", manifests }, reason: "r" },
    as,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; state: string; manifestsDigest: string };
}

/** The deployment as the caller's signed-in page sees it (GET /api/deployments/:id). */
async function viewAs(id: string, as: Caller) {
  const res = await callRoute(deploymentRoute.GET, {
    path: `/api/deployments/${id}`,
    params: { id },
    cookie: await sessionCookie(as),
    origin: "http://localhost:3000",
  });
  expect(res.status).toBe(200);
  return res.body as { viewer: { canApprove: boolean; reason: string | null; approvalStartsDeployment: boolean } };
}

/** Approve or reject as a signed-in person (cookie session), or with the caller's API token when `token` is set. */
async function decide(id: string, as: Caller, body: unknown, opts: { token?: boolean } = {}) {
  return callRoute(approvalsRoute.POST, {
    method: "POST",
    path: `/api/deployments/${id}/approvals`,
    params: { id },
    body,
    ...(opts.token ? { as } : { cookie: await sessionCookie(as), origin: "http://localhost:3000" }),
  });
}

async function state(id: string) {
  return (await db().deployment.findUniqueOrThrow({ where: { id } })).state;
}

async function auditActions(id: string) {
  return (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { seq: "asc" } })).map(
    (a) => `${a.action}:${a.outcome}`,
  );
}

describe("approvals", () => {
  it("refuses the requester's own approval (403 + denied audit row), and nothing changes", async () => {
    const d = await requestOn(target.targetId, configMap("self"), admin);
    const res = await decide(d.id, admin, { decision: "approved" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("APPROVAL_SELF_FORBIDDEN");
    expect(res.body.error.message).toBe("You requested this deployment; someone else must approve it.");
    expect(await state(d.id)).toBe("pending-approval");
    expect(await db().deploymentApproval.count({ where: { deploymentId: d.id } })).toBe(0);
    expect(await auditActions(d.id)).toEqual(["deployment.requested:success", "deployment.approval-recorded:denied"]);
  });

  it("refuses the Git commit's author, matched by email", async () => {
    const repo = await git.createRepo(`authored-${randomBytes(3).toString("hex")}`);
    await repo.commit({
      author: { name: "Approver One", email: approver1.email.toUpperCase() },
      files: { "k8s/cm.yaml": configMap("authored") },
    });
    const res = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: {
        targetId: target.targetId,
        source: { kind: "git", url: repo.url, ref: "main", path: "k8s" },
        reason: "git",
      },
      as: deployer,
    });
    expect(res.status).toBe(201);
    const refused = await decide(res.body.id, approver1, { decision: "approved" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("APPROVAL_AUTHOR_FORBIDDEN");
    expect((await decide(res.body.id, approver2, { decision: "approved" })).status).toBe(201);
    expect(await state(res.body.id)).toBe("pending-approval");
  });

  it("refuses API tokens by default, and deployers by role", async () => {
    const d = await requestOn(target.targetId, configMap("tokens"));
    const viaToken = await decide(d.id, approver1, { decision: "approved" }, { token: true });
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.error.code).toBe("APPROVAL_TOKEN_FORBIDDEN");
    const other = await createCaller("deployer");
    // Deployers lack the permission altogether; the route refuses them before the rule is consulted.
    expect((await decide(d.id, other, { decision: "approved" })).status).toBe(403);
    expect(await state(d.id)).toBe("pending-approval");

    // A target that admits token approvals and requires admins: the approver's role is now the problem.
    const strict = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    await db().target.update({
      where: { id: strict.targetId },
      data: { approverRole: "admin", allowTokenApprovals: true },
    });
    const s = await requestOn(strict.targetId, configMap("strict"));
    const byRole = await decide(s.id, approver1, { decision: "approved" }, { token: true });
    expect(byRole.status).toBe(403);
    expect(byRole.body.error.code).toBe("APPROVAL_ROLE_FORBIDDEN");
    const byAdminToken = await decide(s.id, admin, { decision: "approved" }, { token: true });
    expect(byAdminToken.status).toBe(201);
    expect(byAdminToken.body.state).toBe("queued");
  });

  it("two distinct approvers → approved → queued; one person twice does not count twice", async () => {
    const d = await requestOn(target.targetId, configMap("two"));
    // The page says "Approve and deploy" only to whoever would give the last approval the rule needs.
    expect((await viewAs(d.id, approver1)).viewer).toEqual({
      canApprove: true,
      reason: null,
      approvalStartsDeployment: false,
    });
    const first = await decide(d.id, approver1, { decision: "approved", comment: "looks right" });
    expect(first.status).toBe(201);
    expect(first.body.state).toBe("pending-approval");
    expect(first.body.approvalStatus).toMatchObject({ required: 2, approvedCount: 1, satisfied: false });
    expect(first.body.viewer).toEqual({
      canApprove: false,
      reason: "You have already approved or rejected this deployment.",
      approvalStartsDeployment: false,
    });
    expect((await viewAs(d.id, approver2)).viewer).toEqual({
      canApprove: true,
      reason: null,
      approvalStartsDeployment: true,
    });
    const again = await decide(d.id, approver1, { decision: "approved" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("APPROVAL_ALREADY_DECIDED");

    const second = await decide(d.id, approver2, { decision: "approved" });
    expect(second.status).toBe(201);
    expect(second.body.state).toBe("queued");
    expect(second.body.approvedAt).not.toBeNull();
    expect(second.body.queuedAt).not.toBeNull();
    expect(
      second.body.approvals.map((a: { approverId: string; valid: boolean; comment: string }) => [
        a.approverId,
        a.valid,
      ]),
    ).toEqual([
      [approver1.userId, true],
      [approver2.userId, true],
    ]);
    expect(await auditActions(d.id)).toEqual([
      "deployment.requested:success",
      "deployment.approval-recorded:success",
      "deployment.approval-recorded:denied",
      "deployment.approval-recorded:success",
      "deployment.approved:success",
      "deployment.queued:success",
    ]);
    const late = await decide(d.id, admin, { decision: "approved" });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("DEPLOYMENT_STATE_CONFLICT");
  });

  it("two approvers at the same moment: both are recorded, the deployment is queued exactly once", async () => {
    const d = await requestOn(target.targetId, configMap("race"));
    const results = await Promise.all([
      decide(d.id, approver1, { decision: "approved" }),
      decide(d.id, approver2, { decision: "approved" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 201]);
    expect(await state(d.id)).toBe("queued");
    const actions = await auditActions(d.id);
    expect(actions.filter((a) => a === "deployment.queued:success")).toHaveLength(1);
    expect(actions.filter((a) => a === "deployment.approved:success")).toHaveLength(1);
  });

  it("approvals recorded against another digest, or expired, do not count (content change voids approvals)", async () => {
    const d = await requestOn(target.targetId, configMap("voided"));
    // An approval given when the request had other content (as if it was edited since).
    await db().deploymentApproval.create({
      data: {
        deploymentId: d.id,
        approverId: approver1.userId,
        approverEmail: approver1.email,
        approverName: "A1",
        approverKind: "user",
        decision: "approved",
        manifestsDigest: "0".repeat(64),
      },
    });
    // An approval older than the 24 h validity.
    const admin2 = await createCaller("admin");
    await db().deploymentApproval.create({
      data: {
        deploymentId: d.id,
        approverId: admin2.userId,
        approverEmail: admin2.email,
        approverName: "A2",
        approverKind: "user",
        decision: "approved",
        manifestsDigest: d.manifestsDigest,
        // Given for the plan as it is now too (an approval of another plan is void): only its age voids it.
        planDigest: (await db().deployment.findUniqueOrThrow({ where: { id: d.id } })).planDigest,
        createdAt: new Date(Date.now() - 25 * 3_600_000),
      },
    });
    const view = await decideDeployment({
      deploymentId: d.id,
      input: { decision: "approved" },
      approver: { userId: approver2.userId, email: approver2.email, role: "approver", kind: "user", name: "A2" },
      actor: { kind: "user", id: approver2.userId, name: approver2.email },
      request: NO_REQUEST,
    });
    expect(view.state).toBe("pending-approval");
    expect(view.approvalStatus.approvedCount).toBe(1);
    const byApprover = Object.fromEntries(view.approvals.map((a) => [a.approverId, a]));
    expect(byApprover[approver1.userId]).toMatchObject({
      valid: false,
      invalidReason: "Given for different content: the manifests changed since.",
    });
    expect(byApprover[admin2.userId]).toMatchObject({
      valid: false,
      invalidReason: "Expired: approvals count for 24 h.",
    });
    // The voided approver may approve again, for the content as it is now; that makes two.
    const after = await decide(d.id, approver1, { decision: "approved" });
    expect(after.status).toBe(201);
    expect(after.body.state).toBe("queued");
  });

  it("a rejection needs a comment, and rejects", async () => {
    const d = await requestOn(target.targetId, configMap("reject"));
    const bare = await decide(d.id, approver1, { decision: "rejected" });
    expect(bare.status).toBe(422);
    expect(bare.body.error.fields.comment).toEqual(["Say why you reject this deployment."]);
    expect(await state(d.id)).toBe("pending-approval");
    const res = await decide(d.id, approver1, { decision: "rejected", comment: "wrong replica count" });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe("rejected");
    expect(res.body.resultMessage).toMatch(/wrong replica count/);
    expect(res.body.approvals[0]).toMatchObject({ decision: "rejected", comment: "wrong replica count" });
  });
});

describe("superseding", () => {
  it("approving a newer request supersedes older ones that have not started; approving an older one afterwards supersedes it", async () => {
    const own = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const older = await requestOn(own.targetId, configMap("v1"));
    const middle = await requestOn(own.targetId, configMap("v2"));
    const newer = await requestOn(own.targetId, configMap("v3"));
    // The middle one is approved: the oldest is superseded at once, the newest stays pending.
    const approved = await decide(middle.id, approver1, { decision: "approved" });
    expect(approved.body.state).toBe("queued");
    expect(await state(older.id)).toBe("superseded");
    expect(await state(newer.id)).toBe("pending-approval");
    // Approving the newest supersedes the queued middle one (it has not started).
    expect((await decide(newer.id, approver1, { decision: "approved" })).body.state).toBe("queued");
    expect(await state(middle.id)).toBe("superseded");
    expect(await auditActions(middle.id)).toContain("deployment.superseded:success");

    // An older request approved after a newer one was chosen becomes superseded instead of queued.
    const own2 = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const a = await requestOn(own2.targetId, configMap("a"));
    const b = await requestOn(own2.targetId, configMap("b"));
    await db().deployment.update({ where: { id: b.id }, data: { state: "running" } });
    const late = await decide(a.id, approver1, { decision: "approved" });
    expect(late.status).toBe(201);
    expect(late.body.state).toBe("superseded");
    expect(late.body.resultMessage).toMatch(new RegExp(b.id));
  });
});

describe("rollback", () => {
  async function succeeded(targetId: string, manifests: string) {
    const d = await requestOn(targetId, manifests);
    await db().deployment.update({ where: { id: d.id }, data: { state: "succeeded", finishedAt: new Date() } });
    return d;
  }

  it("creates a new pending request with the same manifests, through the same rule", async () => {
    const past = await succeeded(target.targetId, configMap("rollback-me", "7"));
    const res = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: `/api/deployments/${past.id}/rollback`,
      params: { id: past.id },
      as: deployer,
    });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe("pending-approval");
    expect(res.body.rollbackOfId).toBe(past.id);
    expect(res.body.manifestsDigest).toBe(past.manifestsDigest);
    expect(res.body.emergency).toBe(false);
    expect(res.body.reason).toMatch(/^Roll back to deployment/);

    const notSucceeded = await requestOn(target.targetId, configMap("pending"));
    const refused = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: "/x",
      params: { id: notSucceeded.id },
      as: deployer,
    });
    expect(refused.status).toBe(409);
  });

  it("an emergency rollback by an admin skips approvals and records the reason; others are refused", async () => {
    const past = await succeeded(target.targetId, configMap("emergency", "3"));
    const body = { emergency: { reason: "checkout is down" } };
    const byDeployer = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: "/x",
      params: { id: past.id },
      body,
      as: deployer,
    });
    expect(byDeployer.status).toBe(403);
    const noReason = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: "/x",
      params: { id: past.id },
      body: { emergency: { reason: " " } },
      as: admin,
    });
    expect(noReason.status).toBe(422);

    const before = await db().deployment.count();
    const res = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: "/x",
      params: { id: past.id },
      body,
      as: admin,
    });
    expect(res.status).toBe(201);
    expect(await db().deployment.count()).toBe(before + 1);
    expect(res.body).toMatchObject({
      state: "queued",
      emergency: true,
      emergencyReason: "checkout is down",
      rollbackOfId: past.id,
    });
    const audit = await db().auditEvent.findMany({ where: { subjectId: res.body.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["deployment.requested", "deployment.approved", "deployment.queued"]);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({
      emergency: true,
      emergencyReason: "checkout is down",
      rollbackOf: past.id,
    });
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ emergency: true, emergencyReason: "checkout is down" });
  });
});

describe("listAwaitingMyApproval", () => {
  it("lists what the person may approve now: not their own, not decided, not for other roles", async () => {
    const own = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 2 });
    const mine = await requestOn(own.targetId, configMap("awaiting-1"));
    const decided = await requestOn(own.targetId, configMap("awaiting-2"));
    await decide(decided.id, approver2, { decision: "approved" });
    const fresh = await createCaller("approver");
    const freshView = await listAwaitingMyApproval({
      userId: fresh.userId,
      email: fresh.email,
      role: "approver",
      kind: "user",
    });
    expect(freshView.filter((d) => d.target.id === own.targetId).map((d) => d.id)).toEqual([mine.id, decided.id]);
    expect(freshView.find((d) => d.id === decided.id)).toMatchObject({ approvedCount: 1, requiredApprovals: 2 });

    const a2 = await listAwaitingMyApproval({
      userId: approver2.userId,
      email: approver2.email,
      role: "approver",
      kind: "user",
    });
    expect(a2.map((d) => d.id)).toContain(mine.id);
    expect(a2.map((d) => d.id)).not.toContain(decided.id);
    const requester = await listAwaitingMyApproval({
      userId: deployer.userId,
      email: deployer.email,
      role: "deployer",
      kind: "user",
    });
    expect(requester).toEqual([]);
  });
});
