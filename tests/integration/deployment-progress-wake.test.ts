import { beforeAll, describe, expect, it } from "vitest";
import * as progressRoute from "@/app/api/deployments/[id]/progress/route";
import { db } from "@/lib/db";
import { createDb } from "@/lib/db/client";
import { writeProgress } from "@/lib/deployments/data/executor-progress";
import { finishClaimedDeployment, startClaimedDeployment } from "@/lib/deployments/data/executor-run";
import { notifyWake } from "@/lib/wake/data/notify-wake";
import { wakeListenerConnected } from "@/lib/wake/listener";
import { heldLongPolls } from "@/lib/wake/long-poll";
import { waiterCount } from "@/lib/wake/notifier";
import { callRoute, createCaller, type Caller } from "../support/api";
import { insertQueuedDeployment } from "../support/executor";
import { createPullTarget } from "../support/pull";
import { useTestDatabase } from "../support/test-db";
import { until } from "../support/until";

// The deployment page's long poll on GET /api/deployments/:id/progress: held while nothing is newer than what the
// client holds, answered when the executor writes a log line or moves the state, "unchanged" at its bound or when the
// client goes away — never leaving a waiter behind. From another dashboard process (PostgreSQL NOTIFY): wake.test.ts.
const t = useTestDatabase();

const MANIFESTS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n";

let viewer: Caller;
beforeAll(async () => {
  viewer = await createCaller("viewer");
});

async function queuedDeployment(): Promise<string> {
  const target = await createPullTarget();
  return insertQueuedDeployment({ databaseUrl: t.url, targetId: target.id, manifests: MANIFESTS });
}

function progress(id: string, query = "", signal?: AbortSignal, as: Caller = viewer) {
  return callRoute(progressRoute.GET, {
    path: `/api/deployments/${id}/progress${query}`,
    params: { id },
    as,
    ...(signal ? { signal } : {}),
  });
}

/**
 * Starts a long poll from what the client holds now (its version and last log line), held up to `wait` seconds (25),
 * and returns once the request waits, so a change made next comes while it is held.
 */
async function heldPoll(id: string, opts: { signal?: AbortSignal; as?: Caller; wait?: number } = {}) {
  const { signal, as = viewer, wait = 25 } = opts;
  const first = await progress(id, "", undefined, as);
  expect(first.status).toBe(200);
  expect(first.body.changed).toBe(true);
  const lastSeq = (first.body.logs as { seq: number }[]).at(-1)?.seq;
  const held = progress(
    id,
    `?after=${first.body.version}&wait=${wait}${lastSeq ? `&afterLog=${lastSeq}` : ""}`,
    signal,
    as,
  );
  await until("the request did not start waiting", () => waiterCount("deployment") === 1);
  return { held };
}

function expectNoWaiterLeft() {
  expect(waiterCount("deployment")).toBe(0);
  expect(heldLongPolls("deployment")).toBe(0);
}

const actor = { kind: "system", id: null, name: "executor exec-test" } as const;

describe("the deployment progress long poll", () => {
  it("a held request answers with the log line the executor writes", async () => {
    const id = await queuedDeployment();
    const { held } = await heldPoll(id);
    await writeProgress({
      deploymentId: id,
      processId: "exec-test",
      batch: { logs: [{ level: "info", message: "ConfigMap settings created" }] },
    });
    const res = await held;
    expect(res.status).toBe(200);
    expect(res.body.changed).toBe(true);
    expect(res.body.logs.map((l: { message: string }) => l.message)).toEqual(["ConfigMap settings created"]);
    expectNoWaiterLeft();
  });

  it("a held request answers with the new state when the executor starts, then finishes the run", async () => {
    const id = await queuedDeployment();
    await db().deployment.update({ where: { id }, data: { claimedBy: "exec-test" } });

    const start = await heldPoll(id);
    expect(await startClaimedDeployment({ deploymentId: id, processId: "exec-test", actor, attempt: 1 })).toBe(true);
    const running = await start.held;
    expect(running.body).toMatchObject({ changed: true, state: "running", phase: "applying" });
    expectNoWaiterLeft();

    const finish = await heldPoll(id);
    expect(
      await finishClaimedDeployment({
        deploymentId: id,
        processId: "exec-test",
        actor,
        to: "succeeded",
        message: "1 created",
      }),
    ).toBe(true);
    const succeeded = await finish.held;
    expect(succeeded.body).toMatchObject({ changed: true, state: "succeeded", resultMessage: "1 created" });
    expectNoWaiterLeft();
  });

  it("answers 'unchanged' with what the client holds at the bound of its wait", async () => {
    const id = await queuedDeployment();
    const first = await progress(id);
    const res = await progress(id, `?after=${first.body.version}&wait=1`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: false, version: first.body.version, logs: [] });
    expectNoWaiterLeft();
  });

  it("answers at once when the client holds an older version or misses log lines", async () => {
    const id = await queuedDeployment();
    const stale = await progress(id, "?after=not-the-version&wait=25");
    expect(stale.body.changed).toBe(true);
    await writeProgress({
      deploymentId: id,
      processId: "exec-test",
      batch: { logs: [{ level: "info", message: "a" }] },
    });
    const behind = await progress(id, `?after=${stale.body.version}&afterLog=0&wait=25`);
    expect(behind.body).toMatchObject({ changed: true, logs: [{ message: "a" }] });
  });

  it("ends the wait when the client goes away, leaving no waiter behind", async () => {
    const id = await queuedDeployment();
    const abort = new AbortController();
    const { held } = await heldPoll(id, { signal: abort.signal });
    expect(heldLongPolls("deployment")).toBe(1);
    abort.abort();
    const res = await held.catch((err: unknown) => err);
    // Whatever the client sees of an aborted request, the server's side is gone.
    void res;
    await until(
      "the waiter was not dropped",
      () => waiterCount("deployment") === 0 && heldLongPolls("deployment") === 0,
    );
  });

  it.each(["abc", "-1", "26", "1.5"])("refuses ?wait=%s with 422 VALIDATION_FAILED", async (wait) => {
    const id = await queuedDeployment();
    const res = await progress(id, `?wait=${wait}`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it.each([
    [
      "its API token is revoked",
      (c: Caller) => db().apiToken.updateMany({ where: { createdById: c.userId }, data: { revokedAt: new Date() } }),
    ],
    ["its user is disabled", (c: Caller) => db().user.update({ where: { id: c.userId }, data: { disabled: true } })],
  ] as const)("a held request answers 401, not what it waited for, when %s while it waits", async (_what, revoke) => {
    const id = await queuedDeployment();
    const caller = await createCaller("viewer");
    const { held } = await heldPoll(id, { as: caller });
    await revoke(caller);
    await writeProgress({
      deploymentId: id,
      processId: "exec-test",
      batch: { logs: [{ level: "info", message: "not for a revoked caller" }] },
    });
    const res = await held;
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(res.body)).not.toContain("not for a revoked caller");
    expectNoWaiterLeft();
    // The same caller, asking again, is refused at once.
    expect((await progress(id, "", undefined, caller)).status).toBe(401);
  });

  it("a request held to the bound of its wait answers 401 when its token was revoked meanwhile", async () => {
    const id = await queuedDeployment();
    const caller = await createCaller("viewer");
    const { held } = await heldPoll(id, { as: caller, wait: 1 });
    await db().apiToken.updateMany({ where: { createdById: caller.userId }, data: { revokedAt: new Date() } });
    const res = await held;
    expect(res.status).toBe(401);
    expectNoWaiterLeft();
  });

  it("is refused without a session or token, like the rest of the progress route", async () => {
    const id = await queuedDeployment();
    const res = await callRoute(progressRoute.GET, { path: `/api/deployments/${id}/progress?wait=25`, params: { id } });
    expect(res.status).toBe(401);
    expectNoWaiterLeft();
  });
});

describe.runIf(process.env.WHARF_TEST_DB === "postgresql")(
  "the progress long poll and another dashboard process",
  () => {
    it("a held request answers with a log line another process's executor writes (PostgreSQL NOTIFY)", async () => {
      // A second Prisma client shares nothing in memory with this process: only the database and NOTIFY connect them.
      const other = createDb(t.url);
      try {
        const id = await queuedDeployment();
        const { held } = await heldPoll(id);
        await until("the listener did not connect", wakeListenerConnected);
        // What writeProgress does in the other process: the line and its notification, in one transaction.
        await other.$transaction(async (tx) => {
          await tx.deploymentLog.create({ data: { deploymentId: id, level: "info", message: "from elsewhere" } });
          await notifyWake(tx, "deployment", [id]);
        });
        const res = await held;
        expect(res.body).toMatchObject({ changed: true, logs: [{ message: "from elsewhere" }] });
        expectNoWaiterLeft();
      } finally {
        await other.$disconnect();
      }
    });
  },
);
