import "reflect-metadata";
import { HttpMethod } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as liveRoute from "@/app/api/applications/[id]/live/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import * as targetsRoute from "@/app/api/targets/route";
import type { TLiveNode } from "@/lib/agent/protocol";
import { readPushLiveState } from "@/lib/applications/data/read-push-live-state";
import { listApplicationTimeline } from "@/lib/applications/data/list-application-timeline";
import type { ApplicationLive } from "@/lib/applications/live-schemas";
import { runPushStatusTick } from "@/lib/applications/push-status-reads";
import { flushAuditFloodSummaries, USE_SUMMARY_ACTOR } from "@/lib/audit/data/record-capped-audit-event";
import { NO_REQUEST, type Actor } from "@/lib/audit/schemas";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { env } from "@/lib/env";
import { rebuildDeliveryRollups } from "@/lib/rollups/rebuild-delivery-rollups";
import { callRoute, createCaller, type Caller } from "../support/api";
import { appManifests } from "../support/executor";
import { useExecutorFixture } from "../support/executor-fixture";
import { Receiver } from "../support/notification-receiver";
import type { SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 2 (push half), on both databases and both cluster legs (SQLite with the sandbox, PostgreSQL with the
// real control plane when it is built): the dashboard reads a push application's live state from its cluster with the
// target's credential, scoped to its last deployment's objects; every read is a credential use counted in the decrypt's
// transaction and summarised per credential and 5 minutes; N viewers cause one read per interval; the background
// reads follow the target's interval, off by default for production.

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const WINDOW_MS = 5 * 60_000;

let deployer: Caller;
let viewer: Caller;
let admin: Caller;
let viewerActor: Actor;
const receiver = new Receiver();

beforeAll(async () => {
  [deployer, viewer, admin] = await Promise.all([
    createCaller("deployer"),
    createCaller("viewer"),
    createCaller("admin"),
  ]);
  viewerActor = { kind: "user", id: viewer.userId, name: viewer.email };
  await receiver.start();
});

afterAll(async () => {
  await receiver.stop();
});

/** A push application on `target` with a Deployment (2 replicas) and a ConfigMap deployed by the executor. */
async function deployedApplication(target: SandboxPushTarget): Promise<{ id: string; namespace: string }> {
  const name = `app-${randomBytes(3).toString("hex")}`;
  const created = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: { name, targetId: target.targetId, source: { kind: "manifests" } },
    as: deployer,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const namespace = target.namespaces[0]!;
  const { row } = await fx.deployQueued(
    target,
    appManifests({
      namespace,
      configMaps: ["settings"],
      deployment: { name: "web", image: "nginx:1.27", replicas: 2 },
    }),
    { applicationId: created.body.id },
  );
  expect(row.state).toBe("succeeded");
  return { id: created.body.id as string, namespace };
}

const live = (id: string, as: Caller | null = viewer) =>
  callRoute(liveRoute.GET, {
    path: `/api/applications/${id}/live`,
    params: { id },
    ...(as ? { as } : {}),
  }) as Promise<{ status: number; body: ApplicationLive & { error?: { code: string } } }>;

/** A status read as the viewer, at `at` on a clock the test moves. */
const readAt = (applicationId: string, at: number) =>
  readPushLiveState({ applicationId, actor: viewerActor, request: NO_REQUEST, now: new Date(at) });

const useCount = (credentialId: string) =>
  fx.db().auditFloodCount.findMany({ where: { kind: "use", credentialId }, orderBy: { windowStart: "asc" } });
const statusSummaries = (credentialId: string) =>
  fx.db().auditEvent.findMany({
    where: { action: "credential.decrypted", credentialId, actorName: USE_SUMMARY_ACTOR.name },
    orderBy: { seq: "asc" },
  });
const activeCredential = async (targetId: string) =>
  (await fx.db().credential.findFirstOrThrow({ where: { targetId, state: "active" } })).id;

function find(nodes: TLiveNode[], kind: string): TLiveNode[] {
  return nodes.flatMap((n) => [...(n.kind === kind ? [n] : []), ...find(n.children, kind)]);
}

describe("push live state: read from the cluster with the target's credential", () => {
  it("the live endpoint answers the tree with health, read with the credential it names; N viewers cause one read", async () => {
    const target = await fx.pushTarget();
    const app = await deployedApplication(target);
    const credentialId = await activeCredential(target.targetId);

    const res = await live(app.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = res.body;
    if (body.source !== "push") throw new Error(`expected a push live state, got ${JSON.stringify(body)}`);
    expect(body.credentialId).toBe(credentialId);
    expect(body.credentialLabel).toBeTruthy();
    expect(body.readError).toBeNull();
    expect(body.roots.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(["ConfigMap/settings", "Deployment/web"]);
    const deployment = body.roots.find((r) => r.kind === "Deployment")!;
    expect(deployment.inInventory).toBe(true);
    expect(deployment.health.status).toBe("Healthy");
    // Owned objects come with it: its ReplicaSet and that ReplicaSet's Pods, each with images.
    const pods = find(deployment.children, "Pod");
    expect(find(deployment.children, "ReplicaSet").length).toBeGreaterThanOrEqual(1);
    expect(pods).toHaveLength(2);
    expect(pods[0]!.pod?.images).toEqual(["nginx:1.27"]);
    expect(body.health.status).toBe("Healthy");

    // Viewers within the interval are answered from the stored state: five more requests, no more decrypts.
    const again = await Promise.all([1, 2, 3, 4, 5].map(() => live(app.id)));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(again.every((r) => r.body.source === "push" && r.body.observedAt === body.observedAt)).toBe(true);
    expect((await useCount(credentialId)).reduce((n, c) => n + c.count, 0)).toBe(1);
    // Counted, not written one by one: no per-read row of the viewer.
    expect(
      await fx.db().auditEvent.count({
        where: { action: "credential.decrypted", credentialId, actorId: viewer.userId },
      }),
    ).toBe(0);
  });

  it("refuses callers without a session (401) and unknown applications (404), reading nothing", async () => {
    const target = await fx.pushTarget();
    const app = await deployedApplication(target);
    const credentialId = await activeCredential(target.targetId);
    expect((await live(app.id, null)).status).toBe(401);
    const revoked = await createCaller("viewer");
    await fx.db().apiToken.updateMany({ where: { createdById: revoked.userId }, data: { revokedAt: new Date() } });
    expect((await live(app.id, revoked)).status).toBe(401);
    const unknown = await live("no-such-application");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("NOT_FOUND");
    expect(await useCount(credentialId)).toEqual([]);
  });

  it("counts each status read in its decrypt's transaction: two reads in one window are one summary of 2, a read in the next window a new one", async () => {
    const target = await fx.pushTarget();
    const app = await deployedApplication(target);
    const credentialId = await activeCredential(target.targetId);
    // Windows of the clock an hour ahead, so nothing else in this file falls in them.
    const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 12 * WINDOW_MS;
    const read = (offsetMs: number) => readAt(app.id, base + offsetMs);

    expect(await read(10_000)).toMatchObject({ read: true, health: "Healthy" });
    expect(await read(70_000)).toMatchObject({ read: true });
    // Within the minimum interval: answered from the stored state, no decrypt.
    expect(await read(75_000)).toEqual({ read: false, reason: "fresh" });
    let counts = await useCount(credentialId);
    expect(counts.map((c) => [c.windowStart.getTime(), c.count])).toEqual([[base, 2]]);
    expect(await statusSummaries(credentialId)).toEqual([]);

    // The next window: its first read writes the summary of the last one (in its own transaction) and starts a count.
    expect(await read(WINDOW_MS + 10_000)).toMatchObject({ read: true });
    counts = await useCount(credentialId);
    expect(counts.map((c) => [c.windowStart.getTime(), c.count])).toEqual([[base + WINDOW_MS, 1]]);
    let summaries = await statusSummaries(credentialId);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      subjectType: "credential",
      subjectId: credentialId,
      targetId: target.targetId,
      outcome: "success",
      actorKind: "system",
    });
    expect(JSON.parse(summaries[0]!.details)).toMatchObject({
      purpose: "status",
      count: 2,
      from: new Date(base).toISOString(),
      to: new Date(base + WINDOW_MS).toISOString(),
    });

    // Counted the moment they happen: the summary's 2 and the open window's 1.
    const comparison = (now: Date) =>
      getComparison({
        range: {
          key: "custom",
          from: new Date(Date.now() - 60 * WINDOW_MS),
          to: new Date(base + 4 * WINDOW_MS),
          days: 1,
          environment: null,
        },
        targetId: target.targetId,
        now,
      });
    expect((await comparison(new Date(base + WINDOW_MS + 20_000))).exposure.push.statusReads).toBe(3);

    // The background flush summarises the last window once it is over.
    expect(await flushAuditFloodSummaries({ now: new Date(base + 2 * WINDOW_MS + 1000) })).toBeGreaterThanOrEqual(1);
    summaries = await statusSummaries(credentialId);
    expect(summaries.map((s) => (JSON.parse(s.details) as { count: number }).count)).toEqual([2, 1]);
    expect(await useCount(credentialId)).toEqual([]);

    // The comparison counts them as credential uses to observe the cluster for push, none for pull (the summary rows
    // are dated when written, now; the windows they count are ahead of it).
    const c = await comparison(new Date(base + 3 * WINDOW_MS));
    expect(c.exposure.push.statusReads).toBe(3);
    expect(c.exposure.pull.statusReads).toBe(0);
  });
});

describe("push live state: when the cluster or the credential is not there", () => {
  it("an unreachable cluster keeps the last tree and says why, the decrypt still counted; no credential, no read", async () => {
    const target = await fx.pushTarget();
    const app = await deployedApplication(target);
    const credentialId = await activeCredential(target.targetId);
    const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 48 * WINDOW_MS;
    expect(await readAt(app.id, base)).toMatchObject({ read: true });
    const before = await fx.db().applicationLiveState.findUniqueOrThrow({ where: { applicationId: app.id } });

    // Nothing listens on port 1: the read fails after the decrypt, which is counted all the same.
    await fx.db().target.update({ where: { id: target.targetId }, data: { serverUrl: "https://127.0.0.1:1" } });
    expect(await readAt(app.id, base + 20_000)).toEqual({ read: false, reason: "failed" });
    const after = await fx.db().applicationLiveState.findUniqueOrThrow({ where: { applicationId: app.id } });
    expect(after.readError).toMatch(/127\.0\.0\.1:1|ECONNREFUSED|connect/i);
    expect(after.treeJson).toBe(before.treeJson);
    expect(after.observedAt).toEqual(before.observedAt);
    expect((await useCount(credentialId)).map((c) => c.count)).toEqual([2]);
    const res = await live(app.id);
    expect(res.body).toMatchObject({ source: "push", readError: after.readError });

    // Without an active credential nothing is decrypted or read; the last state stays as it was.
    await fx.db().credential.updateMany({ where: { targetId: target.targetId }, data: { state: "superseded" } });
    expect(await readAt(app.id, base + 60_000)).toEqual({ read: false, reason: "no-credential" });
    expect((await useCount(credentialId)).map((c) => c.count)).toEqual([2]);
  });
});

describe("push drift: the cluster compared with the last deployment's manifests, as the agent compares pull", () => {
  it("is in sync after the deployment; a kubectl edit of the replicas shows the Deployment and field as drift", async () => {
    const target = await fx.pushTarget();
    const app = await deployedApplication(target);
    const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 36 * WINDOW_MS;
    const read = (offsetMs: number) => readAt(app.id, base + offsetMs);
    const driftOf = async () => {
      const res = await live(app.id);
      if (res.body.source !== "push") throw new Error(`expected a push live state, got ${JSON.stringify(res.body)}`);
      return res.body.drift;
    };

    const webNode = async () => {
      const res = await live(app.id);
      if (res.body.source !== "push") throw new Error(`expected a push live state, got ${JSON.stringify(res.body)}`);
      return res.body.roots.find((r) => r.kind === "Deployment" && r.name === "web")!;
    };

    expect(await read(0)).toMatchObject({ read: true });
    expect(await driftOf()).toEqual({ objects: [], truncated: false });
    // Each own object carries its sync status, as a pull tree does.
    expect((await webNode()).sync).toEqual({ status: "Synced", fields: [] });

    // What `kubectl edit` does: a merge patch (an Update) under another field manager.
    await fx.admin.request(HttpMethod.PATCH, `/apis/apps/v1/namespaces/${app.namespace}/deployments/web`, {
      query: { fieldManager: "kubectl-edit" },
      body: { spec: { replicas: 5 } },
      contentType: "application/merge-patch+json",
    });
    expect(await read(20_000)).toMatchObject({ read: true });
    expect(await driftOf()).toEqual({
      objects: [
        {
          ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: app.namespace, name: "web" },
          fields: ["spec.replicas"],
        },
      ],
      truncated: false,
    });
    // The tree node says what changed, from what to what, and who changed it (the same details as pull).
    expect((await webNode()).sync).toEqual({
      status: "OutOfSync",
      fields: [
        {
          path: "spec.replicas",
          applied: "2",
          live: "5",
          owner: { manager: "kubectl-edit", operation: "Update", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        },
      ],
    });
  });
});

describe("push drift events: one per change of the drift, counted, announced and on the timeline as pull drift is", () => {
  it("a kubectl edit found by one status read is one drift event: 1 push drift detected, drift.detected with the application's link, old → new on the timeline; a re-read adds nothing", async () => {
    const sink = await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: { name: `sink-${randomBytes(4).toString("hex")}`, url: receiver.url, events: ["drift.detected"] },
      as: admin,
    });
    expect(sink.status).toBe(201);
    const sinkId = sink.body.sink.id as string;
    // An environment of its own, so the fleet rows (by mode and environment) count this test's targets only.
    const environment = `drift-${randomBytes(3).toString("hex")}`;
    const target = await fx.pushTarget({ environment });
    const app = await deployedApplication(target);
    const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 60 * WINDOW_MS;
    const read = (offsetMs: number) => readAt(app.id, base + offsetMs);
    const events = () =>
      fx.db().pushDriftEvent.findMany({ where: { applicationId: app.id }, orderBy: { occurredAt: "asc" } });
    const deliveries = () =>
      fx.db().notificationDelivery.findMany({ where: { sinkId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const range = {
      key: "custom" as const,
      from: new Date(base - 2 * 86_400_000),
      to: new Date(base + 2 * 86_400_000),
      days: 5,
    };
    const pushDrift = async () => {
      const [byTarget, byEnvironment] = await Promise.all([
        getComparison({ range: { ...range, environment: null }, targetId: target.targetId }),
        getComparison({ range: { ...range, environment } }),
      ]);
      return [byTarget.delivery.push, byEnvironment.delivery.push].map((d) => [d.driftDetected, d.driftCorrected]);
    };
    const patchReplicas = (replicas: number) =>
      fx.admin.request(HttpMethod.PATCH, `/apis/apps/v1/namespaces/${app.namespace}/deployments/web`, {
        query: { fieldManager: "kubectl-edit" },
        body: { spec: { replicas } },
        contentType: "application/merge-patch+json",
      });

    // In sync after the deployment: nothing recorded, nothing counted.
    expect(await read(0)).toMatchObject({ read: true });
    expect(await events()).toEqual([]);
    expect(await pushDrift()).toEqual([
      [0, 0],
      [0, 0],
    ]);

    // An out-of-band change under another field manager; one status read finds it.
    await patchReplicas(5);
    expect(await read(20_000)).toMatchObject({ read: true });
    const [event] = await events();
    expect(await events()).toHaveLength(1);
    expect(event).toMatchObject({
      targetId: target.targetId,
      environment,
      occurredAt: new Date(base + 20_000),
      message: `Deployment ${app.namespace}/web: spec.replicas 2 → 5 (kubectl-edit)`,
    });
    // Counted as pull drift is (lib/rollups/contributions.ts), per target and in the fleet rows; push corrects nothing.
    expect(await pushDrift()).toEqual([
      [1, 0],
      [1, 0],
    ]);
    // drift.detected, with the message and payload a pull drift has and the application's link.
    const queued = await deliveries();
    expect(queued.map((d) => d.event)).toEqual(["drift.detected"]);
    const body = JSON.parse(queued[0]!.payload) as { text: string; wharf: Record<string, unknown> };
    expect(body.wharf).toMatchObject({
      event: "drift.detected",
      mode: "push",
      syncEventId: event!.id,
      applicationId: app.id,
      targetId: target.targetId,
      environment,
      linkPath: `/applications/${app.id}`,
      url: `${env().publicUrl}/applications/${app.id}`,
      drift: [{ object: `Deployment ${app.namespace}/web`, fields: ["spec.replicas"] }],
    });
    expect(body.text).toContain(`<${env().publicUrl}/applications/${app.id}|`);
    expect(body.text).toContain(`1 object changed in the cluster, Deployment ${app.namespace}/web (spec.replicas)`);
    // On the application's timeline: the field with its values, and who changed it.
    const timeline = await listApplicationTimeline({ applicationId: app.id, query: {} });
    const drifts = timeline.items.filter((i) => i.kind === "drift");
    expect(drifts).toEqual([
      expect.objectContaining({
        id: `push-drift:${event!.id}`,
        title: "Drift detected",
        status: "drift-detected",
        actor: "kubectl-edit",
        at: new Date(base + 20_000).toISOString(),
        detail: `Deployment ${app.namespace}/web: spec.replicas 2 → 5 (kubectl-edit)`,
      }),
    ]);

    // The same drift read again (the page polls, the background pass reads): no second event, count or notification,
    // even with another value in the same field (the agent compares drifted paths, not values, too).
    expect(await read(40_000)).toMatchObject({ read: true });
    await patchReplicas(6);
    expect(await read(60_000)).toMatchObject({ read: true });
    expect(await events()).toHaveLength(1);
    expect(await pushDrift()).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(await deliveries()).toHaveLength(1);

    // Put back by hand: in sync, nothing recorded (pull reports nothing either); the same edit again is a new drift,
    // counted, but announced once per episode until the application is deployed again (pull's flood rule).
    await patchReplicas(2);
    expect(await read(80_000)).toMatchObject({ read: true });
    expect(await events()).toHaveLength(1);
    await patchReplicas(7);
    expect(await read(100_000)).toMatchObject({ read: true });
    const all = await events();
    expect(all.map((e) => e.message)).toEqual([
      `Deployment ${app.namespace}/web: spec.replicas 2 → 5 (kubectl-edit)`,
      `Deployment ${app.namespace}/web: spec.replicas 2 → 7 (kubectl-edit)`,
    ]);
    expect(await pushDrift()).toEqual([
      [2, 0],
      [2, 0],
    ]);
    expect(await deliveries()).toHaveLength(1);

    // The rebuild (upgrades, `npm run wharf -- rollups`) counts the same from the events as the reads did.
    await rebuildDeliveryRollups(fx.db(), { from: range.from, to: range.to, dialect: t.kind });
    expect(await pushDrift()).toEqual([
      [2, 0],
      [2, 0],
    ]);
  });
});

describe("push live state: background reads follow the target's interval", () => {
  it("new production push targets start off, others at 300 s; the background pass reads only targets with an interval", async () => {
    const admin = await createCaller("admin");
    const create = (environment: string, mode: "push" | "pull") =>
      callRoute(targetsRoute.POST, {
        method: "POST",
        path: "/api/targets",
        body: {
          name: `t-${randomBytes(4).toString("hex")}`,
          environment,
          mode,
          serverUrl: "https://10.0.0.1:6443",
        },
        as: admin,
      });
    const [prod, production, dev, pull] = await Promise.all([
      create("prod", "push"),
      create("Production", "push"),
      create("dev", "push"),
      create("dev", "pull"),
    ]);
    expect([prod.status, production.status, dev.status, pull.status]).toEqual([201, 201, 201, 201]);
    expect(prod.body.statusReadIntervalSeconds).toBeNull();
    expect(production.body.statusReadIntervalSeconds).toBeNull();
    expect(dev.body.statusReadIntervalSeconds).toBe(300);
    expect(pull.body.statusReadIntervalSeconds).toBeNull();

    // On the cluster: a prod target left at its default, and a staging one with an interval.
    const prodTarget = await fx.pushTarget({ environment: "prod" });
    const stagingTarget = await fx.pushTarget({ environment: "staging" });
    await fx.db().target.update({ where: { id: stagingTarget.targetId }, data: { statusReadIntervalSeconds: 60 } });
    // One after the other: each queues a deployment and runs the executor once, which claims the oldest queued one —
    // run together, either could take the other's (a failed CI run: "the executor ran …, expected deployment …").
    const prodApp = await deployedApplication(prodTarget);
    const stagingApp = await deployedApplication(stagingTarget);
    const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 24 * WINDOW_MS;
    await runPushStatusTick({ now: new Date(base) });
    const states = await fx.db().applicationLiveState.findMany({
      where: { applicationId: { in: [prodApp.id, stagingApp.id] } },
    });
    expect(states.map((s) => [s.applicationId, s.source, s.health])).toEqual([[stagingApp.id, "push", "Healthy"]]);
    expect((await useCount(await activeCredential(stagingTarget.targetId))).map((c) => c.count)).toEqual([1]);
    expect(await useCount(await activeCredential(prodTarget.targetId))).toEqual([]);

    // Within the target's interval the pass reads nothing again; after it, once more.
    await runPushStatusTick({ now: new Date(base + 30_000) });
    expect((await useCount(await activeCredential(stagingTarget.targetId))).map((c) => c.count)).toEqual([1]);
    await runPushStatusTick({ now: new Date(base + 61_000) });
    expect((await useCount(await activeCredential(stagingTarget.targetId))).map((c) => c.count)).toEqual([2]);

    // A deleted (archived) application is never read again, however long since its last read.
    await fx.db().application.update({ where: { id: stagingApp.id }, data: { archivedAt: new Date() } });
    await runPushStatusTick({ now: new Date(base + 200_000) });
    expect((await useCount(await activeCredential(stagingTarget.targetId))).map((c) => c.count)).toEqual([2]);
  });
});
