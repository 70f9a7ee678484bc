"use client";

import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { STALE_AFTER_MISSED_HEARTBEATS } from "@/lib/agent/protocol";
import type { PullStatusView } from "@/lib/sync/schemas";
import { AgentStateBadge, shortRevision, SyncStateBadge } from "./sync-badges";

/** Current revision, sync state, last sync, the agents' last heartbeat and version, and a stale-agent warning. */
export function PullStatusCard({ status }: { status: PullStatusView }) {
  const live = status.agents.filter((a) => a.state !== "revoked");
  // With one pinned repository, the target's state is that pin; with several, each shows its own in the table.
  const pinned = status.repos.filter((r) => r.pin);
  return (
    <Card>
      <CardHeader
        title="Sync status"
        description="Reported by the agent running inside the cluster; refreshes every few seconds."
      />
      <CardBody className="space-y-4">
        {status.agentsStale ? (
          <div
            role="alert"
            data-testid="stale-agent-warning"
            className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800"
          >
            {live.length === 0
              ? "No agent serves this target: nothing syncs it. Create an agent below and install it in the cluster."
              : `No agent has reported for ${STALE_AFTER_MISSED_HEARTBEATS} heartbeats: the status below may be out of date and changes are not being synced.`}
          </div>
        ) : null}
        <dl className="grid gap-3 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-slate-500">State</dt>
            <dd className="mt-1" data-testid="pull-state">
              {pinned.length === 1 && pinned[0] ? (
                <SyncStateBadge state={status.state} pin={pinned[0].pin} branch={pinned[0].branch} />
              ) : (
                <SyncStateBadge state={status.state} />
              )}
              {pinned.length > 1 && status.state === "in-sync" ? (
                <span className="ml-2 text-xs text-slate-600">{pinned.length} repositories pinned (below)</span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Current revision</dt>
            <dd className="mt-1 font-mono text-xs" title={status.currentRevision ?? undefined}>
              {status.currentRevision
                ? shortRevision(status.currentRevision)
                : status.repos.length > 1
                  ? "per repository, below"
                  : "—"}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Last sync</dt>
            <dd className="mt-1">
              <RelativeTime value={status.lastSyncAt} />
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Approvals</dt>
            <dd className="mt-1">
              {status.requiresApproval ? "New revisions wait for approval" : "Not required: new revisions sync at once"}
            </dd>
          </div>
        </dl>
        {live.length > 0 ? (
          <ul className="space-y-1 text-sm" aria-label="Agents serving this target">
            {live.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{a.name}</span>
                <AgentStateBadge state={a.state} />
                <span className="text-slate-500">
                  last seen <RelativeTime value={a.lastSeenAt} />
                  {a.version ? ` · version ${a.version}` : ""}
                  {a.hostname ? ` · ${a.hostname}` : ""}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
      </CardBody>
    </Card>
  );
}
