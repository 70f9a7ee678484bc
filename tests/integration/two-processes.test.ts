import "reflect-metadata";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { dbFor } from "@/lib/db/client";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { appManifests, insertQueuedDeployment, waitForTerminal } from "../support/executor";
import { createSandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Two dashboard processes share one PostgreSQL database. Each child runs what `next start` runs in the background
// (instrumentation.ts: the executor and the other leased loops) in its own Node process, so nothing is shared
// but the database and the cluster. Why children and not two `next start`: a current production build cannot be
// assumed in the suite (building takes minutes and races other builds of the same checkout), and the HTTP layer adds
// nothing to the question asked here — whether the claim and the lease hold across processes.
// The same over HTTP with two real `next start` processes, once a build exists: tests/e2e/two-dashboards.spec.ts.
const onPostgres = process.env.WHARF_TEST_DB === "postgresql";
const t = useTestDatabase();
const root = path.resolve(import.meta.dirname, "../..");
let cluster: TestCluster;
const children: ChildProcess[] = [];
const processIds: string[] = [];

function startChild(): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=react-server", "tests/support/background-process.ts"],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        WHARF_EXECUTOR: "on",
        WHARF_EXECUTOR_POLL_INTERVAL: "100ms",
        WHARF_EXECUTOR_LEASE: "10s",
        WHARF_ROTATION: "on",
        WHARF_ROTATION_INTERVAL: "5s",
        WHARF_ROLLOUT_TIMEOUT: "30s",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start in 60 s: ${stderr.slice(-2000)}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      const m = /ready (\S+)/.exec(d.toString());
      if (m) {
        processIds.push(m[1]!);
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

beforeAll(async () => {
  if (!onPostgres) return;
  cluster = await startTestCluster({ rolloutDelayMs: 100 });
  await Promise.all([startChild(), startChild()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
          setTimeout(() => c.kill("SIGKILL"), 15_000).unref();
        }),
    ),
  );
  await cluster?.stop();
}, 60_000);

const db = () => dbFor(t.url);

describe.skipIf(!onPostgres)(
  "two dashboard processes on one PostgreSQL (SQLite leg skipped: a SQLite file serves one process)",
  () => {
    it("run every queued deployment exactly once", async () => {
      expect(new Set(processIds).size).toBe(2);
      const targets = await Promise.all(
        Array.from({ length: 8 }, () => createSandboxPushTarget(cluster, { databaseUrl: t.url })),
      );
      const ids = await Promise.all(
        targets.map((tg) =>
          insertQueuedDeployment({
            databaseUrl: t.url,
            targetId: tg.targetId,
            manifests: appManifests({
              namespace: tg.namespaces[0]!,
              configMaps: ["one"],
              deployment: { name: "app", image: "nginx:1", replicas: 1 },
            }),
          }),
        ),
      );
      for (const id of ids) expect((await waitForTerminal(t.url, id, 90_000)).state).toBe("succeeded");
      for (const id of ids) {
        expect(await db().auditEvent.count({ where: { action: "deployment.started", subjectId: id } }), id).toBe(1);
        expect(await db().auditEvent.count({ where: { action: "deployment.succeeded", subjectId: id } }), id).toBe(1);
        const row = await db().deployment.findUniqueOrThrow({ where: { id } });
        expect(row.attempts).toBe(1);
        expect(processIds).toContain(row.claimedBy);
      }
    }, 120_000);

    it("rotate a due credential once, though both schedulers look", async () => {
      // The ServiceAccount may ask for a new token for itself (TokenRequest), as rotation needs.
      const target = await createSandboxPushTarget(cluster, {
        databaseUrl: t.url,
        environment: "two-proc",
        canRequestOwnToken: true,
      });
      const policy = await db().credentialPolicy.create({
        data: { name: "two-proc-rotate", maxAgeDays: 1, warnBeforeDays: 0, autoRotate: true },
      });
      await db().target.update({ where: { id: target.targetId }, data: { credentialPolicyId: policy.id } });
      const old = await db().credential.findFirstOrThrow({ where: { targetId: target.targetId, state: "active" } });
      await db().credential.update({
        where: { id: old.id },
        data: { lastRotatedAt: new Date(Date.now() - 3 * 86_400_000) },
      });
      await recomputeCredentialStatusColumns(db(), { where: { id: old.id } });

      const deadline = Date.now() + 60_000;
      while ((await db().credential.findUniqueOrThrow({ where: { id: old.id } })).state === "active") {
        if (Date.now() > deadline) throw new Error("the due credential was not rotated within 60 s");
        await new Promise((r) => setTimeout(r, 200));
      }
      // Give the other scheduler at least one more pass (interval 5 s) to prove it does not rotate again.
      await new Promise((r) => setTimeout(r, 6_000));
      const active = await db().credential.findMany({ where: { targetId: target.targetId, state: "active" } });
      expect(active).toHaveLength(1);
      expect(active[0]!.origin).toBe("rotated");
      expect(await db().credential.count({ where: { targetId: target.targetId } })).toBe(2);
      expect(await db().auditEvent.count({ where: { action: "credential.rotated", targetId: target.targetId } })).toBe(
        1,
      );
    }, 120_000);
  },
);
