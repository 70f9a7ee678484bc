import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { EnvironmentMatrix } from "@/components/environments/environment-matrix";
import { PageHeader } from "@/components/layout/page-header";
import { getEnvironmentMatrix } from "@/lib/applications/data/get-environment-matrix";
import { MATRIX_PAGING, matrixKeys } from "@/lib/applications/matrix-query";
import { MATRIX_LIMIT_DEFAULT, type EnvironmentMatrix as Matrix } from "@/lib/applications/matrix-schemas";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage() {
  const principal = await requirePrincipal();
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: matrixKeys.page(MATRIX_LIMIT_DEFAULT),
    queryFn: ({ pageParam }): Promise<Matrix> =>
      getEnvironmentMatrix({ limit: MATRIX_LIMIT_DEFAULT, cursor: pageParam ?? undefined }),
    ...MATRIX_PAGING,
  });
  return (
    <>
      <PageHeader
        title="Environments"
        description="What is live where: each application across its environments, with the last result and health. A highlighted cell runs a different revision than the environment before it; Promote requests a push application's live revision in the next environment, through that target's approvals."
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <EnvironmentMatrix limit={MATRIX_LIMIT_DEFAULT} canPromote={can(principal.role, "deployments.request")} />
      </HydrationBoundary>
    </>
  );
}
