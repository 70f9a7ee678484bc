import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { APPLICATION_TARGETS_FILTER } from "@/components/applications/page-queries";
import { NewApplicationForm } from "@/components/applications/new-application-form";
import { PageHeader } from "@/components/layout/page-header";
import { requirePrincipal } from "@/lib/auth/current-user";
import { getQueryClient } from "@/lib/query/query-client";
import { listTargets } from "@/lib/targets/data/list-targets";
import { TARGET_LIST_PAGING, targetKeys } from "@/lib/targets/query";
import type { TargetListPage } from "@/lib/targets/schemas";
import { firstValues, type PageSearchParams } from "@/lib/utils";

export const metadata: Metadata = { title: "New application" };

export default async function NewApplicationPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  await requirePrincipal("deployments.request");
  const { targetId } = firstValues(await searchParams);
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: targetKeys.list(APPLICATION_TARGETS_FILTER),
    queryFn: (): Promise<TargetListPage> => listTargets({ ...APPLICATION_TARGETS_FILTER, cursor: undefined }),
    ...TARGET_LIST_PAGING,
  });
  return (
    <div className="max-w-3xl">
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/applications" className="text-brand-700 hover:underline">
          ← Applications
        </Link>
      </nav>
      <PageHeader
        title="New application"
        description="What to deliver to one target: a Git folder (plain YAML, kustomize or a Helm chart) or, on a push target, manifests sent with each deployment."
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <NewApplicationForm initialTargetId={targetId} />
      </HydrationBoundary>
    </div>
  );
}
