import { afterAll, beforeAll } from "vitest";
import { dbFor } from "@/lib/db/client";
import { runOnce, type PhaseHook } from "@/lib/deployments/executor";
import { createKubeClient, kubeConfigFor, type KubeClient, type KubeObject } from "@/lib/kube";
import type { SandboxOptions } from "@/lib/kube/sandbox";
import { startTestCluster, type TestCluster } from "./cluster";
import { insertQueuedDeployment } from "./executor";
import { createSandboxPushTarget, type SandboxPushTarget } from "./push-target";
import type { TestDatabase } from "./test-db";

/** Lease and rollout timeout of executor runs in tests: long enough for either cluster leg, short enough to fail fast. */
export const EXECUTOR_TEST_SETTINGS = { leaseMs: 10_000, rolloutTimeoutMs: 15_000 } as const;

/** What an executor test file shares: its cluster (either leg), an admin client on it, and its database. */
export interface ExecutorFixture {
  /** The cluster of this project's leg (tests/support/cluster.ts); set in beforeAll. */
  readonly cluster: TestCluster;
  /** A cluster-admin client, for reading what the executor did (never for what the executor should do). */
  readonly admin: KubeClient;
  db(): ReturnType<typeof dbFor>;
  /** A push target on the cluster (see createSandboxPushTarget), in this file's database. */
  pushTarget(opts?: Omit<Parameters<typeof createSandboxPushTarget>[1], "databaseUrl">): Promise<SandboxPushTarget>;
  /** The live ConfigMap, undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  /**
   * Inserts a queued deployment (approvals done) and runs it with one `runOnce`; returns its final row and its log as
   * one text. Fails the test when the executor picked up another deployment.
   */
  deployQueued(
    target: { targetId: string },
    manifests: string,
    opts?: { processId?: string; applicationId?: string },
  ): Promise<{ row: Awaited<ReturnType<ReturnType<typeof dbFor>["deployment"]["findUniqueOrThrow"]>>; log: string }>;
  /**
   * Runs the deployment `id` (already queued) with one `runOnce`; returns its row and log as `deployQueued` does.
   * `onPhase` runs at each phase of the run, for tests that act while it is under way.
   */
  run(
    id: string,
    opts?: { processId?: string; onPhase?: PhaseHook },
  ): Promise<{ row: Awaited<ReturnType<ReturnType<typeof dbFor>["deployment"]["findUniqueOrThrow"]>>; log: string }>;
}

/**
 * The executor tests' harness, once instead of copied per file: starts the cluster of the project's leg (the sandbox,
 * or the shared real control plane on integration-postgresql when it is built) before the file's tests, with an admin
 * client on it, and stops both after. Call after `useTestDatabase()` so the database exists when the tests start.
 */
export function useExecutorFixture(
  t: TestDatabase,
  sandboxOptions: SandboxOptions = { rolloutDelayMs: 200 },
): ExecutorFixture {
  let cluster: TestCluster | undefined;
  let admin: KubeClient | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster(sandboxOptions);
    admin = createKubeClient(
      kubeConfigFor({ name: "test-cluster", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
    );
  });
  afterAll(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useExecutorFixture: the cluster is started in beforeAll");
    return value;
  };
  const db = () => dbFor(t.url);
  const run: ExecutorFixture["run"] = async (id, opts = {}) => {
    const outcome = await runOnce({
      processId: opts.processId ?? "exec-test",
      ...EXECUTOR_TEST_SETTINGS,
      ...(opts.onPhase ? { onPhase: opts.onPhase } : {}),
    });
    if (outcome?.deploymentId !== id)
      throw new Error(`the executor ran ${outcome?.deploymentId ?? "nothing"}, expected deployment ${id}`);
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    const logs = await db().deploymentLog.findMany({ where: { deploymentId: id }, orderBy: { seq: "asc" } });
    return { row, log: logs.map((l) => l.message).join("\n") };
  };

  return {
    get cluster() {
      return started(cluster);
    },
    get admin() {
      return started(admin);
    },
    db,
    pushTarget: (opts = {}) => createSandboxPushTarget(started(cluster), { ...opts, databaseUrl: t.url }),
    configMap: (namespace, name) => started(admin).get({ apiVersion: "v1", kind: "ConfigMap", namespace, name }),
    deployQueued: async (target, manifests, opts = {}) => {
      const id = await insertQueuedDeployment({
        databaseUrl: t.url,
        targetId: target.targetId,
        manifests,
        ...(opts.applicationId ? { applicationId: opts.applicationId } : {}),
      });
      return run(id, opts);
    },
    run,
  };
}
