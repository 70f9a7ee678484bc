import "server-only";
import {
  HEARTBEAT_INTERVAL_MS,
  ZHeartbeatRequest,
  type THeartbeatRequest,
  type THeartbeatResponse,
} from "@/lib/agent/protocol";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { SPEC_INCLUDE, stateAgainstSpec } from "@/lib/repos/data/repo-specs";
import type { AgentPrincipal } from "../with-agent-auth";
import { assertAgentScope } from "./agent-scope";

/**
 * Records a heartbeat: the agent's last-seen time, version and hostname, and each repository's applied revision and
 * state (the status card's source of truth; `in-sync` only for a revision made with the repository's current settings,
 * see stateAgainstSpec) as of when the agent read them — unless an event that occurred after that was recorded
 * meanwhile: a heartbeat read just before a sync finished, and in flight while its event went out, must not put the
 * status back for a heartbeat's interval. Repositories outside the agent's
 * targets → 403 and an audit row; ids of repositories removed meanwhile are ignored.
 */
export async function recordHeartbeat(opts: {
  agent: AgentPrincipal;
  input: THeartbeatRequest;
  request: RequestContext;
  now?: Date;
}): Promise<THeartbeatResponse> {
  const input = ZHeartbeatRequest.parse(opts.input);
  const now = opts.now ?? new Date();
  // On the agent's clock, as events' occurredAt are (applyStatus compares the two), never later than now.
  const observedAt = input.observedAt ? new Date(Math.min(Date.parse(input.observedAt), now.getTime())) : now;
  const repoTarget = await assertAgentScope({
    agent: opts.agent,
    claims: input.repos.map((r) => ({ repoId: r.repoId })),
    route: "POST /api/agent/v1/heartbeat",
    request: opts.request,
  });
  const ids = input.repos.filter((r) => repoTarget.has(r.repoId)).map((r) => r.repoId);
  await db().$transaction(async (tx) => {
    const specs = new Map(
      ids.length
        ? (
            await tx.pullRepo.findMany({
              where: { id: { in: ids } },
              select: {
                id: true,
                url: true,
                branch: true,
                path: true,
                prune: true,
                imagePolicies: true,
                ...SPEC_INCLUDE,
              },
            })
          ).map((r) => [r.id, r])
        : [],
    );
    const newer = new Set(
      ids.length
        ? (
            await tx.repoStatus.findMany({
              where: { repoId: { in: ids }, updatedAt: { gt: observedAt } },
              select: { repoId: true },
            })
          ).map((r) => r.repoId)
        : [],
    );
    await tx.agent.update({
      where: { id: opts.agent.agentId },
      data: { lastSeenAt: now, version: input.version, hostname: input.hostname || null },
    });
    for (const r of input.repos) {
      const spec = specs.get(r.repoId);
      if (!repoTarget.has(r.repoId) || !spec || newer.has(r.repoId)) continue;
      const data = {
        agentId: opts.agent.agentId,
        revision: r.revision,
        state: stateAgainstSpec(r.state, r.revision, spec),
        message: r.message ?? null,
        updatedAt: observedAt,
      };
      await tx.repoStatus.upsert({ where: { repoId: r.repoId }, create: { repoId: r.repoId, ...data }, update: data });
    }
    // The list's sync filter column, with the states it is read from (only rows whose status changed are written).
    await recomputeApplicationStatus(tx, { repoIds: ids.filter((id) => specs.has(id)) });
  });
  return { ok: true, serverTime: now.toISOString(), heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS };
}
