import "server-only";
import type { Db, Tx } from "@/lib/db";
import { notifyWake, wakeEverywhere } from "@/lib/wake/data/notify-wake";

/**
 * Tells every dashboard process that these agents' assignments changed (the `agent` topic of lib/wake): pass the
 * transaction of the change, so the notifications go out on commit only. The caller still wakes this process's
 * waiters after commit (`wakeAgents`).
 */
export async function notifyAgentWake(client: Tx | Db, agentIds: Iterable<string>): Promise<void> {
  await notifyWake(client, "agent", agentIds);
}

/** After a committed change: wakes these agents' long polls in this process and, on PostgreSQL, in every other. */
export async function wakeAgentsEverywhere(agentIds: Iterable<string>): Promise<void> {
  await wakeEverywhere("agent", agentIds);
}
