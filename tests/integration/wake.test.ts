import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as revokeRoute from "@/app/api/agents/[id]/revoke/route";
import * as rotateRoute from "@/app/api/agents/[id]/rotate/route";
import { notifyAgentWake } from "@/lib/agents/data/agent-wake";
import { waitForAgentWake } from "@/lib/agents/notifier";
import { notifyWake } from "@/lib/wake/data/notify-wake";
import {
  WAKE_APPLICATION_NAME,
  ensureWakeListener,
  stopWakeListener,
  wakeListenerConnected,
} from "@/lib/wake/listener";
import { WAKE_TOPICS, waitForWake } from "@/lib/wake/notifier";
import { createDb, type Db } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";
import { until } from "../support/until";

// Wake-ups of long polls (lib/wake). A held agent poll outlives the authentication of its request, so a rotation or
// revocation must end it, not leave it to answer assignments to a credential that no longer works. Across processes,
// a change committed by another dashboard process (here a second Prisma client on the same database, which shares
// nothing in memory with this one) reaches this process's waiters through PostgreSQL LISTEN/NOTIFY, on every topic's
// channel; SQLite has one process and no listener.
const t = useTestDatabase();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listenerBackends(): Promise<{ pid: number; query: string }[]> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    const res = await client.query<{ pid: number; query: string }>(
      "SELECT pid, query FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
      [WAKE_APPLICATION_NAME],
    );
    return res.rows;
  } finally {
    await client.end();
  }
}

describe("a held long poll and its agent's credential", () => {
  let admin: Caller;
  beforeAll(async () => {
    admin = await createCaller("admin");
  });

  async function heldPoll(agent: AgentCaller) {
    const first = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
    expect(first.status).toBe(200);
    // The default wait (25 s): nothing in this test changes the assignments, so only the credential can end it early.
    return callRoute(assignmentsRoute.GET, {
      path: `/api/agent/v1/assignments?since=${first.body.version}`,
      as: agent,
    });
  }

  it("ends with 401 when the credential is rotated while the poll is held", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const held = heldPoll(agent);
    await sleep(300);
    const rotated = await callRoute(rotateRoute.POST, {
      method: "POST",
      path: `/api/agents/${agent.agentId}/rotate`,
      params: { id: agent.agentId },
      as: admin,
    });
    expect(rotated.status).toBe(200);
    const res = await held;
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AGENT_UNAUTHENTICATED");
  });

  it("ends with 401 when the agent is revoked while the poll is held", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const held = heldPoll(agent);
    await sleep(300);
    const revoked = await callRoute(revokeRoute.POST, {
      method: "POST",
      path: `/api/agents/${agent.agentId}/revoke`,
      params: { id: agent.agentId },
      as: admin,
    });
    expect(revoked.status).toBe(200);
    const res = await held;
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AGENT_UNAUTHENTICATED");
  });
});

describe.runIf(process.env.WHARF_TEST_DB === "postgresql")(
  "wake-ups across dashboard processes (PostgreSQL LISTEN/NOTIFY), every topic",
  () => {
    let other: Db | undefined;
    const otherProcess = () => (other ??= createDb(t.url));

    afterAll(async () => {
      stopWakeListener();
      await other?.$disconnect();
    });

    it.each(WAKE_TOPICS)(
      "%s topic: a notification committed by another client wakes this process's waiter; one rolled back never arrives",
      async (topic) => {
        ensureWakeListener();
        await until("the listener did not connect", wakeListenerConnected);

        let rolledBackWoke = false;
        void waitForWake(topic, `${topic}-rolled-back`, 20_000).then((woken) => (rolledBackWoke = woken));
        const committed = waitForWake(topic, `${topic}-committed`, 20_000);

        await expect(
          otherProcess().$transaction(async (tx) => {
            await notifyWake(tx, topic, [`${topic}-rolled-back`]);
            throw new Error("roll back");
          }),
        ).rejects.toThrow("roll back");
        await otherProcess().$transaction(async (tx) => {
          await notifyWake(tx, topic, [`${topic}-committed`, `${topic}-committed`]);
        });

        expect(await committed).toBe(true);
        // One connection delivers notifications in commit order: had the rolled-back one been sent, it would have
        // arrived (and woken its waiter) before this one.
        expect(rolledBackWoke).toBe(false);
      },
    );

    it("reconnects when its connection is killed, reports the outage once, and wakes waiters again", async () => {
      ensureWakeListener();
      await until("the listener did not connect", wakeListenerConnected);
      const [before] = await listenerBackends();
      expect(before?.query).toMatch(/^LISTEN /);

      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      try {
        const admin = new pg.Client({ connectionString: t.url });
        await admin.connect();
        await admin.query("SELECT pg_terminate_backend($1)", [before!.pid]);
        await admin.end();
        await until("the listener did not LISTEN again on a new connection", async () => {
          const now = await listenerBackends();
          return (
            now.length === 1 &&
            now[0]!.pid !== before!.pid &&
            now[0]!.query.startsWith("LISTEN ") &&
            wakeListenerConnected()
          );
        });
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).toMatch(/wake-up listener/);
      } finally {
        warn.mockRestore();
      }

      const woken = waitForAgentWake("agent-after-reconnect", 20_000);
      await notifyAgentWake(otherProcess(), ["agent-after-reconnect"]);
      expect(await woken).toBe(true);
    });
  },
);
