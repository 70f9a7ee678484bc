import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countApplicationHealth } from "@/lib/applications/data/count-application-health";
import { dbFor } from "@/lib/db/client";
import { installQueryLog } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

// The Overview's application figures (issue 15, Must 6): every application counted by mode, pull ones by reported
// health and sync state, push ones by their newest deployment, in a fixed number of grouped queries.
const t = useTestDatabase();
const db = () => dbFor(t.url);

async function user() {
  return db().user.create({
    data: { email: `u-${randomBytes(4).toString("hex")}@example.test`, name: "Test", role: "admin" },
  });
}

async function target(mode: "push" | "pull") {
  return db().target.create({
    data: {
      name: `${mode}-${randomBytes(3).toString("hex")}`,
      environment: "dev",
      mode,
      serverUrl: "https://127.0.0.1:6443",
    },
  });
}

async function application(t: { id: string; mode: string }) {
  return db().application.create({
    data: {
      name: `app-${randomBytes(3).toString("hex")}`,
      targetId: t.id,
      mode: t.mode,
      sourceKind: "git",
      repoUrl: "https://git.example.test/team/app.git",
      inventoryKey: `inv-${randomBytes(6).toString("hex")}`,
    },
  });
}

let minute = 0;
async function deployment(app: { id: string; targetId: string }, state: string, requestedById: string) {
  minute += 1;
  return db().deployment.create({
    data: {
      targetId: app.targetId,
      applicationId: app.id,
      state,
      sourceKind: "git",
      manifests: "",
      manifestsDigest: `sha256:${randomBytes(16).toString("hex")}`,
      objectCount: 1,
      requestedById,
      requestedByKind: "user",
      requestedByName: "Test",
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
    },
  });
}

async function pull(
  app: { id: string; targetId: string },
  createdById: string,
  report: { state?: string; health?: string },
) {
  const repo = await db().pullRepo.create({
    data: {
      targetId: app.targetId,
      applicationId: app.id,
      url: `https://git.example.test/team/${app.id}.git`,
      branch: "main",
      createdById,
    },
  });
  if (report.state) await db().repoStatus.create({ data: { repoId: repo.id, state: report.state, revision: null } });
  if (report.health) {
    const now = new Date();
    await db().applicationLiveState.create({
      data: {
        applicationId: app.id,
        repoId: repo.id,
        agentId: "agent-1",
        health: report.health,
        treeJson: '{"roots":[],"truncated":false}',
        nodeCount: 0,
        digest: randomBytes(8).toString("hex"),
        observedAt: now,
        receivedAt: now,
        confirmedAt: now,
      },
    });
  }
}

describe("overview application counts", () => {
  it("counts nothing on an empty database", async () => {
    const c = await countApplicationHealth();
    expect(c.total).toBe(0);
    expect(c.pull.total).toBe(0);
    expect(c.push.total).toBe(0);
    expect(Object.values(c.pull.health).every((n) => n === 0)).toBe(true);
    expect(Object.values(c.push.lastDeployment).every((n) => n === 0)).toBe(true);
  });

  it("counts pull applications by health and sync, push ones by their newest deployment, with no query per application", async () => {
    const u = await user();
    const [pushTarget, pullTarget] = await Promise.all([target("push"), target("pull")]);

    // Push: the newest deployment decides, whatever came before it.
    const ok = await application(pushTarget);
    await deployment(ok, "failed", u.id);
    await deployment(ok, "succeeded", u.id);
    const broken = await application(pushTarget);
    await deployment(broken, "succeeded", u.id);
    await deployment(broken, "failed", u.id);
    const waiting = await application(pushTarget);
    await deployment(waiting, "succeeded", u.id);
    await deployment(waiting, "pending-approval", u.id);
    const running = await application(pushTarget);
    await deployment(running, "running", u.id);
    const rejected = await application(pushTarget);
    await deployment(rejected, "rejected", u.id);
    await application(pushTarget); // never deployed
    await application(pushTarget); // never deployed

    // Pull: what the agent reported, and what it has not.
    await pull(await application(pullTarget), u.id, { state: "in-sync", health: "Healthy" });
    await pull(await application(pullTarget), u.id, { state: "in-sync", health: "Healthy" });
    await pull(await application(pullTarget), u.id, { state: "drifted", health: "Degraded" });
    await pull(await application(pullTarget), u.id, { state: "out-of-sync", health: "Progressing" });
    await pull(await application(pullTarget), u.id, { state: "pending-approval", health: "Suspended" });
    await pull(await application(pullTarget), u.id, { state: "failed", health: "Missing" });
    await pull(await application(pullTarget), u.id, { state: "in-sync", health: "SomethingNewer" });
    await pull(await application(pullTarget), u.id, {}); // registered, nothing reported yet

    const log = installQueryLog(t.url);
    const c = await countApplicationHealth();
    expect(c.total).toBe(15);
    expect(c.push.total).toBe(7);
    expect(c.push.lastDeployment).toEqual({
      succeeded: 1,
      failed: 1,
      awaitingApproval: 1,
      inProgress: 1,
      ended: 1,
      never: 2,
    });
    expect(c.pull.total).toBe(8);
    expect(c.pull.health).toEqual({
      Healthy: 2,
      Progressing: 1,
      Degraded: 1,
      Suspended: 1,
      Missing: 1,
      // A code this build does not know is counted as needing a look, not dropped.
      Unknown: 1,
      notReported: 1,
    });
    expect(c.pull.sync).toEqual({ inSync: 3, outOfSync: 3, failed: 1, notReported: 1 });
    const queries = log.queries.length;
    expect(queries).toBeLessThanOrEqual(4);

    // Ten more applications of each mode, deployed and reported: the same number of queries.
    for (let i = 0; i < 10; i++) {
      const a = await application(pushTarget);
      await deployment(a, "succeeded", u.id);
      await deployment(a, "failed", u.id);
      await pull(await application(pullTarget), u.id, { state: "in-sync", health: "Healthy" });
    }
    log.clear();
    const more = await countApplicationHealth();
    expect(log.queries.length).toBe(queries);
    expect(more.total).toBe(35);
    expect(more.push.lastDeployment.failed).toBe(11);
    expect(more.pull.health.Healthy).toBe(12);
    expect(more.pull.sync.inSync).toBe(13);
  });
});
