import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { TargetList } from "@/components/targets/target-list";
import { Button } from "@/components/ui/button";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getQueryClient } from "@/lib/query/query-client";
import { countTargetsByMode } from "@/lib/targets/data/count-targets-by-mode";
import { listTargetEnvironments } from "@/lib/targets/data/list-target-environments";
import { listTargets } from "@/lib/targets/data/list-targets";
import { normalizeFilter, TARGET_LIST_PAGING, targetKeys } from "@/lib/targets/query";
import { ZTargetListQuery, type TargetListPage, type TTargetListFilter } from "@/lib/targets/schemas";
import { firstValues, type PageSearchParams } from "@/lib/utils";

export const metadata: Metadata = { title: "Targets" };

type SearchParams = Promise<PageSearchParams>;

export default async function TargetsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal();
  const canManage = can(principal.role, "targets.manage");
  // A hand-edited URL with a bad filter shows the unfiltered list rather than an error page.
  const parsed = ZTargetListQuery.safeParse(firstValues(await searchParams));
  const query = parsed.success ? parsed.data : ZTargetListQuery.parse({});
  const filter: TTargetListFilter = normalizeFilter(query);

  const qc = getQueryClient();
  const [environments, counts] = await Promise.all([
    listTargetEnvironments(),
    countTargetsByMode(),
    qc.prefetchInfiniteQuery({
      queryKey: targetKeys.list(filter),
      queryFn: (): Promise<TargetListPage> => listTargets({ ...filter, cursor: undefined }),
      ...TARGET_LIST_PAGING,
    }),
  ]);
  const total = counts.push + counts.pull;

  return (
    <>
      <PageHeader
        title="Deployment targets"
        description={
          total
            ? `${total} cluster${total === 1 ? "" : "s"}: ${counts.push} push, ${counts.pull} pull`
            : "Clusters Wharf deploys to."
        }
        actions={
          canManage ? (
            <>
              <Button asChild variant="secondary">
                <Link href="/targets/import">Import from kubeconfig</Link>
              </Button>
              <Button asChild>
                <Link href="/targets/new">New target</Link>
              </Button>
            </>
          ) : undefined
        }
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <TargetList filter={filter} environments={environments} canManage={canManage} />
      </HydrationBoundary>
    </>
  );
}
