import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as heartbeatRoute from "@/app/api/agent/v1/heartbeat/route";
import * as liveStateRoute from "@/app/api/agent/v1/live-state/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import type { TLiveNode, TLiveState } from "@/lib/agent/protocol";
import { STALE_AFTER_MS } from "@/lib/agents/schemas";
import { dbFor } from "@/lib/db/client";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { env } from "@/lib/env";
import { releaseSchedulerLease } from "@/lib/jobs/data/scheduler-lease";
import { NOTIFICATIONS_LEASE, runNotificationTick } from "@/lib/notifications/dispatcher";
import { callRoute, createCaller, type Caller } from "../support/api";
import { appManifests, insertQueuedDeployment } from "../support/executor";
import { useExecutorFixture } from "../support/executor-fixture";
import { Receiver } from "../support/notification-receiver";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// The paged-on events of issue 15 (deployment.succeeded/failed, sync.failed, drift.detected, agent.stale): queued
// with the state change that causes them, once per episode, only for subscribed sinks, delivered over HTTP.

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = () => dbFor(t.url);
// The absolute links are made with the process's public URL.
const publicUrl = () => env().publicUrl;

const receiver = new Receiver();
let admin: Caller;
let deployer: Caller;

beforeAll(async () => {
  await receiver.start();
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(async () => {
  receiver.reset();
  await db().notificationSink.deleteMany();
  await releaseSchedulerLease({ name: NOTIFICATIONS_LEASE, holder: "events-test" });
});

async function createSink(events: string[]): Promise<{ id: string }> {
  const res = await callRoute(sinksRoute.POST, {
    method: "POST",
    path: "/api/notification-sinks",
    body: { name: `sink-${randomBytes(4).toString("hex")}`, url: receiver.url, events },
    as: admin,
  });
  expect(res.status).toBe(201);
  return { id: res.body.sink.id };
}

const deliveries = (sinkId: string) =>
  db().notificationDelivery.findMany({ where: { sinkId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const wharfOf = (row: { payload: string }) =>
  (JSON.parse(row.payload) as { text: string; wharf: Record<string, unknown> }).wharf;
const textOf = (row: { payload: string }) => (JSON.parse(row.payload) as { text: string }).text;

const tick = (now = new Date()) =>
  runNotificationTick({ holder: "events-test", leaseMs: 60_000, now: () => now, random: () => 0.5 });

async function createApplication(targetId: string, mode: "push" | "pull" = "push") {
  const name = `app-${randomBytes(3).toString("hex")}`;
  return db().application.create({
    data: { name, targetId, mode, sourceKind: "manifests", inventoryKey: `test-${randomBytes(8).toString("hex")}` },
  });
}

describe("deployment.succeeded / deployment.failed", () => {
  it("are queued once with the transition that finishes the deployment, linking its application (or itself)", async () => {
    const sink = await createSink(["deployment.succeeded", "deployment.failed"]);
    const other = await createSink(["rotation.failed", "sync.failed"]);
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const app = await createApplication(target.targetId);

    const ok = await fx.deployQueued(target, appManifests({ namespace: ns, configMaps: ["settings"] }), {
      applicationId: app.id,
    });
    expect(ok.row.state).toBe("succeeded");
    let rows = await deliveries(sink.id);
    expect(rows.map((r) => [r.event, r.dedupKey])).toEqual([
      ["deployment.succeeded", `deployment.succeeded:${ok.row.id}`],
    ]);
    expect(wharfOf(rows[0]!)).toMatchObject({
      event: "deployment.succeeded",
      deploymentId: ok.row.id,
      applicationId: app.id,
      applicationName: app.name,
      targetId: target.targetId,
      targetName: target.name,
      environment: expect.any(String),
      mode: "push",
      revision: ok.row.manifestsDigest,
      linkPath: `/applications/${app.id}`,
      url: `${publicUrl()}/applications/${app.id}`,
    });
    expect(textOf(rows[0]!)).toContain(`<${publicUrl()}/applications/${app.id}|${app.name}>`);
    expect(textOf(rows[0]!)).toContain("succeeded");

    // Without an application, and failed: the API server refuses the credential in a namespace its RBAC lacks.
    const forbidden = `no-${randomBytes(3).toString("hex")}`;
    await fx.admin.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: forbidden } },
      { fieldManager: "test" },
    );
    await db().target.update({
      where: { id: target.targetId },
      data: { allowedNamespaces: JSON.stringify([ns, forbidden]) },
    });
    const bad = await fx.deployQueued(target, appManifests({ namespace: forbidden, configMaps: ["refused"] }));
    expect(bad.row.state).toBe("failed");
    rows = await deliveries(sink.id);
    expect(rows.map((r) => r.event)).toEqual(["deployment.succeeded", "deployment.failed"]);
    const failed = wharfOf(rows[1]!);
    expect(failed).toMatchObject({
      deploymentId: bad.row.id,
      applicationId: null,
      linkPath: `/deployments/${bad.row.id}`,
      url: `${publicUrl()}/deployments/${bad.row.id}`,
      targetName: target.name,
      message: bad.row.resultMessage,
    });
    expect(String(failed.message)).toMatch(/forbidden/i);
    expect(textOf(rows[1]!)).toMatch(/failed: .*forbidden/i);

    // A sink not subscribed to deployment events got nothing.
    expect(await deliveries(other.id)).toHaveLength(0);
  });

  it("are part of the transition's transaction: a finish that rolls back announces nothing", async () => {
    const sink = await createSink(["deployment.failed"]);
    const target = await fx.pushTarget();
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({ namespace: target.namespaces[0]!, configMaps: ["never"] }),
    });
    const actor = { kind: "system" as const, id: "test", name: "test" };
    await expect(
      db().$transaction(async (tx) => {
        await transitionDeployment(tx, { deploymentId: id, to: "running", actor });
        expect(await transitionDeployment(tx, { deploymentId: id, to: "failed", actor })).toBe(true);
        expect(await tx.notificationDelivery.count({ where: { sinkId: sink.id } })).toBe(1);
        throw new Error("the change fails after the notification was queued");
      }),
    ).rejects.toThrow("the change fails");
    expect((await db().deployment.findUniqueOrThrow({ where: { id } })).state).toBe("queued");
    expect(await deliveries(sink.id)).toHaveLength(0);
    await db().deployment.update({ where: { id }, data: { state: "cancelled" } });
  });
});

describe("sync.failed / drift.detected", () => {
  let target: { id: string; name: string };
  let agent: AgentCaller;

  async function register() {
    const res = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url: `https://git.example.test/${fakeSha().slice(0, 10)}.git` },
      as: deployer,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }
  let at = Date.UTC(2026, 2, 1, 12);
  const send = async (
    repoId: string,
    result: "synced" | "failed" | "drift-detected" | "drift-corrected",
    over = {},
  ) => {
    at += 60_000;
    const e = syncEvent({
      targetId: target.id,
      repoId,
      result,
      kind: result.startsWith("drift") ? "drift" : "sync",
      occurredAt: new Date(at).toISOString(),
      revision: { sha: fakeSha() },
      message: result === "failed" ? "git fetch: repository not found" : "",
      ...over,
    });
    const res = await callRoute(eventsRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/events",
      body: { events: [e] },
      as: agent,
    });
    expect(res.body.accepted).toBe(1);
    return e;
  };

  beforeAll(async () => {
    target = await createPullTarget();
    agent = await createEnrolledAgent(admin, [target.id]);
  });

  it("a failing repository announces once until it syncs again; then a new failure announces again", async () => {
    const sink = await createSink(["sync.failed"]);
    const deaf = await createSink(["deployment.failed", "drift.detected"]);
    const repo = await register();
    const app = (await db().pullRepo.findUniqueOrThrow({ where: { id: repo.id } })).applicationId;

    await send(repo.id, "synced");
    const first = await send(repo.id, "failed");
    await send(repo.id, "failed");
    await send(repo.id, "failed");
    let rows = await deliveries(sink.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event).toBe("sync.failed");
    const linkPath = app
      ? `/applications/${app}`
      : `/sync?repoId=${encodeURIComponent(repo.id)}&targetId=${encodeURIComponent(target.id)}`;
    expect(wharfOf(rows[0]!)).toMatchObject({
      syncEventId: first.id,
      repoId: repo.id,
      applicationId: app,
      targetId: target.id,
      targetName: target.name,
      environment: "dev",
      revision: first.revision!.sha,
      message: "git fetch: repository not found",
      linkPath,
      url: `${publicUrl()}${linkPath}`,
    });
    expect(textOf(rows[0]!)).toContain("repository not found");

    await send(repo.id, "synced");
    const again = await send(repo.id, "failed");
    await send(repo.id, "failed");
    rows = await deliveries(sink.id);
    expect(rows.map((r) => wharfOf(r).syncEventId)).toEqual([first.id, again.id]);
    expect(new Set(rows.map((r) => r.dedupKey)).size).toBe(2);

    // A repository that never synced fails once too; failures of one repository do not silence another.
    const fresh = await register();
    await send(fresh.id, "failed");
    await send(fresh.id, "failed");
    expect(await deliveries(sink.id)).toHaveLength(3);

    // Not subscribed to sync.failed: nothing (and no failure above was drift).
    expect(await deliveries(deaf.id)).toHaveLength(0);
  });

  it("drift is announced once per drift episode, naming the drifted objects; a repository without application links its sync history", async () => {
    const sink = await createSink(["drift.detected"]);
    const repo = await register();
    // A repository registered before applications has none: the link is its sync history.
    await db().pullRepo.update({ where: { id: repo.id }, data: { applicationId: null } });
    const drift = {
      objects: [
        {
          ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "web", name: "api" },
          fields: ["spec.replicas"],
        },
      ],
      truncated: false,
    };
    await send(repo.id, "synced");
    const first = await send(repo.id, "drift-detected", { drift });
    await send(repo.id, "drift-detected", { drift });
    await send(repo.id, "failed");
    await send(repo.id, "drift-detected", { drift });
    let rows = await deliveries(sink.id);
    expect(rows).toHaveLength(1);
    const linkPath = `/sync?repoId=${encodeURIComponent(repo.id)}&targetId=${encodeURIComponent(target.id)}`;
    expect(wharfOf(rows[0]!)).toMatchObject({
      event: "drift.detected",
      syncEventId: first.id,
      applicationId: null,
      linkPath,
      drift: [{ object: "Deployment web/api", fields: ["spec.replicas"] }],
    });
    expect(textOf(rows[0]!)).toContain("Deployment web/api (spec.replicas)");

    // Corrected (applied again): the next drift is a new episode.
    await send(repo.id, "drift-corrected");
    const second = await send(repo.id, "drift-detected", { drift });
    rows = await deliveries(sink.id);
    expect(rows.map((r) => wharfOf(r).syncEventId)).toEqual([first.id, second.id]);
  });
});

describe("agent.stale", () => {
  it("is announced once when an agent misses its heartbeats, and again only after it reported and went quiet again", async () => {
    const sink = await createSink(["agent.stale"]);
    const deaf = await createSink(["sync.failed"]);
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    // Agents of the other tests in this file go quiet too; this test counts its own.
    const ofAgent = async () => (await deliveries(sink.id)).filter((r) => wharfOf(r).agentId === agent.agentId);
    const seen = (await db().agent.findUniqueOrThrow({ where: { id: agent.agentId } })).lastSeenAt!;
    const staleAt = new Date(seen.getTime() + STALE_AFTER_MS + 1000);

    await tick(new Date(seen.getTime() + STALE_AFTER_MS - 1000));
    expect(await ofAgent()).toHaveLength(0);
    await tick(staleAt);
    await tick(new Date(staleAt.getTime() + 60_000));
    let rows = await ofAgent();
    expect(rows.map((r) => [r.event, r.dedupKey])).toEqual([
      ["agent.stale", `agent.stale:${agent.agentId}:${seen.toISOString()}`],
    ]);
    expect(wharfOf(rows[0]!)).toMatchObject({
      agentId: agent.agentId,
      lastSeenAt: seen.toISOString(),
      targets: [{ id: target.id, name: target.name, environment: "dev" }],
      linkPath: `/targets/${target.id}`,
    });
    expect(textOf(rows[0]!)).toContain(`nothing syncs on ${target.name} (dev)`);

    const hb = await callRoute(heartbeatRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/heartbeat",
      body: { version: "0.0.0-test", hostname: "test-host", repos: [] },
      as: agent,
    });
    expect(hb.status).toBe(200);
    const back = (await db().agent.findUniqueOrThrow({ where: { id: agent.agentId } })).lastSeenAt!;
    await tick(new Date(back.getTime() + 1000));
    expect(await ofAgent()).toHaveLength(1);
    await tick(new Date(back.getTime() + STALE_AFTER_MS + 1000));
    rows = await ofAgent();
    expect(rows).toHaveLength(2);
    expect(wharfOf(rows[1]!).lastSeenAt).toBe(back.toISOString());

    // Revoked agents are not stale, they are gone; unsubscribed sinks hear nothing.
    await db().agent.update({ where: { id: agent.agentId }, data: { revokedAt: new Date() } });
    await tick(new Date(back.getTime() + 10 * STALE_AFTER_MS));
    expect(await ofAgent()).toHaveLength(2);
    expect(await deliveries(deaf.id)).toHaveLength(0);
  });
});

describe("pull revisions", () => {
  it("a revision the agent asks approval for notifies deployment.awaiting-approval with it; applied, deployment.succeeded (mode pull)", async () => {
    const sink = await createSink(["deployment.awaiting-approval", "deployment.succeeded"]);
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const reg = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url: `https://git.example.test/${fakeSha().slice(0, 10)}.git` },
      as: deployer,
    });
    expect(reg.status).toBe(201);
    const repoId = reg.body.id as string;
    const sha = fakeSha();
    const post = (result: "pending-approval" | "synced") =>
      callRoute(eventsRoute.POST, {
        method: "POST",
        path: "/api/agent/v1/events",
        body: {
          events: [
            syncEvent({
              targetId: target.id,
              repoId,
              kind: result === "pending-approval" ? "pending-approval" : "sync",
              result,
              revision: { sha, message: "m", authorName: "A", authorEmail: "a@x" },
            }),
          ],
        },
        as: agent,
      });
    expect((await post("pending-approval")).body.accepted).toBe(1);
    const d = await db().deployment.findFirstOrThrow({ where: { pullRepoId: repoId, sourceKind: "pull-revision" } });
    let rows = await deliveries(sink.id);
    expect(rows.map((r) => [r.event, r.dedupKey])).toEqual([
      ["deployment.awaiting-approval", `deployment.awaiting-approval:${d.id}`],
    ]);
    expect(wharfOf(rows[0]!)).toMatchObject({ deploymentId: d.id, targetName: target.name, requiredApprovals: 1 });

    const approver = await createCaller("approver");
    const approved = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${d.id}/approvals`,
      params: { id: d.id },
      body: { decision: "approved" },
      as: approver,
    });
    expect(approved.status).toBe(201);
    expect((await post("synced")).body.accepted).toBe(1);
    rows = await deliveries(sink.id);
    expect(rows.map((r) => r.event)).toEqual(["deployment.awaiting-approval", "deployment.succeeded"]);
    const app = (await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } })).applicationId;
    expect(wharfOf(rows[1]!)).toMatchObject({
      deploymentId: d.id,
      mode: "pull",
      revision: sha,
      applicationId: app,
      linkPath: app ? `/applications/${app}` : `/deployments/${d.id}`,
    });
  });
});

describe("health.degraded", () => {
  it("is queued with the live-state report that turns an application Degraded, once per revision, naming the Degraded objects", async () => {
    const sink = await createSink(["health.degraded"]);
    const deaf = await createSink(["deployment.failed", "drift.detected"]);
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const name = `app-${randomBytes(3).toString("hex")}`;
    const created = await callRoute(applicationsRoute.POST, {
      method: "POST",
      path: "/api/applications",
      body: {
        name,
        targetId: target.id,
        source: { kind: "git", repoUrl: `https://git.example.test/team/${name}.git`, ref: "main", path: "deploy" },
      },
      as: deployer,
    });
    expect(created.status).toBe(201);
    const app = { id: created.body.id as string, repoId: created.body.pullRepoId as string };

    const pod = (status: TLiveNode["health"]["status"], message?: string): TLiveNode => ({
      apiVersion: "v1",
      kind: "Pod",
      namespace: "shop",
      name: "web-1",
      health: message ? { status, message } : { status },
      inInventory: false,
      children: [],
    });
    const report = async (
      revisionId: string,
      status: TLiveNode["health"]["status"],
      message?: string,
    ): Promise<void> => {
      const state: TLiveState = {
        targetId: target.id,
        repoId: app.repoId,
        revisionId,
        health: message ? { status, message } : { status },
        roots: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            namespace: "shop",
            name: "web",
            health: message ? { status, message } : { status },
            inInventory: true,
            children: [pod(status, status === "Degraded" ? "CrashLoopBackOff" : undefined)],
          },
        ],
        nodeCount: 2,
        truncated: false,
        observedAt: new Date().toISOString(),
      };
      const res = await callRoute(liveStateRoute.POST, {
        method: "POST",
        path: "/api/agent/v1/live-state",
        body: { states: [state] },
        as: agent,
      });
      expect(res.status).toBe(200);
    };
    const first = `${fakeSha()}@abc`;
    await report(first, "Healthy");
    expect(await deliveries(sink.id)).toHaveLength(0);
    await report(first, "Degraded", 'deployment "web" exceeded its progress deadline');
    let rows = await deliveries(sink.id);
    expect(rows.map((r) => [r.event, r.dedupKey])).toEqual([["health.degraded", `health.degraded:${app.id}:${first}`]]);
    expect(wharfOf(rows[0]!)).toMatchObject({
      applicationId: app.id,
      applicationName: name,
      targetId: target.id,
      targetName: target.name,
      environment: "dev",
      revision: first,
      message: 'deployment "web" exceeded its progress deadline',
      degraded: [
        { object: "Deployment shop/web", message: 'deployment "web" exceeded its progress deadline' },
        { object: "Pod shop/web-1", message: "CrashLoopBackOff" },
      ],
      linkPath: `/applications/${app.id}`,
      url: `${publicUrl()}/applications/${app.id}`,
    });
    expect(textOf(rows[0]!)).toContain("is Degraded");

    // Flapping on the same revision announces nothing more; a new revision that degrades announces again.
    await report(first, "Progressing");
    await report(first, "Degraded", "still failing");
    expect(await deliveries(sink.id)).toHaveLength(1);
    const second = `${fakeSha()}@abc`;
    await report(second, "Healthy");
    await report(second, "Degraded", "pods crash");
    rows = await deliveries(sink.id);
    expect(rows.map((r) => wharfOf(r).revision)).toEqual([first, second]);
    expect(await deliveries(deaf.id)).toHaveLength(0);
  });
});

describe("delivery", () => {
  it("POSTs the new events to a real HTTP sink on loopback, with the event header and the application link", async () => {
    const sink = await createSink(["deployment.succeeded"]);
    const target = await fx.pushTarget();
    const app = await createApplication(target.targetId);
    const ok = await fx.deployQueued(
      target,
      appManifests({ namespace: target.namespaces[0]!, configMaps: ["delivered"] }),
      { applicationId: app.id },
    );
    expect(ok.row.state).toBe("succeeded");
    const res = await tick(new Date(Date.now() + 1000));
    expect(res).toMatchObject({ leased: true, delivered: 1 });
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.headers["x-wharf-event"]).toBe("deployment.succeeded");
    const body = JSON.parse(got.body) as { text: string; wharf: Record<string, unknown> };
    expect(body.wharf).toMatchObject({ deploymentId: ok.row.id, url: `${publicUrl()}/applications/${app.id}` });
    expect(body.text).toContain(`${target.name}`);
    expect((await deliveries(sink.id))[0]!.state).toBe("delivered");
  });
});
