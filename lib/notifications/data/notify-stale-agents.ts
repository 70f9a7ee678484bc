import "server-only";
import { STALE_AFTER_MS } from "@/lib/agents/schemas";
import { db } from "@/lib/db";
import { enqueueNotificationInTx, parseEvents } from "./enqueue-notification";

/**
 * Queues `agent.stale` for every enrolled, unrevoked agent that has reported before and has now missed
 * STALE_AFTER_MISSED_HEARTBEATS heartbeats — the moment the dashboard starts showing it as stale (isAgentStale), which
 * no request marks, so the notification dispatcher looks on each pass (under its lease). Flood rule: once per silence;
 * the dedup key names the agent and the last-seen time it went quiet at, so it is announced again only after it has
 * reported (moving lastSeenAt) and gone quiet once more. The agent is re-read in the same transaction that queues.
 */
export async function notifyStaleAgents(opts: { now?: Date } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  // The common case — no sink wants agent.stale — costs one small query per pass.
  const sinks = await db().notificationSink.findMany({ where: { enabled: true }, select: { id: true, events: true } });
  const sinkIds = sinks.filter((s) => parseEvents(s.events).includes("agent.stale")).map((s) => s.id);
  if (sinkIds.length === 0) return 0;
  const cutoff = new Date(now.getTime() - STALE_AFTER_MS);
  const stale = await db().agent.findMany({
    where: { revokedAt: null, enrolledAt: { not: null }, lastSeenAt: { not: null, lt: cutoff } },
    select: { id: true, lastSeenAt: true },
  });
  const keyOf = (a: { id: string; lastSeenAt: Date | null }) => `agent.stale:${a.id}:${a.lastSeenAt?.toISOString()}`;
  // Agents silent for days are looked at on every pass: one query tells which of them every sink already has.
  const announced = new Map<string, number>();
  if (stale.length > 0) {
    const rows = await db().notificationDelivery.findMany({
      where: { dedupKey: { in: stale.map(keyOf) }, sinkId: { in: sinkIds } },
      select: { dedupKey: true },
    });
    for (const r of rows) announced.set(r.dedupKey, (announced.get(r.dedupKey) ?? 0) + 1);
  }
  let queued = 0;
  for (const candidate of stale) {
    if ((announced.get(keyOf(candidate)) ?? 0) >= sinkIds.length) continue;
    queued += await db().$transaction(async (tx) => {
      const a = await tx.agent.findUnique({
        where: { id: candidate.id },
        select: {
          id: true,
          name: true,
          lastSeenAt: true,
          revokedAt: true,
          targets: {
            select: { target: { select: { id: true, name: true, environment: true } } },
            orderBy: { createdAt: "asc" },
          },
        },
      });
      // It reported (or was revoked) since the look above: not stale any more.
      if (!a?.lastSeenAt || a.revokedAt || a.lastSeenAt.getTime() >= cutoff.getTime()) return 0;
      const lastSeenAt = a.lastSeenAt;
      const targets = a.targets.map((t) => t.target);
      return enqueueNotificationInTx(tx, {
        event: "agent.stale",
        dedupKey: keyOf(a),
        now,
        build: () =>
          Promise.resolve({
            event: "agent.stale" as const,
            data: {
              // Agents are shown on their targets' pages.
              linkPath: targets[0] ? `/targets/${targets[0].id}` : "/sync",
              agentId: a.id,
              agentName: a.name,
              lastSeenAt: lastSeenAt.toISOString(),
              targets,
            },
          }),
      });
    });
  }
  return queued;
}
