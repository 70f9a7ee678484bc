import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { notifyAgentWake } from "@/lib/agents/data/agent-wake";
import { waitForAgentWake } from "@/lib/agents/notifier";
import { AGENT_WAKE_APPLICATION_NAME, agentWakeListenerConnected, ensureAgentWakeListener, stopAgentWakeListener } from "@/lib/agents/wake-listener";
import { createDb, type Db } from "@/lib/db/client";
import { useTestDatabase } from "../support/test-db";

// The cross-process half of agents' long-poll wake-ups: a change committed by another dashboard process (here a
// second Prisma client on the same database, which shares nothing in memory with this one) reaches this process's
// waiters through PostgreSQL LISTEN/NOTIFY. SQLite has one process and no listener.
const t = useTestDatabase();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} within 20 s`);
    await sleep(50);
  }
}

async function listenerBackends(): Promise<{ pid: number; query: string }[]> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    const res = await client.query<{ pid: number; query: string }>(
      "SELECT pid, query FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
      [AGENT_WAKE_APPLICATION_NAME],
    );
    return res.rows;
  } finally {
    await client.end();
  }
}

describe.runIf(process.env.WHARF_TEST_DB === "postgresql")("agent wake-ups across dashboard processes (PostgreSQL LISTEN/NOTIFY)", () => {
  let other: Db | undefined;
  const otherProcess = () => (other ??= createDb(t.url));

  afterAll(async () => {
    stopAgentWakeListener();
    await other?.$disconnect();
  });

  it("a notification committed by another client wakes this process's waiter; one rolled back never arrives", async () => {
    ensureAgentWakeListener();
    await until("the listener did not connect", agentWakeListenerConnected);

    let rolledBackWoke = false;
    void waitForAgentWake("agent-rolled-back", 20_000).then((woken) => (rolledBackWoke = woken));
    const committed = waitForAgentWake("agent-committed", 20_000);

    await expect(
      otherProcess().$transaction(async (tx) => {
        await notifyAgentWake(tx, ["agent-rolled-back"]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await otherProcess().$transaction(async (tx) => {
      await notifyAgentWake(tx, ["agent-committed", "agent-committed"]);
    });

    expect(await committed).toBe(true);
    // One connection delivers notifications in commit order: had the rolled-back one been sent, it would have arrived
    // (and woken its waiter) before this one.
    expect(rolledBackWoke).toBe(false);
  });

  it("reconnects when its connection is killed, reports the outage once, and wakes waiters again", async () => {
    ensureAgentWakeListener();
    await until("the listener did not connect", agentWakeListenerConnected);
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
        return now.length === 1 && now[0]!.pid !== before!.pid && now[0]!.query.startsWith("LISTEN ") && agentWakeListenerConnected();
      });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/agent wake-up listener/);
    } finally {
      warn.mockRestore();
    }

    const woken = waitForAgentWake("agent-after-reconnect", 20_000);
    await notifyAgentWake(otherProcess(), ["agent-after-reconnect"]);
    expect(await woken).toBe(true);
  });
});
