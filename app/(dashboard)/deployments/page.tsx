import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { DeploymentList } from "@/components/deployments/deployment-list";
import { getApplication } from "@/lib/applications/data/get-application";
import { requirePrincipal } from "@/lib/auth/current-user";
import { listDeployments } from "@/lib/deployments/data/list-deployments";
import { DEPLOYMENT_LIST_PAGING, deploymentFilterOf, deploymentKeys } from "@/lib/deployments/query";
import { ZDeploymentListQuery, type DeploymentListPage } from "@/lib/deployments/schemas";
import { getQueryClient } from "@/lib/query/query-client";
import { getTarget } from "@/lib/targets/data/get-target";
import { listTargetEnvironments } from "@/lib/targets/data/list-target-environments";
import { listTargets } from "@/lib/targets/data/list-targets";
import { firstValues, type PageSearchParams } from "@/lib/utils";

export const metadata: Metadata = { title: "Deployments" };

type SearchParams = Promise<PageSearchParams>;

export default async function DeploymentsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal();
  // A hand-edited URL with a bad filter shows the unfiltered list (and says so) rather than an error page.
  const parsed = ZDeploymentListQuery.safeParse({ ...firstValues(await searchParams), cursor: undefined });
  const query = parsed.success ? parsed.data : ZDeploymentListQuery.parse({});
  const invalidFilter = parsed.success
    ? null
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  const filter = deploymentFilterOf(query);

  const qc = getQueryClient();
  const [targets, environments, linkedTarget, linkedApplication] = await Promise.all([
    listTargets({ mode: "push", limit: 100 }),
    listTargetEnvironments(),
    // A link may name a target outside the first 100 push targets (or a pull target's approvals): name it too.
    query.targetId ? getTarget({ id: query.targetId }).catch(() => null) : Promise.resolve(null),
    // An application's page links here with its id; the chip names it.
    query.applicationId ? getApplication({ id: query.applicationId }).catch(() => null) : Promise.resolve(null),
    qc.prefetchInfiniteQuery({
      queryKey: deploymentKeys.list(filter),
      queryFn: (): Promise<DeploymentListPage> => listDeployments(query),
      ...DEPLOYMENT_LIST_PAGING,
    }),
  ]);
  const options = targets.items.map((t) => ({ id: t.id, name: t.name }));
  if (linkedTarget && !options.some((t) => t.id === linkedTarget.id))
    options.unshift({ id: linkedTarget.id, name: linkedTarget.name });

  return (
    <>
      <PageHeader
        title="Deployments"
        description="Push deployments: requested, reviewed, approved and applied by Wharf."
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <DeploymentList
          filter={filter}
          targets={options}
          environments={environments}
          me={{ email: principal.email }}
          invalidFilter={invalidFilter}
          applicationName={
            linkedApplication ? `${linkedApplication.name} on ${linkedApplication.target.name}` : undefined
          }
        />
      </HydrationBoundary>
    </>
  );
}
