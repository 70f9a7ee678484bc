import "server-only";
import { createHash } from "node:crypto";
import {
  ZLiveStateRequest,
  type TLiveState,
  type TLiveStateRequest,
  type TLiveStateResponse,
} from "@/lib/agent/protocol";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { notifyHealthDegraded } from "@/lib/notifications/data/notify-health-degraded";
import type { AgentPrincipal } from "../with-agent-auth";
import { assertAgentScope } from "./agent-scope";

/** What a state says (revision, health, tree), not when it was read: equal digests are the same live state. */
export function liveStateDigestOf(
  state: Pick<TLiveState, "revisionId" | "health" | "roots" | "nodeCount" | "truncated">,
): string {
  const content = {
    revisionId: state.revisionId,
    health: state.health,
    roots: state.roots,
    nodeCount: state.nodeCount,
    truncated: state.truncated,
  };
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/**
 * Stores the latest live state of each application in the batch (`POST /api/agent/v1/live-state`). The whole batch is
 * refused (403, audited by assertAgentScope, nothing stored) when any state names a target or repository outside the
 * agent's. A state identical to the stored one (same digest) only moves `confirmedAt`, so an agent that re-reads an
 * unchanged cluster rewrites nothing; a repository Wharf no longer has, or one without an application, is ignored.
 * Not audited: a report changes no setting and no deployment, it is an observation, and the row keeps its agent and
 * times; refusals are audited.
 */
export async function recordLiveStates(opts: {
  agent: AgentPrincipal;
  input: TLiveStateRequest;
  request: RequestContext;
}): Promise<TLiveStateResponse> {
  const input = ZLiveStateRequest.parse(opts.input);
  await assertAgentScope({
    agent: opts.agent,
    claims: input.states.map((s) => ({ targetId: s.targetId, repoId: s.repoId })),
    route: "POST /api/agent/v1/live-state",
    request: opts.request,
  });
  // The last state per repository wins when a batch names one twice.
  const byRepo = new Map(input.states.map((s) => [s.repoId, s]));
  const repos = await db().pullRepo.findMany({
    where: { id: { in: [...byRepo.keys()] } },
    select: { id: true, targetId: true, applicationId: true },
  });
  const applicationOf = new Map(repos.map((r) => [r.id, r.applicationId]));
  const now = new Date();
  let changed = 0;
  let unchanged = 0;
  let ignored = input.states.length - byRepo.size;
  for (const state of byRepo.values()) {
    const applicationId = applicationOf.get(state.repoId);
    if (!applicationId) {
      ignored++;
      continue;
    }
    const digest = liveStateDigestOf(state);
    const confirmed = await db().applicationLiveState.updateMany({
      where: { applicationId, digest },
      data: { confirmedAt: now },
    });
    if (confirmed.count > 0) {
      unchanged++;
      continue;
    }
    const data = {
      source: "agent",
      repoId: state.repoId,
      agentId: opts.agent.agentId,
      revisionId: state.revisionId,
      health: state.health.status,
      healthMessage: state.health.message ?? null,
      treeJson: JSON.stringify({ roots: state.roots, truncated: state.truncated }),
      nodeCount: state.nodeCount,
      digest,
      observedAt: new Date(state.observedAt),
      receivedAt: now,
      confirmedAt: now,
    };
    await db().$transaction(async (tx) => {
      // health.degraded is queued with the report that turns the application Degraded (compared before it is replaced).
      await notifyHealthDegraded(tx, { applicationId, state });
      await tx.applicationLiveState.upsert({
        where: { applicationId },
        create: { applicationId, ...data },
        update: data,
      });
      // The list's health filter column, with the report it copies.
      await recomputeApplicationStatus(tx, { applicationIds: [applicationId] });
    });
    changed++;
  }
  await db().agent.update({ where: { id: opts.agent.agentId }, data: { lastSeenAt: now } });
  return { changed, unchanged, ignored };
}
