import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { SyncChart } from "@/components/pull/sync-chart";
import { SyncHistory } from "@/components/pull/sync-history";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getQueryClient } from "@/lib/query/query-client";
import { dailySyncCounts } from "@/lib/sync/data/daily-sync-counts";
import { listPullTargetOptions } from "@/lib/sync/data/list-pull-targets";
import { listSyncEvents } from "@/lib/sync/data/list-sync-events";
import { normalizeSyncFilter, SYNC_LIST_PAGING, syncKeys, syncListSearch } from "@/lib/sync/query";
import { ZSyncEventListQuery, type SyncEventPage, type TSyncEventFilter } from "@/lib/sync/schemas";

export const metadata: Metadata = { title: "Sync history" };

const CHART_DAYS = 30;

/** A filter from the URL; invalid values are dropped rather than failing the page. */
function filterFrom(params: Record<string, string | string[] | undefined>): TSyncEventFilter {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === "string") flat[k] = v;
  const parsed = ZSyncEventListQuery.safeParse(flat);
  const q = parsed.success ? parsed.data : ZSyncEventListQuery.parse({});
  return normalizeSyncFilter({
    targetId: q.targetId,
    environment: q.environment,
    repoId: q.repoId,
    result: q.result,
    trigger: q.trigger,
    from: q.from?.toISOString(),
    to: q.to?.toISOString(),
    recovery: q.recovery,
    withCommitTime: q.withCommitTime,
    limit: q.limit,
  });
}

export default async function SyncPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requirePrincipal();
  const filter = filterFrom(await searchParams);
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchInfiniteQuery({
      queryKey: syncKeys.list(filter),
      queryFn: ({ pageParam }: { pageParam: string | null }): Promise<SyncEventPage> =>
        listSyncEvents(Object.fromEntries(new URLSearchParams(syncListSearch(filter, pageParam)).entries())),
      ...SYNC_LIST_PAGING,
    }),
    qc.prefetchQuery({
      queryKey: syncKeys.daily({ targetId: filter.targetId, days: CHART_DAYS }),
      queryFn: async () => ({ days: await dailySyncCounts({ targetId: filter.targetId, days: CHART_DAYS }) }),
    }),
  ]);
  const targets = await listPullTargetOptions();
  return (
    <>
      <PageHeader
        title="Sync history"
        description="Every sync attempt by the agents of pull targets: what changed, why, and how it went. Updates live."
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <div className="space-y-6">
          <SyncChart targetId={filter.targetId} days={CHART_DAYS} />
          <SyncHistory initialFilter={filter} targets={targets} canRollback={can(principal.role, "repos.register")} />
        </div>
      </HydrationBoundary>
    </>
  );
}
