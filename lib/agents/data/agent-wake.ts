import "server-only";
import { db, type Db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { wakeAgents } from "../notifier";
import { AGENT_WAKE_CHANNEL } from "../wake-listener";

/**
 * Tells every dashboard process's wake-up listener (lib/agents/wake-listener.ts) that these agents' assignments
 * changed. Pass the transaction of the change: PostgreSQL delivers the notifications when it commits and drops them
 * when it rolls back, so a woken long poll always reads the change (with `db()` they go out at once). On SQLite there
 * is one process and nothing to send. Either way the caller still wakes this process's waiters after commit
 * (`wakeAgents`), which needs no round trip through the database.
 */
export async function notifyAgentWake(client: Tx | Db, agentIds: Iterable<string>): Promise<void> {
  if (env().databaseKind !== "postgresql") return;
  // One notification per agent: identical ones in one transaction are folded by PostgreSQL, and a payload stays far
  // below its 8000-byte limit however many agents a target has.
  for (const id of new Set(agentIds)) {
    await client.$executeRaw`SELECT pg_notify(${AGENT_WAKE_CHANNEL}, ${id})`;
  }
}

/**
 * After a committed change: wakes these agents' long polls in this process at once and, on PostgreSQL, in every
 * other dashboard process through NOTIFY. A failed NOTIFY is only logged: the change is committed and the other
 * processes' long polls re-read the database every second anyway.
 */
export async function wakeAgentsEverywhere(agentIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(agentIds)];
  if (ids.length === 0) return;
  wakeAgents(ids);
  try {
    await notifyAgentWake(db(), ids);
  } catch (err) {
    console.warn(
      "[wharf] could not NOTIFY other dashboard processes of an agent change:",
      err instanceof Error ? err.message : err,
    );
  }
}
