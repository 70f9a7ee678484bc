import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { DeploymentList } from "@/components/deployments/deployment-list";
import { requirePrincipal } from "@/lib/auth/current-user";
import { listDeployments } from "@/lib/deployments/data/list-deployments";
import { DEPLOYMENT_LIST_PAGING, deploymentKeys, normalizeDeploymentFilter } from "@/lib/deployments/query";
import { ZDeploymentListQuery, type DeploymentListPage, type TDeploymentListFilter } from "@/lib/deployments/schemas";
import { getQueryClient } from "@/lib/query/query-client";
import { listTargets } from "@/lib/targets/data/list-targets";

export const metadata: Metadata = { title: "Deployments" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) out[k] = value;
  }
  return out;
}

export default async function DeploymentsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal();
  // A hand-edited URL with a bad filter shows the unfiltered list rather than an error page.
  const parsed = ZDeploymentListQuery.safeParse(firstValues(await searchParams));
  const query = parsed.success ? parsed.data : ZDeploymentListQuery.parse({});
  const filter: TDeploymentListFilter = normalizeDeploymentFilter(query);

  const qc = getQueryClient();
  const [targets] = await Promise.all([
    listTargets({ mode: "push", limit: 100 }),
    qc.prefetchInfiniteQuery({
      queryKey: deploymentKeys.list(filter),
      queryFn: (): Promise<DeploymentListPage> => listDeployments({ ...filter, cursor: undefined }),
      ...DEPLOYMENT_LIST_PAGING,
    }),
  ]);

  return (
    <>
      <PageHeader title="Deployments" description="Push deployments: requested, reviewed, approved and applied by Wharf." />
      <HydrationBoundary state={dehydrate(qc)}>
        <DeploymentList filter={filter} targets={targets.items.map((t) => ({ id: t.id, name: t.name }))} me={{ email: principal.email }} />
      </HydrationBoundary>
    </>
  );
}
