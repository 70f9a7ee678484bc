import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { ApplicationList } from "@/components/applications/application-list";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { listApplications } from "@/lib/applications/data/list-applications";
import { APPLICATION_LIST_PAGING, applicationKeys, normalizeApplicationFilter } from "@/lib/applications/query";
import {
  ZApplicationListQuery,
  type ApplicationListPage,
  type TApplicationListFilter,
} from "@/lib/applications/schemas";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getQueryClient } from "@/lib/query/query-client";
import { getTarget } from "@/lib/targets/data/get-target";
import { listTargetEnvironments } from "@/lib/targets/data/list-target-environments";
import { listTargets } from "@/lib/targets/data/list-targets";
import { firstValues, type PageSearchParams } from "@/lib/utils";

export const metadata: Metadata = { title: "Applications" };

type SearchParams = Promise<PageSearchParams>;

export default async function ApplicationsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal();
  const canCreate = can(principal.role, "deployments.request");
  // A hand-edited URL with a bad filter shows the unfiltered list rather than an error page.
  const parsed = ZApplicationListQuery.safeParse(firstValues(await searchParams));
  const query = parsed.success ? parsed.data : ZApplicationListQuery.parse({});
  const filter: TApplicationListFilter = normalizeApplicationFilter(query);

  const qc = getQueryClient();
  const [targets, environments, linkedTarget] = await Promise.all([
    listTargets({ limit: 100 }),
    listTargetEnvironments(),
    // A link may name a target outside the first 100: the filter and its chip still name it.
    filter.targetId ? getTarget({ id: filter.targetId }).catch(() => null) : Promise.resolve(null),
    qc.prefetchInfiniteQuery({
      queryKey: applicationKeys.list(filter),
      queryFn: (): Promise<ApplicationListPage> => listApplications({ ...filter, cursor: undefined }),
      ...APPLICATION_LIST_PAGING,
    }),
  ]);
  const options = targets.items.map((t) => ({ id: t.id, name: t.name }));
  if (linkedTarget && !options.some((t) => t.id === linkedTarget.id))
    options.unshift({ id: linkedTarget.id, name: linkedTarget.name });

  return (
    <>
      <PageHeader
        title={filter.name ? `Application ${filter.name}` : "Applications"}
        description="What Wharf delivers, per target: the same name on several targets is one application in several environments."
        actions={
          canCreate ? (
            <Button asChild>
              <Link href="/applications/new">New application</Link>
            </Button>
          ) : undefined
        }
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <ApplicationList filter={filter} targets={options} environments={environments} canCreate={canCreate} />
      </HydrationBoundary>
    </>
  );
}
