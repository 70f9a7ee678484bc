import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as liveStateRoute from "@/app/api/agent/v1/live-state/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as liveRoute from "@/app/api/applications/[id]/live/route";
import { getReportedApplicationLive } from "@/lib/applications/data/get-application-live";
import { LIVE_TREE_NODES_MAX, type TLiveNode, type TLiveState } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, createPushTarget, fakeSha, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 2 (pull): the agent's live-state reports are stored per application (latest only, an identical one
// confirmed, not rewritten), bounded, refused outside the agent's targets, and served by GET /api/applications/:id/live.

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

async function pullApplication(targetId: string): Promise<{ id: string; repoId: string }> {
  const name = `app-${randomBytes(3).toString("hex")}`;
  const created = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: {
      name,
      targetId,
      source: { kind: "git", repoUrl: `https://git.example.test/team/${name}.git`, ref: "main", path: "deploy" },
    },
    as: deployer,
  });
  expect(created.status).toBe(201);
  return { id: created.body.id, repoId: created.body.pullRepoId };
}

const pod = (name: string, image: string, health: TLiveNode["health"]): TLiveNode => ({
  apiVersion: "v1",
  kind: "Pod",
  namespace: "shop",
  name,
  health,
  inInventory: false,
  pod: { phase: "Running", restarts: 3, ready: 0, containers: 1, images: [image] },
  children: [],
});

function state(targetId: string, repoId: string, over: Partial<TLiveState> = {}): TLiveState {
  const roots: TLiveNode[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "shop",
      name: "web",
      health: { status: "Healthy" },
      inInventory: true,
      children: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          namespace: "shop",
          name: "web-5d4f",
          health: { status: "Healthy" },
          inInventory: false,
          children: [pod("web-5d4f-a", "nginx:1.27", { status: "Healthy" })],
        },
      ],
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "shop",
      name: "web-config",
      health: { status: "Healthy" },
      inInventory: true,
      children: [],
    },
  ];
  return {
    targetId,
    repoId,
    revisionId: `${fakeSha()}@abc`,
    health: { status: "Healthy" },
    roots,
    nodeCount: 4,
    truncated: false,
    observedAt: new Date().toISOString(),
    ...over,
  };
}

const report = (agent: AgentCaller, body: unknown) =>
  callRoute(liveStateRoute.POST, { method: "POST", path: "/api/agent/v1/live-state", body, as: agent });
const live = (id: string, as: Caller = viewer) =>
  callRoute(liveRoute.GET, { path: `/api/applications/${id}/live`, params: { id }, as });

describe("application live state (pull)", () => {
  it("stores the agent's report and serves it to a viewer; an identical report is confirmed, not rewritten", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const app = await pullApplication(target.id);

    const before = await live(app.id);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ source: "agent", mode: "pull", reported: false });

    const first = state(target.id, app.repoId);
    const res = await report(agent, { states: [first] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ changed: 1, unchanged: 0, ignored: 0 });

    const served = await live(app.id);
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({
      source: "agent",
      reported: true,
      agentId: agent.agentId,
      revisionId: first.revisionId,
      health: { status: "Healthy" },
      nodeCount: 4,
      truncated: false,
      observedAt: first.observedAt,
    });
    expect(served.body.roots).toEqual(first.roots);
    // What the application's page renders at once is what the API serves.
    expect(JSON.parse(JSON.stringify(await getReportedApplicationLive(app.id)))).toEqual(served.body);
    const row = await db().applicationLiveState.findUniqueOrThrow({ where: { applicationId: app.id } });

    // The same state read again later: only confirmedAt moves.
    await new Promise((r) => setTimeout(r, 20));
    const again = await report(agent, { states: [{ ...first, observedAt: new Date().toISOString() }] });
    expect(again.body).toEqual({ changed: 0, unchanged: 1, ignored: 0 });
    const confirmed = await db().applicationLiveState.findUniqueOrThrow({ where: { applicationId: app.id } });
    expect(confirmed.receivedAt.getTime()).toBe(row.receivedAt.getTime());
    expect(confirmed.observedAt.getTime()).toBe(row.observedAt.getTime());
    expect(confirmed.treeJson).toBe(row.treeJson);
    expect(confirmed.confirmedAt.getTime()).toBeGreaterThan(row.confirmedAt.getTime());

    // A changed state replaces it: the rollout of a failing image.
    const degraded = state(target.id, app.repoId, {
      health: { status: "Degraded", message: 'Deployment "web" exceeded its progress deadline' },
    });
    degraded.roots[0]!.health = degraded.health;
    degraded.roots[0]!.children[0]!.children[0] = pod("web-5d4f-a", "registry.local/app:fail", {
      status: "Degraded",
      message: 'container "web": CrashLoopBackOff: back-off 10s restarting failed container',
    });
    expect((await report(agent, { states: [degraded] })).body).toEqual({ changed: 1, unchanged: 0, ignored: 0 });
    const now = await live(app.id);
    expect(now.body.health).toEqual(degraded.health);
    expect(now.body.roots[0].children[0].children[0]).toMatchObject({
      health: { status: "Degraded" },
      pod: { restarts: 3, images: ["registry.local/app:fail"] },
    });
    expect(await db().applicationLiveState.count({ where: { applicationId: app.id } })).toBe(1);
  });

  it("refuses a report for another target's application (403, audited) and stores nothing of the batch", async () => {
    const mine = await createPullTarget();
    const other = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [mine.id]);
    const own = await pullApplication(mine.id);
    const foreign = await pullApplication(other.id);

    // The other target's repository, claimed under the agent's own target and under the other one.
    for (const targetId of [mine.id, other.id]) {
      const res = await report(agent, { states: [state(mine.id, own.repoId), state(targetId, foreign.repoId)] });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("AGENT_SCOPE_FORBIDDEN");
    }
    expect(await db().applicationLiveState.count({ where: { applicationId: { in: [own.id, foreign.id] } } })).toBe(0);
    expect((await live(foreign.id)).body.reported).toBe(false);
    const denied = await db().auditEvent.findMany({ where: { action: "agent.denied", subjectId: agent.agentId } });
    expect(denied.length).toBe(2);
    expect(JSON.parse(denied[0]!.details).route).toBe("POST /api/agent/v1/live-state");
  });

  it("enforces the bounds: too many nodes or a wrong count is 422, a body over 2 MiB is 413; nothing stored", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const app = await pullApplication(target.id);

    const many: TLiveNode[] = Array.from({ length: LIVE_TREE_NODES_MAX + 1 }, (_, i) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "shop",
      name: `cm-${i}`,
      health: { status: "Healthy" as const },
      inInventory: true,
      children: [],
    }));
    const tooMany = await report(agent, {
      states: [state(target.id, app.repoId, { roots: many, nodeCount: many.length })],
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(typeof tooMany.body.error.message).toBe("string");

    const lying = await report(agent, { states: [state(target.id, app.repoId, { nodeCount: 1 })] });
    expect(lying.status).toBe(422);

    // Six levels (one more than the protocol's five).
    let deep: TLiveNode = pod("leaf", "nginx", { status: "Healthy" });
    for (let i = 0; i < 5; i++) deep = { ...deep, kind: "Thing", name: `level-${i}`, pod: undefined, children: [deep] };
    const tooDeep = await report(agent, { states: [state(target.id, app.repoId, { roots: [deep], nodeCount: 6 })] });
    expect(tooDeep.status).toBe(422);

    const huge = state(target.id, app.repoId);
    huge.health = { status: "Healthy" };
    const big = await report(agent, JSON.stringify({ states: [huge], padding: "x".repeat(2 * 1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });

    expect(await db().applicationLiveState.count({ where: { applicationId: app.id } })).toBe(0);
  });

  it("a push application never deployed answers source none; an unknown one 404; no credential is 401", async () => {
    const target = await createPushTarget();
    const created = await callRoute(applicationsRoute.POST, {
      method: "POST",
      path: "/api/applications",
      body: { name: "web", targetId: target.id, source: { kind: "manifests" } },
      as: deployer,
    });
    const res = await live(created.body.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ source: "none", mode: "push" });
    // Nothing to read yet (tests/integration/push-live-state.test.ts reads a deployed one from its cluster).
    expect(res.body.message).toMatch(/Nothing was deployed yet/);
    // A page never renders a push application's live state itself: asking reads the cluster with the credential.
    expect(await getReportedApplicationLive(created.body.id)).toBeNull();
    expect((await live("nope")).status).toBe(404);
    expect((await live(created.body.id, null as unknown as Caller)).status).toBe(401);
    expect(
      (await callRoute(liveStateRoute.POST, { method: "POST", path: "/api/agent/v1/live-state", body: { states: [] } }))
        .status,
    ).toBe(401);
  });
});
