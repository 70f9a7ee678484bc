import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as enrolRoute from "@/app/api/agent/v1/enrol/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as heartbeatRoute from "@/app/api/agent/v1/heartbeat/route";
import * as agentsRoute from "@/app/api/agents/route";
import * as revokeRoute from "@/app/api/agents/[id]/revoke/route";
import * as rotateRoute from "@/app/api/agents/[id]/rotate/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as rollbackRoute from "@/app/api/deployments/[id]/rollback/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as pullStatusRoute from "@/app/api/targets/[id]/pull-status/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { LONG_POLL_TIMEOUT_MS, ZAssignments } from "@/lib/agent/protocol";
import { notifyPullRepos } from "@/lib/agents/data/notify";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import {
  createEnrolledAgent,
  createPullTarget,
  createPushTarget,
  fakeSha,
  syncEvent,
  type AgentCaller,
} from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);

let admin: Caller;
let deployer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
});

async function register(targetId: string, body: Record<string, unknown> = {}, as: Caller = deployer) {
  return callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repos`,
    params: { id: targetId },
    body: { url: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`, ...body },
    as,
  });
}

async function poll(agent: AgentCaller, query = "") {
  return callRoute(assignmentsRoute.GET, { path: `/api/agent/v1/assignments${query}`, as: agent });
}

async function sendEvents(agent: AgentCaller, events: unknown[], extra: Record<string, unknown> = {}) {
  return callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events, ...extra },
    as: agent,
  });
}

describe("agent enrolment", () => {
  it("exchanges the one-time token for a credential; a second use is refused and audited", async () => {
    const target = await createPullTarget();
    const created = await callRoute(agentsRoute.POST, {
      method: "POST",
      path: "/api/agents",
      body: { name: "enrol-once", targetIds: [target.id] },
      as: admin,
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^wharfe_/);
    expect(created.body.snippet).toContain(created.body.secret);
    expect(created.body.agent.state).toBe("awaiting-enrolment");
    // Only the hash is stored.
    const stored = await db().agent.findUniqueOrThrow({ where: { id: created.body.agent.id } });
    expect(JSON.stringify(stored)).not.toContain(created.body.secret);

    const body = { enrolmentToken: created.body.secret, hostname: "node-1", version: "1.2.3" };
    const first = await callRoute(enrolRoute.POST, { method: "POST", path: "/api/agent/v1/enrol", body });
    expect(first.status).toBe(201);
    expect(first.body.agentId).toBe(created.body.agent.id);
    expect(first.body.credential).toMatch(/^wharfa_/);
    const second = await callRoute(enrolRoute.POST, { method: "POST", path: "/api/agent/v1/enrol", body });
    expect(second.status).toBe(401);
    expect(second.body.error.code).toBe("ENROLMENT_TOKEN_INVALID");

    const audits = await db().auditEvent.findMany({
      where: { action: { in: ["agent.enrolled", "agent.denied"] } },
      orderBy: { seq: "asc" },
    });
    expect(audits.filter((a) => a.action === "agent.enrolled" && a.subjectId === created.body.agent.id)).toHaveLength(
      1,
    );
    const reuse = audits.filter((a) => a.action === "agent.denied" && a.subjectId === created.body.agent.id);
    expect(reuse).toHaveLength(1);
    expect(reuse[0]!.outcome).toBe("denied");
    expect(JSON.parse(reuse[0]!.details).reason).toBe("enrolment token already used");
    // A token matching no agent is refused without an audit row: anonymous noise cannot flood the trail.
    const deniedBefore = await db().auditEvent.count({ where: { action: "agent.denied" } });
    const unknown = await callRoute(enrolRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/enrol",
      body: { ...body, enrolmentToken: "wharfe_nope" },
    });
    expect(unknown.status).toBe(401);
    expect(await db().auditEvent.count({ where: { action: "agent.denied" } })).toBe(deniedBefore);
    expect(audits.map((a) => a.details).join()).not.toContain(first.body.credential);

    // The credential works.
    const assignments = await poll({ ...admin, token: first.body.credential, agentId: first.body.agentId });
    expect(assignments.status).toBe(200);
    expect(ZAssignments.parse(assignments.body).targets.map((x) => x.targetId)).toEqual([target.id]);
  });

  it("refuses an expired enrolment token", async () => {
    const target = await createPullTarget();
    const created = await callRoute(agentsRoute.POST, {
      method: "POST",
      path: "/api/agents",
      body: { name: "enrol-late", targetIds: [target.id] },
      as: admin,
    });
    await db().agent.update({
      where: { id: created.body.agent.id },
      data: { enrolmentExpiresAt: new Date(Date.now() - 1000) },
    });
    const res = await callRoute(enrolRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/enrol",
      body: { enrolmentToken: created.body.secret, version: "1" },
    });
    expect(res.status).toBe(401);
  });

  it("creates agents for pull targets only, and only admins may", async () => {
    const push = await createPushTarget();
    const res = await callRoute(agentsRoute.POST, {
      method: "POST",
      path: "/api/agents",
      body: { name: "on-push", targetIds: [push.id] },
      as: admin,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("TARGET_NOT_PULL");
    const pull = await createPullTarget();
    const denied = await callRoute(agentsRoute.POST, {
      method: "POST",
      path: "/api/agents",
      body: { name: "by-deployer", targetIds: [pull.id] },
      as: deployer,
    });
    expect(denied.status).toBe(403);
  });

  it("rotation stops the old credential; revocation stops the agent", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const rotated = await callRoute(rotateRoute.POST, {
      method: "POST",
      path: `/api/agents/${agent.agentId}/rotate`,
      params: { id: agent.agentId },
      as: admin,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^wharfa_/);
    expect((await poll(agent, "?wait=0")).status).toBe(401);
    const fresh = { ...agent, token: rotated.body.secret as string };
    expect((await poll(fresh, "?wait=0")).status).toBe(200);

    const revoked = await callRoute(revokeRoute.POST, {
      method: "POST",
      path: `/api/agents/${agent.agentId}/revoke`,
      params: { id: agent.agentId },
      as: admin,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.agent.state).toBe("revoked");
    const after = await poll(fresh, "?wait=0");
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("AGENT_UNAUTHENTICATED");
  });
});

describe("agent credential scope", () => {
  it("events or heartbeats for another target's repository → 403 and an agent.denied audit row; nothing stored", async () => {
    const mine = await createPullTarget();
    const theirs = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [mine.id]);
    const myRepo = (await register(mine.id)).body;
    const theirRepo = (await register(theirs.id)).body;

    const foreignTarget = await sendEvents(agent, [syncEvent({ targetId: theirs.id, repoId: theirRepo.id })]);
    expect(foreignTarget.status).toBe(403);
    expect(foreignTarget.body.error.code).toBe("AGENT_SCOPE_FORBIDDEN");
    // Naming its own target with another target's repository is refused too.
    const smuggled = await sendEvents(agent, [
      syncEvent({ targetId: mine.id, repoId: myRepo.id }),
      syncEvent({ targetId: mine.id, repoId: theirRepo.id }),
    ]);
    expect(smuggled.status).toBe(403);
    expect(await db().syncEvent.count({ where: { agentId: agent.agentId } })).toBe(0);

    const hb = await callRoute(heartbeatRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/heartbeat",
      body: { version: "1", hostname: "h", repos: [{ repoId: theirRepo.id, revision: null, state: "in-sync" }] },
      as: agent,
    });
    expect(hb.status).toBe(403);

    const denied = await db().auditEvent.findMany({ where: { action: "agent.denied", subjectId: agent.agentId } });
    expect(denied).toHaveLength(3);
    expect(denied.every((a) => a.outcome === "denied" && a.actorKind === "agent")).toBe(true);
    expect(denied[0]!.targetId).toBe(theirs.id);
    // Its assignments never name the other target.
    const a = ZAssignments.parse((await poll(agent)).body);
    expect(a.targets.map((x) => x.targetId)).toEqual([mine.id]);
  });
});

describe("events", () => {
  it("are idempotent by id: the same batch twice is stored once", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = (await register(target.id)).body;
    const sha = fakeSha();
    const batch = [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        trigger: "registered",
        revision: { sha, message: "first", authorName: "A", authorEmail: "a@x" },
        counts: { created: 2, changed: 0, unchanged: 0, pruned: 0 },
      }),
      syncEvent({ targetId: target.id, repoId: repo.id, result: "failed", message: "git unreachable" }),
    ];
    const first = await sendEvents(agent, batch);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 2, duplicates: 0 });
    const again = await sendEvents(agent, batch);
    expect(again.body).toEqual({ accepted: 0, duplicates: 2 });
    // Same ids concurrently: still one row each.
    const extra = syncEvent({ targetId: target.id, repoId: repo.id });
    const racing = await Promise.all([sendEvents(agent, [extra]), sendEvents(agent, [extra])]);
    expect(racing.map((r) => r.body.accepted).sort()).toEqual([0, 1]);
    expect(await db().syncEvent.count({ where: { repoId: repo.id } })).toBe(3);
    const stored = await db().syncEvent.findUniqueOrThrow({ where: { id: batch[0]!.id } });
    expect(stored.revisionSha).toBe(sha);
    expect(stored.createdCount).toBe(2);
  });

  it("records dropped events reported by the agent", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const res = await sendEvents(agent, [], { dropped: 7 });
    expect(res.status).toBe(200);
    const row = await db().auditEvent.findFirstOrThrow({
      where: { action: "sync.events-dropped", subjectId: agent.agentId },
    });
    expect(JSON.parse(row.details)).toEqual({ dropped: 7 });
  });
});

describe("heartbeat", () => {
  it("updates the agent's last seen, version, and each repository's status", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = (await register(target.id)).body;
    await db().agent.update({ where: { id: agent.agentId }, data: { lastSeenAt: new Date(Date.now() - 3_600_000) } });
    const staleStatus = await callRoute(pullStatusRoute.GET, {
      path: `/api/targets/${target.id}/pull-status`,
      params: { id: target.id },
      as: deployer,
    });
    expect(staleStatus.body.agentsStale).toBe(true);
    expect(staleStatus.body.agents[0].state).toBe("stale");

    const sha = fakeSha();
    const hb = await callRoute(heartbeatRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/heartbeat",
      body: {
        version: "2.0.0",
        hostname: "agent-pod-1",
        repos: [{ repoId: repo.id, revision: sha, state: "drifted", message: "1 object drifted" }],
      },
      as: agent,
    });
    expect(hb.status).toBe(200);
    const row = await db().agent.findUniqueOrThrow({ where: { id: agent.agentId } });
    expect(row.version).toBe("2.0.0");
    expect(row.hostname).toBe("agent-pod-1");
    expect(Date.now() - row.lastSeenAt!.getTime()).toBeLessThan(10_000);

    const status = await callRoute(pullStatusRoute.GET, {
      path: `/api/targets/${target.id}/pull-status`,
      params: { id: target.id },
      as: deployer,
    });
    expect(status.status).toBe(200);
    expect(status.body.state).toBe("drifted");
    expect(status.body.currentRevision).toBe(sha);
    expect(status.body.agentsStale).toBe(false);
    expect(status.body.agents[0].version).toBe("2.0.0");
    expect(status.body.repos[0].status.message).toBe("1 object drifted");

    // An older event replayed afterwards does not roll the status back.
    await sendEvents(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        result: "failed",
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      }),
    ]);
    expect((await db().repoStatus.findUniqueOrThrow({ where: { repoId: repo.id } })).state).toBe("drifted");
  });

  it("a heartbeat read before a sync finished, arriving after its event, does not put the status back", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = (await register(target.id)).body;
    const heartbeat = (body: Record<string, unknown>) =>
      callRoute(heartbeatRoute.POST, { method: "POST", path: "/api/agent/v1/heartbeat", body, as: agent });
    const statusRow = () => db().repoStatus.findUniqueOrThrow({ where: { repoId: repo.id } });
    // The agent reads its states (nothing applied yet), then the sync finishes and its event reaches Wharf first.
    const readAt = new Date(Date.now() - 2_000).toISOString();
    const sha = fakeSha();
    await sendEvents(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        occurredAt: new Date(Date.now() - 1_000).toISOString(),
        revision: { sha, message: "first", authorName: "A", authorEmail: "a@x" },
      }),
    ]);
    expect((await statusRow()).revision).toBe(sha);
    const stale = {
      version: "2.0.0",
      hostname: "h",
      repos: [{ repoId: repo.id, revision: null, state: "out-of-sync" }],
    };
    const late = await heartbeat({ ...stale, observedAt: readAt });
    expect(late.status).toBe(200);
    const kept = await statusRow();
    expect(kept.revision).toBe(sha);
    expect(kept.state).toBe("in-sync");
    // The agent is still seen, and its next heartbeat, read after the event, is the status again.
    expect(
      Date.now() - (await db().agent.findUniqueOrThrow({ where: { id: agent.agentId } })).lastSeenAt!.getTime(),
    ).toBeLessThan(10_000);
    await heartbeat({ ...stale, observedAt: new Date().toISOString() });
    expect((await statusRow()).revision).toBeNull();
    // A time ahead of Wharf's clock counts as now: it cannot make a state newer than every later event.
    await heartbeat({
      ...stale,
      repos: [{ repoId: repo.id, revision: sha, state: "in-sync" }],
      observedAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await statusRow()).updatedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe("assignments long poll", () => {
  it("answers at once on first call, holds when nothing changed, and returns at once when a repo is registered", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const first = await poll(agent);
    expect(first.body.changed).toBe(true);
    const version = first.body.version as string;

    const started = Date.now();
    const idle = await poll(agent, `?since=${version}&wait=1`);
    expect(idle.body.changed).toBe(false);
    expect(idle.body.version).toBe(version);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const t0 = Date.now();
    const waiting = poll(agent, `?since=${version}`); // default wait: 25 s
    await new Promise((r) => setTimeout(r, 200));
    const repo = (
      await register(target.id, {
        branch: "release",
        pollIntervalSeconds: 5,
        imagePolicies: [{ name: "app", repository: "127.0.0.1:5000/team/app", semver: "^1" }],
      })
    ).body;
    const woke = await waiting;
    const elapsed = Date.now() - t0;
    // Woken by the change: a poll nobody woke answers only when its hold runs out.
    expect(elapsed).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    expect(woke.body.changed).toBe(true);
    const parsed = ZAssignments.parse(woke.body);
    expect(parsed.targets[0]!.repos).toEqual([
      expect.objectContaining({
        repoId: repo.id,
        branch: "release",
        path: ".",
        pollIntervalSeconds: 5,
        prune: true,
        selfHeal: true,
        approvedRevision: null,
        pinnedRevision: null,
        notifySeq: 0,
      }),
    ]);
    expect(parsed.targets[0]!.repos[0]!.imagePolicies[0]).toMatchObject({ name: "app", semver: "^1", targets: [] });
  });

  it("returns at once after a webhook notify, with notifySeq bumped", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    await register(target.id, { url: "https://Git.Example.test/team/notify-me.git", branch: "main" });
    const { version } = (await poll(agent)).body as { version: string };
    const t0 = Date.now();
    const waiting = poll(agent, `?since=${version}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(await notifyPullRepos({ url: "https://git.example.test/team/notify-me", branch: "other" })).toBe(0);
    expect(await notifyPullRepos({ url: "https://git.example.test/team/notify-me", branch: "main" })).toBe(1);
    const woke = await waiting;
    // Woken by the change: a poll nobody woke answers only when its hold runs out.
    expect(Date.now() - t0).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    expect(woke.body.changed).toBe(true);
    expect(woke.body.targets[0].repos[0].notifySeq).toBe(1);
  });

  it("sees a change made outside this process's notifier (database re-check)", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = (await register(target.id)).body;
    const { version } = (await poll(agent)).body as { version: string };
    const t0 = Date.now();
    const waiting = poll(agent, `?since=${version}`);
    await new Promise((r) => setTimeout(r, 200));
    // As another dashboard process would: straight to the database, no in-process wake-up.
    await db().pullRepo.update({ where: { id: repo.id }, data: { pollIntervalSeconds: 30 } });
    const woke = await waiting;
    // Woken by the change: a poll nobody woke answers only when its hold runs out.
    expect(Date.now() - t0).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    expect(woke.body.targets[0].repos[0].pollIntervalSeconds).toBe(30);
  });
});

describe("repository registration", () => {
  it("validates: pull targets only, poll interval at least 5 s, defaults, no duplicates, deployers may", async () => {
    const push = await createPushTarget();
    const onPush = await register(push.id);
    expect(onPush.status).toBe(409);
    expect(onPush.body.error.code).toBe("TARGET_NOT_PULL");

    const pull = await createPullTarget();
    const tooFast = await register(pull.id, { pollIntervalSeconds: 4 });
    expect(tooFast.status).toBe(422);
    expect(tooFast.body.error.fields.pollIntervalSeconds).toBeDefined();
    const badUrl = await register(pull.id, { url: "https://user:secret@git.example.test/x.git" });
    expect(badUrl.status).toBe(422);
    expect(badUrl.body.error.fields.url).toBeDefined();
    const badPolicy = await register(pull.id, {
      imagePolicies: [{ name: "p", repository: "127.0.0.1:5000/app", semver: "^1", tagPattern: "^v" }],
    });
    expect(badPolicy.status).toBe(422);

    const ok = await register(pull.id, { url: "https://git.example.test/team/app.git", path: "./deploy/" });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      branch: "main",
      path: "deploy",
      pollIntervalSeconds: 60,
      prune: true,
      selfHeal: true,
      imagePolicies: [],
    });
    const dup = await register(pull.id, { url: "https://git.example.test/team/app.git", path: "deploy" });
    expect(dup.status).toBe(409);

    const viewer = await createCaller("viewer");
    expect((await register(pull.id, {}, viewer)).status).toBe(403);
    const list = await callRoute(reposRoute.GET, {
      path: `/api/targets/${pull.id}/repos`,
      params: { id: pull.id },
      as: viewer,
    });
    expect(list.body.repos).toHaveLength(1);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "repo.registered", subjectId: ok.body.id },
    });
    expect(audit.targetId).toBe(pull.id);
  });
});

describe("pull approvals", () => {
  it("pending-approval event → deployment request → commit author refused → another approver → approvedRevision → synced → succeeded", async () => {
    // Test callers approve with API tokens, which this rule allows.
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = (await register(target.id)).body;
    const author = await createCaller("approver");
    const approver = await createCaller("approver");
    const sha = fakeSha();
    const pending = syncEvent({
      targetId: target.id,
      repoId: repo.id,
      kind: "pending-approval",
      result: "pending-approval",
      revision: { sha, message: "Bump replicas", authorName: "Author", authorEmail: author.email },
      diff: {
        counts: { create: 0, change: 1, unchanged: 2, prune: 0, error: 0 },
        objects: [
          {
            ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" },
            action: "change",
            changes: [{ path: "spec.replicas", op: "change", old: 1, new: 3 }],
          },
        ],
        truncated: false,
      },
    });
    expect((await sendEvents(agent, [pending])).body.accepted).toBe(1);
    // Reported again (a new event id, the same revision): still one request.
    await sendEvents(agent, [{ ...pending, id: crypto.randomUUID() }]);
    const requests = await db().deployment.findMany({ where: { pullRepoId: repo.id } });
    expect(requests).toHaveLength(1);
    const d = requests[0]!;
    expect(d).toMatchObject({
      state: "pending-approval",
      sourceKind: "pull-revision",
      revision: sha,
      manifestsDigest: sha,
      commitAuthorEmail: author.email,
      requestedByKind: "agent",
    });
    expect(JSON.parse(d.previewJson!).objects[0].changes[0].path).toBe("spec.replicas");
    expect(await db().auditEvent.count({ where: { action: "deployment.requested", subjectId: d.id } })).toBe(1);

    let a = ZAssignments.parse((await poll(agent)).body);
    expect(a.targets[0]!.requiresApproval).toBe(true);
    expect(a.targets[0]!.repos[0]!.approvedRevision).toBeNull();

    const byAuthor = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${d.id}/approvals`,
      params: { id: d.id },
      body: { decision: "approved" },
      as: author,
    });
    expect(byAuthor.status).toBe(403);
    expect(byAuthor.body.error.code).toBe("APPROVAL_AUTHOR_FORBIDDEN");

    const versionBefore = a.version;
    const waiting = poll(agent, `?since=${versionBefore}`);
    const t0 = Date.now();
    const ok = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${d.id}/approvals`,
      params: { id: d.id },
      body: { decision: "approved" },
      as: approver,
    });
    expect(ok.status).toBe(201);
    // Approved, not queued: the agent applies it, not the push executor.
    expect((await db().deployment.findUniqueOrThrow({ where: { id: d.id } })).state).toBe("approved");
    a = ZAssignments.parse((await waiting).body);
    // Woken by the change: a poll nobody woke answers only when its hold runs out.
    expect(Date.now() - t0).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    expect(a.changed).toBe(true);
    expect(a.targets[0]!.repos[0]!.approvedRevision).toBe(sha);

    await sendEvents(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        trigger: "approval",
        revision: { sha, message: "Bump replicas", authorName: "Author", authorEmail: author.email },
        counts: { created: 0, changed: 1, unchanged: 2, pruned: 0 },
      }),
    ]);
    const done = await db().deployment.findUniqueOrThrow({ where: { id: d.id } });
    expect(done.state).toBe("succeeded");
    const steps = await db().auditEvent.findMany({
      where: { subjectId: d.id, action: { in: ["deployment.queued", "deployment.started", "deployment.succeeded"] } },
      orderBy: { seq: "asc" },
    });
    expect(steps.map((s) => s.action)).toEqual(["deployment.queued", "deployment.started", "deployment.succeeded"]);
    expect(steps.every((s) => s.actorKind === "agent")).toBe(true);
    expect((await db().repoStatus.findUniqueOrThrow({ where: { repoId: repo.id } })).revision).toBe(sha);

    // The deployments UI shows it as the repository's commit; rollback of pull targets is a pin, not a re-send.
    const view = await callRoute(deploymentRoute.GET, {
      path: `/api/deployments/${d.id}`,
      params: { id: d.id },
      as: approver,
    });
    expect(view.body.git).toMatchObject({ url: repo.url, commitSha: sha, authorEmail: author.email });
    expect(view.body.preview.objects[0].name).toBe("web");
    expect(view.body.canRollback).toBe(false);
    const rollback = await callRoute(rollbackRoute.POST, {
      method: "POST",
      path: `/api/deployments/${d.id}/rollback`,
      params: { id: d.id },
      body: {},
      as: admin,
    });
    expect(rollback.status).toBe(409);
  });
});
