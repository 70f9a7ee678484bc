import "server-only";
import type { TDrift, TLiveNode } from "@/lib/agent/protocol";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ApplicationLive } from "../live-schemas";
import { readPushLiveState, type PushReadOutcome } from "./read-push-live-state";

const NOTHING_TO_READ: Record<string, string> = {
  "no-deployment":
    "Nothing was deployed yet: Wharf reads the cluster for the objects of this application's last succeeded deployment.",
  "no-credential":
    "The target has no stored credential, and Wharf reads a push target's cluster only with its credential.",
};

function treeOf(live: { treeJson: string; health: string; healthMessage: string | null; nodeCount: number }) {
  const tree = JSON.parse(live.treeJson) as { roots: TLiveNode[]; truncated: boolean };
  return {
    health: {
      status: live.health as TLiveNode["health"]["status"],
      ...(live.healthMessage ? { message: live.healthMessage } : {}),
    },
    roots: tree.roots,
    nodeCount: live.nodeCount,
    truncated: tree.truncated,
  };
}

/**
 * An application's live state as the API serves it; 404 NOT_FOUND when the id is unknown. Pull: what its agent last
 * reported. Push: asking is looking — the cluster is read with the target's credential when the stored state is older
 * than the minimum interval (readPushLiveState: one read per interval however many look, each an audited credential
 * use), then the stored state is served.
 */
export async function getApplicationLive(opts: {
  id: string;
  actor: Actor;
  request: RequestContext;
  now?: Date;
}): Promise<ApplicationLive> {
  const mode = await db().application.findUnique({ where: { id: opts.id }, select: { mode: true } });
  if (!mode) throw new AppError("NOT_FOUND", "There is no application with this id.");
  let outcome: PushReadOutcome | null = null;
  if (mode.mode === "push")
    outcome = await readPushLiveState({
      applicationId: opts.id,
      actor: opts.actor,
      request: opts.request,
      ...(opts.now ? { now: opts.now } : {}),
    });
  return storedApplicationLive(opts.id, outcome);
}

/**
 * A pull application's live state, its agent's last report, for a page to render at once: a database read, no
 * cluster and no credential. Null for a push application, whose live state is asked for by the browser (asking reads
 * the cluster, an audited credential use, which a page view does not do).
 */
export async function getReportedApplicationLive(id: string): Promise<ApplicationLive | null> {
  const live = await storedApplicationLive(id, null);
  return live.mode === "pull" ? live : null;
}

/** The stored live state of an application in the API's shape; `outcome` is this request's push read, if any. */
async function storedApplicationLive(id: string, outcome: PushReadOutcome | null): Promise<ApplicationLive> {
  const app = await db().application.findUnique({
    where: { id },
    select: { mode: true, liveState: true },
  });
  if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
  if (app.mode !== "pull") {
    const live = app.liveState;
    if (!live || live.source !== "push")
      return {
        source: "none",
        mode: "push",
        message:
          (outcome && !outcome.read ? NOTHING_TO_READ[outcome.reason] : undefined) ??
          "Wharf has not read this application's cluster yet.",
      };
    return {
      source: "push",
      mode: "push",
      credentialId: live.credentialId,
      credentialLabel: live.credentialLabel,
      revisionId: live.revisionId,
      ...treeOf(live),
      observedAt: live.observedAt.toISOString(),
      receivedAt: live.receivedAt.toISOString(),
      confirmedAt: live.confirmedAt.toISOString(),
      readError: live.readError,
      readAttemptAt: live.readAttemptAt?.toISOString() ?? null,
      drift: live.driftJson ? (JSON.parse(live.driftJson) as TDrift) : null,
    };
  }
  const live = app.liveState;
  if (!live)
    return {
      source: "agent",
      mode: "pull",
      reported: false,
      message:
        "The agent has not reported this application's live state yet; it does after its next sync or drift check.",
    };
  const agent = live.agentId
    ? await db().agent.findUnique({ where: { id: live.agentId }, select: { name: true } })
    : null;
  return {
    source: "agent",
    mode: "pull",
    reported: true,
    agentId: live.agentId ?? "",
    agentName: agent?.name ?? null,
    revisionId: live.revisionId,
    ...treeOf(live),
    observedAt: live.observedAt.toISOString(),
    receivedAt: live.receivedAt.toISOString(),
    confirmedAt: live.confirmedAt.toISOString(),
  };
}
