import "server-only";
import type { TLiveNode, TLiveState } from "@/lib/agent/protocol";
import type { Tx } from "@/lib/db";
import { enqueueNotificationInTx } from "./enqueue-notification";

/** How many Degraded objects a notification names (the application page shows them all). */
const OBJECTS_NAMED = 5;

function degradedObjects(roots: readonly TLiveNode[]): { object: string; message: string }[] {
  const out: { object: string; message: string }[] = [];
  const stack = [...roots].reverse();
  for (let node = stack.pop(); node && out.length < OBJECTS_NAMED; node = stack.pop()) {
    if (node.health.status === "Degraded")
      out.push({
        object: `${node.kind} ${node.namespace ? `${node.namespace}/` : ""}${node.name}`,
        message: node.health.message ?? "",
      });
    stack.push(...[...node.children].reverse());
  }
  return out;
}

/**
 * Queues `health.degraded` when a live-state report turns an application Degraded, inside the transaction that
 * stores the report — call it before the stored state is replaced: it compares with that one. Flood rule: once per
 * application and revision (the dedup key names both), so a rollout flapping between Progressing and Degraded, or an
 * agent re-reading a crash-looping Pod, announces once; a new revision that degrades announces again.
 */
export async function notifyHealthDegraded(
  tx: Tx,
  opts: { applicationId: string; state: Pick<TLiveState, "revisionId" | "health" | "roots"> },
): Promise<number> {
  if (opts.state.health.status !== "Degraded") return 0;
  const before = await tx.applicationLiveState.findUnique({
    where: { applicationId: opts.applicationId },
    select: { health: true },
  });
  if (before?.health === "Degraded") return 0;
  return enqueueNotificationInTx(tx, {
    event: "health.degraded",
    dedupKey: `health.degraded:${opts.applicationId}:${opts.state.revisionId ?? "none"}`,
    build: async () => {
      const app = await tx.application.findUnique({
        where: { id: opts.applicationId },
        select: { id: true, name: true, target: { select: { id: true, name: true, environment: true } } },
      });
      if (!app) return null;
      return {
        event: "health.degraded",
        data: {
          linkPath: `/applications/${app.id}`,
          applicationId: app.id,
          applicationName: app.name,
          targetId: app.target.id,
          targetName: app.target.name,
          environment: app.target.environment,
          revision: opts.state.revisionId,
          message: opts.state.health.message ?? "",
          degraded: degradedObjects(opts.state.roots),
        },
      };
    },
  });
}
