import { waitForWake, wake } from "@/lib/wake/notifier";

/** Wakes every long poll of these agents in this process (the `agent` topic of lib/wake). */
export function wakeAgents(agentIds: Iterable<string>): void {
  wake("agent", agentIds);
}

/** Resolves after `ms`, when the agent is woken, or when `signal` aborts; true when woken. */
export function waitForAgentWake(agentId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  return waitForWake("agent", agentId, ms, signal);
}
