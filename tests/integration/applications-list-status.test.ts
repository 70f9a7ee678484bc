import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as heartbeatRoute from "@/app/api/agent/v1/heartbeat/route";
import * as liveStateRoute from "@/app/api/agent/v1/live-state/route";
import * as applicationsRoute from "@/app/api/applications/route";
import { ZApplicationListPage } from "@/lib/applications/schemas";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import { auditedTransaction } from "@/lib/audit/data/record-audit-event";
import { dbFor } from "@/lib/db/client";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import type { TDeploymentState } from "@/lib/deployments/states";
import { callRoute, createCaller, type Caller } from "../support/api";
import { insertQueuedDeployment } from "../support/executor";
import {
  createEnrolledAgent,
  createPullTarget,
  createPushTarget,
  fakeSha,
  syncEvent,
  type AgentCaller,
} from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// The Applications list filters by sync status and health stored on the Application row (issue 15 benchmark: a rule
// evaluated per row made a rare status walk the table). These tests change an application's status only through the
// code that writes it in production — agent heartbeats, sync events and live-state reports, deployment transitions —
// and ask the list's filters: a writer that forgot to recompute the stored columns leaves the filter stale here.
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

/** The application ids the list returns on `targetId` with `filter` (e.g. `sync=OutOfSync`). */
async function listed(targetId: string, filter: string): Promise<string[]> {
  const res = await callRoute(applicationsRoute.GET, {
    path: `/api/applications?targetId=${targetId}&${filter}`,
    as: viewer,
  });
  expect(res.status).toBe(200);
  return ZApplicationListPage.parse(res.body).items.map((i) => i.id);
}

/** Which sync filter and which health filter find the application (each must find it under exactly one). */
async function statusOf(app: { id: string; targetId: string }) {
  const sync: string[] = [];
  for (const s of ["Synced", "OutOfSync", "Unknown"])
    if ((await listed(app.targetId, `sync=${s}`)).includes(app.id)) sync.push(s);
  const health: string[] = [];
  for (const h of ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"])
    if ((await listed(app.targetId, `health=${h}`)).includes(app.id)) health.push(h);
  // The row shows the status the rule computes; the filter must agree with it.
  const res = await callRoute(applicationsRoute.GET, {
    path: `/api/applications?targetId=${app.targetId}`,
    as: viewer,
  });
  const row = ZApplicationListPage.parse(res.body).items.find((i) => i.id === app.id)!;
  expect(sync).toEqual([row.sync]);
  expect(health).toEqual(row.health ? [row.health.status] : []);
  return { sync: sync[0], health: health[0] ?? null };
}

async function pullApplication(): Promise<{ id: string; targetId: string; repoId: string; agent: AgentCaller }> {
  const target = await createPullTarget();
  const agent = await createEnrolledAgent(admin, [target.id]);
  const name = `app-${randomBytes(3).toString("hex")}`;
  const created = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: { name, targetId: target.id, source: { kind: "git", repoUrl: `https://git.example.test/team/${name}.git` } },
    as: deployer,
  });
  expect(created.status).toBe(201);
  return { id: created.body.id, targetId: target.id, repoId: created.body.pullRepoId, agent };
}

const heartbeat = (agent: AgentCaller, repoId: string, state: string, revision: string | null) =>
  callRoute(heartbeatRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/heartbeat",
    body: { version: "0.0.0-test", hostname: "test-host", repos: [{ repoId, revision, state }] },
    as: agent,
  });

const liveState = (app: { targetId: string; repoId: string; agent: AgentCaller }, health: string) =>
  callRoute(liveStateRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/live-state",
    body: {
      states: [
        {
          targetId: app.targetId,
          repoId: app.repoId,
          revisionId: null,
          health: { status: health },
          roots: [],
          nodeCount: 0,
          truncated: false,
          observedAt: new Date().toISOString(),
        },
      ],
    },
    as: app.agent,
  });

describe("the Applications list's stored sync and health filters", () => {
  it("follow a pull application's heartbeats, sync events and live-state reports", async () => {
    const app = await pullApplication();
    expect(await statusOf(app)).toEqual({ sync: "Unknown", health: null });

    const sha = fakeSha();
    expect((await heartbeat(app.agent, app.repoId, "in-sync", sha)).status).toBe(200);
    expect((await statusOf(app)).sync).toBe("Synced");

    const drift = syncEvent({ targetId: app.targetId, repoId: app.repoId, result: "drift-detected", kind: "drift" });
    const sent = await callRoute(eventsRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/events",
      body: { events: [drift] },
      as: app.agent,
    });
    expect(sent.status).toBe(200);
    expect((await statusOf(app)).sync).toBe("OutOfSync");

    expect((await heartbeat(app.agent, app.repoId, "in-sync", sha)).status).toBe(200);
    expect((await liveState(app, "Degraded")).status).toBe(200);
    expect(await statusOf(app)).toEqual({ sync: "Synced", health: "Degraded" });

    expect((await liveState(app, "Healthy")).status).toBe(200);
    expect(await statusOf(app)).toEqual({ sync: "Synced", health: "Healthy" });
  });

  it("follow a push application's deployments through their transitions", async () => {
    const target = await createPushTarget();
    const app = await db().application.create({
      data: {
        name: `app-${randomBytes(3).toString("hex")}`,
        targetId: target.id,
        mode: "push",
        sourceKind: "manifests",
        inventoryKey: `inv-${randomBytes(6).toString("hex")}`,
      },
    });
    expect((await statusOf(app)).sync).toBe("Unknown");

    const move = (deploymentId: string, to: TDeploymentState) =>
      auditedTransaction((tx) =>
        transitionDeployment(tx, {
          deploymentId,
          to,
          actor: { kind: "system", id: null, name: "test" },
          data: to === "succeeded" || to === "cancelled" ? { finishedAt: new Date() } : {},
        }),
      );
    const manifests = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n";
    const first = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.id,
      manifests,
      applicationId: app.id,
    });
    expect(await move(first, "running")).toBe(true);
    expect((await statusOf(app)).sync).toBe("OutOfSync");
    expect(await move(first, "succeeded")).toBe(true);
    expect((await statusOf(app)).sync).toBe("Synced");

    // A request cancelled before it ran changed nothing in the cluster: the success before it still counts.
    const second = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.id,
      manifests,
      applicationId: app.id,
    });
    expect(await move(second, "cancelled")).toBe(true);
    expect((await statusOf(app)).sync).toBe("Synced");
  });

  it("are filled for applications written before the columns existed (the migration's backfill)", async () => {
    const app = await pullApplication();
    expect((await heartbeat(app.agent, app.repoId, "drifted", fakeSha())).status).toBe(200);
    expect((await liveState(app, "Progressing")).status).toBe(200);
    // What the migration leaves before its after-migration step runs: the columns' defaults.
    await db().application.update({ where: { id: app.id }, data: { syncStatus: "Unknown", health: null } });
    expect(await listed(app.targetId, "sync=OutOfSync")).toEqual([]);
    await recomputeApplicationStatus(db(), "all");
    expect(await statusOf(app)).toEqual({ sync: "OutOfSync", health: "Progressing" });
  });
});
