"use client";

import Link from "next/link";
import { RepoBindingsPanel } from "@/components/deployments/repo-bindings-panel";
import { usePullStatus } from "@/lib/sync/hooks/use-pull-status";
import { AgentsCard } from "./agents-card";
import { PullStatusCard } from "./pull-status-card";
import { ReposCard } from "./repos-card";
import { SyncChart } from "./sync-chart";

/** Everything pull on a target's page: status card, repositories, agents and the target's sync timeline; live. */
export function PullTargetPanel({
  targetId,
  canRegister,
  canManage,
}: {
  targetId: string;
  canRegister: boolean;
  canManage: boolean;
}) {
  const { data: status, error } = usePullStatus(targetId);
  if (error) {
    return (
      <p role="alert" className="mt-6 text-sm text-red-700">
        Could not load the sync status: {error.message}
      </p>
    );
  }
  if (!status) return <p className="mt-6 text-sm text-slate-500">Loading sync status…</p>;
  return (
    <div className="mt-6 space-y-6">
      <div className="grid gap-6 lg:grid-cols-2">
        <PullStatusCard status={status} />
        <SyncChart targetId={targetId} days={14} title="Syncs on this target" />
      </div>
      <ReposCard targetId={targetId} repos={status.repos} canRegister={canRegister} />
      <AgentsCard targetId={targetId} agents={status.agents} canManage={canManage} />
      <RepoBindingsPanel targetId={targetId} canManage={canManage} mode="pull" />
      <p className="text-sm">
        <Link className="text-brand-700 hover:underline" href={`/sync?targetId=${encodeURIComponent(targetId)}`}>
          Sync history of this target →
        </Link>
      </p>
    </div>
  );
}
