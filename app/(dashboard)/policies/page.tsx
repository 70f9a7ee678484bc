import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PoliciesManager } from "@/components/credentials/policies-manager";
import { PageHeader } from "@/components/layout/page-header";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { listPolicies } from "@/lib/credentials/data/list-policies";
import { POLICIES_PAGE_SIZE, POLICY_LIST_PAGING, policyKeys } from "@/lib/credentials/query";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Credential policies" };

export default async function PoliciesPage() {
  const principal = await requirePrincipal("read");
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: policyKeys.list(),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      listPolicies({ limit: POLICIES_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    ...POLICY_LIST_PAGING,
  });
  return (
    <>
      <PageHeader
        title="Credential policies"
        description="How old a credential may get, when to warn, and who may replace it. A policy applies to its environment's targets, or to targets that name it."
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <PoliciesManager canManage={can(principal.role, "policies.manage")} />
      </HydrationBoundary>
    </>
  );
}
