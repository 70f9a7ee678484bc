import "server-only";
import type { TLiveNode } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ApplicationLive } from "../live-schemas";

/** An application's live state as the API serves it; 404 NOT_FOUND when the id is unknown. */
export async function getApplicationLive(opts: { id: string }): Promise<ApplicationLive> {
  const app = await db().application.findUnique({
    where: { id: opts.id },
    select: { mode: true, liveState: true },
  });
  if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
  if (app.mode !== "pull")
    return {
      source: "none",
      mode: "push",
      message:
        "Wharf does not read this push application's cluster yet: that read needs the target's credential and is audited per use. Its deployments show what was applied.",
    };
  const live = app.liveState;
  if (!live)
    return {
      source: "agent",
      mode: "pull",
      reported: false,
      message:
        "The agent has not reported this application's live state yet; it does after its next sync or drift check.",
    };
  const tree = JSON.parse(live.treeJson) as { roots: TLiveNode[]; truncated: boolean };
  return {
    source: "agent",
    mode: "pull",
    reported: true,
    agentId: live.agentId,
    revisionId: live.revisionId,
    health: {
      status: live.health as TLiveNode["health"]["status"],
      ...(live.healthMessage ? { message: live.healthMessage } : {}),
    },
    roots: tree.roots,
    nodeCount: live.nodeCount,
    truncated: tree.truncated,
    observedAt: live.observedAt.toISOString(),
    receivedAt: live.receivedAt.toISOString(),
    confirmedAt: live.confirmedAt.toISOString(),
  };
}
