import "reflect-metadata";
import { describe, expect, it, vi } from "vitest";
import { runOnce, startExecutor, type RunOutcome } from "@/lib/deployments/executor";
import { KubeClient } from "@/lib/kube";
import { appManifests, insertQueuedDeployment, waitForTerminal } from "../support/executor";
import { useExecutorFixture } from "../support/executor-fixture";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ConfigMaps (phase "config") then a Deployment (phase "workloads"): two apply phases with a checkpoint between. */
const twoPhases = (ns: string) =>
  appManifests({
    namespace: ns,
    configMaps: ["one", "two"],
    deployment: { name: "app", image: "nginx:1", replicas: 1 },
  });

/**
 * Waits until the run has recorded these objects as applied. The hook of an apply phase after the first is called as
 * the phase before sends its last object, not once its responses are in: a test that means "the phase before is done"
 * waits for it.
 */
async function untilRecorded(deploymentId: string, names: string[]) {
  for (;;) {
    const rows = await db().deploymentObject.findMany({ where: { deploymentId, name: { in: names } } });
    if (rows.length === names.length && rows.every((r) => r.action !== "pending" && r.action !== "failed")) return;
    await sleep(20);
  }
}

async function audits(deploymentId: string, action: string) {
  return db().auditEvent.findMany({ where: { action, subjectId: deploymentId } });
}

describe("executor: leases", () => {
  it("two executors racing for one deployment: exactly one runs it", async () => {
    const target = await fx.pushTarget();
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: twoPhases(target.namespaces[0]!),
    });

    // Same instant, two processes: one claim matches, the other finds nothing.
    const outcomes = await Promise.all([
      runOnce({ processId: "racer-a", leaseMs: 10_000, rolloutTimeoutMs: 15_000 }),
      runOnce({ processId: "racer-b", leaseMs: 10_000, rolloutTimeoutMs: 15_000 }),
    ]);
    const ran = outcomes.filter((o): o is RunOutcome => o !== null);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ deploymentId: id, state: "succeeded" });
    expect(await audits(id, "deployment.started")).toHaveLength(1);
    expect(await audits(id, "deployment.succeeded")).toHaveLength(1);
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row.attempts).toBe(1);
    const starters = (
      await db().deploymentLog.findMany({ where: { deploymentId: id, message: { startsWith: "Started by executor" } } })
    ).map((l) => l.message);
    expect(starters).toEqual([`Started by executor ${row.claimedBy}.`]);

    // Two running loops on one database, several deployments of different targets: each runs exactly once.
    const targets = await Promise.all([1, 2, 3].map(() => fx.pushTarget()));
    const executors = [
      startExecutor({ processId: "loop-a", pollMs: 30, leaseMs: 10_000, rolloutTimeoutMs: 15_000 }),
      startExecutor({ processId: "loop-b", pollMs: 30, leaseMs: 10_000, rolloutTimeoutMs: 15_000 }),
    ];
    try {
      const ids = await Promise.all(
        targets.map((tg) =>
          insertQueuedDeployment({
            databaseUrl: t.url,
            targetId: tg.targetId,
            manifests: twoPhases(tg.namespaces[0]!),
          }),
        ),
      );
      for (const d of ids) expect((await waitForTerminal(t.url, d)).state).toBe("succeeded");
      for (const d of ids) {
        expect(await audits(d, "deployment.started")).toHaveLength(1);
        expect(
          await db().auditEvent.count({ where: { action: "credential.decrypted", details: { contains: d } } }),
        ).toBe(1);
      }
    } finally {
      await Promise.all(executors.map((e) => e.stop()));
    }
  });

  it("an executor stopped mid-apply leaves its lease; another resumes after it expires and finishes", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: twoPhases(ns),
    });
    const leaseMs = 1500;

    let crashed!: () => void;
    const crashedAtWorkloads = new Promise<void>((resolve) => (crashed = resolve));
    const first = startExecutor({
      processId: "doomed",
      pollMs: 30,
      leaseMs,
      rolloutTimeoutMs: 15_000,
      onPhase: async ({ phase, deploymentId }) => {
        // The ConfigMaps are applied; "kill" the process before the workloads phase, like a crash would.
        if (phase === "workloads") {
          await untilRecorded(deploymentId, ["one", "two"]);
          void first.stop({ abandon: true }).then(crashed);
        }
      },
    });
    await crashedAtWorkloads;

    const mid = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(mid).toMatchObject({ state: "running", claimedBy: "doomed", attempts: 1 });
    expect(await fx.admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "one" })).toBeDefined();
    expect(
      await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "app" }),
    ).toBeUndefined();

    // While the lease lasts, nobody else may take it.
    expect(await runOnce({ processId: "rescuer", leaseMs, rolloutTimeoutMs: 15_000 })).toBeNull();
    await sleep(mid.leaseUntil!.getTime() - Date.now() + 50);
    const outcome = await runOnce({ processId: "rescuer", leaseMs, rolloutTimeoutMs: 15_000 });
    expect(outcome).toMatchObject({ deploymentId: id, state: "succeeded" });

    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "succeeded", claimedBy: "rescuer", attempts: 2, appliedCount: 3 });
    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
    // Re-applied: what the first attempt created is unchanged now, but the deployment created it: rows and summary say so.
    expect(objects.map((o) => [o.name, o.action])).toEqual([
      ["one", "created"],
      ["two", "created"],
      ["app", "created"],
    ]);
    expect(row.resultMessage).toMatch(/^Applied 3 objects \(3 created, 0 configured, 0 unchanged\), pruned 0;/);
    expect(await audits(id, "deployment.started")).toHaveLength(1);
    expect(await audits(id, "deployment.succeeded")).toHaveLength(1);
    const logs = (await db().deploymentLog.findMany({ where: { deploymentId: id }, orderBy: { seq: "asc" } })).map(
      (l) => l.message,
    );
    expect(logs.some((m) => m.startsWith("Resumed by executor rescuer (attempt 2)"))).toBe(true);
  });

  it("taken over after the rollout, before pruning: the first attempt pruned nothing; the summary counts what it created and configured, and the rescuer's prune", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    // The previous success: ConfigMaps "old" and "one", and the workload at nginx:1.
    const previous = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({
        namespace: ns,
        configMaps: ["old", "one"],
        deployment: { name: "app", image: "nginx:1", replicas: 1 },
      }),
    });
    expect(await runOnce({ processId: "earlier", leaseMs: 10_000, rolloutTimeoutMs: 15_000 })).toMatchObject({
      deploymentId: previous,
      state: "succeeded",
    });

    // This one keeps "one", adds "two", changes the image, drops "old". Its executor dies after the rollout, as it is about to prune.
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({
        namespace: ns,
        configMaps: ["one", "two"],
        deployment: { name: "app", image: "nginx:2", replicas: 1 },
      }),
    });
    const leaseMs = 1500;
    let crashed!: () => void;
    const crashedAtPrune = new Promise<void>((resolve) => (crashed = resolve));
    const first = startExecutor({
      processId: "doomed-before-prune",
      pollMs: 30,
      leaseMs,
      rolloutTimeoutMs: 15_000,
      onPhase: ({ phase }) => {
        if (phase === "pruning") void first.stop({ abandon: true }).then(crashed);
      },
    });
    await crashedAtPrune;
    // Prune comes only after a successful rollout, and this attempt never got to it.
    expect(await fx.admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "old" })).toBeDefined();
    const mid = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(mid).toMatchObject({ state: "running", attempts: 1 });

    await sleep(mid.leaseUntil!.getTime() - Date.now() + 50);
    expect(await runOnce({ processId: "rescuer-2", leaseMs, rolloutTimeoutMs: 15_000 })).toMatchObject({
      deploymentId: id,
      state: "succeeded",
    });

    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "succeeded", attempts: 2 });
    // The rescuer itself found everything unchanged and pruned "old"; the deployment did more than that.
    expect(row.resultMessage).toMatch(
      /^Applied 3 objects \(1 created, 1 configured, 1 unchanged\), pruned 1; 1 workload rolled out/,
    );
    const finished = await db().auditEvent.findFirstOrThrow({
      where: { action: "deployment.succeeded", subjectId: id },
    });
    expect(JSON.parse(finished.details)).toMatchObject({ created: 1, configured: 1, unchanged: 1, pruned: 1 });
    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
    expect(objects.map((o) => [o.kind, o.name, o.action])).toEqual([
      ["ConfigMap", "one", "unchanged"],
      ["ConfigMap", "two", "created"],
      ["Deployment", "app", "configured"],
      ["ConfigMap", "old", "pruned"],
    ]);
  });

  it("a cancel request stops further applies; the result lists what was applied", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: twoPhases(ns),
    });
    const outcome = await runOnce({
      processId: "canceller",
      leaseMs: 10_000,
      rolloutTimeoutMs: 15_000,
      onPhase: async ({ phase, deploymentId }) => {
        // Someone presses Cancel while the ConfigMaps are done and the workloads not yet started.
        if (phase === "workloads") {
          await untilRecorded(deploymentId, ["one", "two"]);
          await db().deployment.update({ where: { id: deploymentId }, data: { cancelRequested: true } });
        }
      },
    });
    expect(outcome).toMatchObject({ deploymentId: id, state: "cancelled" });
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row.state).toBe("cancelled");
    expect(row.resultMessage).toMatch(/after applying 2 of 3 objects \(ConfigMap one .*ConfigMap two/);
    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
    expect(objects.map((o) => [o.name, o.action])).toEqual([
      ["one", "created"],
      ["two", "created"],
      ["app", "pending"],
    ]);
    expect(objects[2]!.message).toMatch(/cancelled/);
    expect(
      await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "app" }),
    ).toBeUndefined();
    expect(await audits(id, "deployment.cancelled")).toHaveLength(1);
  });

  it("the checkpoint before a phase starts while the phase before still awaits a response, and a cancel it sees stops that phase", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: twoPhases(ns),
    });
    // The executor's apply of ConfigMap "two", the config phase's last object, is held until the workloads phase's
    // checkpoint begins — or, if it never begins while "two" is in flight, for 5 s, which the test then reports.
    let releasedBy: "checkpoint" | "fallback" | undefined;
    let open!: () => void;
    const released = new Promise<void>((resolve) => (open = resolve));
    const release = (by: "checkpoint" | "fallback") => {
      releasedBy ??= by;
      open();
    };
    const fallback = setTimeout(() => release("fallback"), 5000);
    let twoApplied!: () => void;
    const twoDone = new Promise<void>((resolve) => (twoApplied = resolve));
    const original = KubeClient.prototype.apply;
    const spy = vi.spyOn(KubeClient.prototype, "apply").mockImplementation(async function (
      this: KubeClient,
      obj,
      opts,
    ) {
      if (obj.kind !== "ConfigMap" || obj.metadata.name !== "two" || opts.dryRun) return original.call(this, obj, opts);
      await released;
      try {
        return await original.call(this, obj, opts);
      } finally {
        twoApplied();
      }
    });
    let outcome: RunOutcome | null;
    try {
      outcome = await runOnce({
        processId: "early-checkpoint",
        leaseMs: 10_000,
        rolloutTimeoutMs: 15_000,
        onPhase: async ({ phase, deploymentId }) => {
          if (phase !== "workloads") return;
          release("checkpoint");
          // "two" lands before the cancel: what stops the run is this checkpoint, not an abort of "two" in flight.
          await twoDone;
          await db().deployment.update({ where: { id: deploymentId }, data: { cancelRequested: true } });
        },
      });
    } finally {
      clearTimeout(fallback);
      spy.mockRestore();
    }
    expect(releasedBy).toBe("checkpoint");
    expect(outcome).toMatchObject({ deploymentId: id, state: "cancelled" });
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row.resultMessage).toMatch(/after applying 2 of 3 objects \(ConfigMap one .*ConfigMap two/);
    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
    expect(objects.map((o) => [o.name, o.action])).toEqual([
      ["one", "created"],
      ["two", "created"],
      ["app", "pending"],
    ]);
    expect(
      await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "app" }),
    ).toBeUndefined();
    // The workloads phase never started, and the log does not say it did.
    const logs = (await db().deploymentLog.findMany({ where: { deploymentId: id } })).map((l) => l.message);
    expect(logs.some((m) => m.startsWith("Phase 1/2: configuration and storage"))).toBe(true);
    expect(logs.filter((m) => m.startsWith("Phase 2/2"))).toEqual([]);
  });

  it("an executor that lost its lease stops touching the cluster and writes no outcome", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: twoPhases(ns),
    });
    const outcome = await runOnce({
      processId: "stalled",
      leaseMs: 10_000,
      rolloutTimeoutMs: 15_000,
      onPhase: async ({ phase, deploymentId }) => {
        // As if this process stalled past its lease and another executor claimed the deployment meanwhile.
        if (phase === "workloads")
          await db().deployment.update({
            where: { id: deploymentId },
            data: { claimedBy: "new-owner", leaseUntil: new Date(Date.now() + 60_000) },
          });
      },
    });
    expect(outcome).toMatchObject({ deploymentId: id, state: "lost" });
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "running", claimedBy: "new-owner", finishedAt: null });
    expect(
      await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "app" }),
    ).toBeUndefined();
    expect(await audits(id, "deployment.failed")).toHaveLength(0);
  });

  it("a deployment interrupted too many times is failed instead of retried forever", async () => {
    const target = await fx.pushTarget();
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: twoPhases(target.namespaces[0]!),
    });
    await db().deployment.update({
      where: { id },
      data: {
        state: "running",
        startedAt: new Date(),
        attempts: 5,
        claimedBy: "gone",
        leaseUntil: new Date(Date.now() - 1000),
      },
    });
    const outcome = await runOnce({ processId: "last-try", leaseMs: 10_000, rolloutTimeoutMs: 15_000 });
    expect(outcome).toMatchObject({ deploymentId: id, state: "failed" });
    expect((await db().deployment.findUniqueOrThrow({ where: { id } })).resultMessage).toMatch(
      /Gave up after 5 interrupted attempts/,
    );
  });
});
