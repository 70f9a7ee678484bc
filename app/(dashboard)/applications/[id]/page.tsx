import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ApplicationDetail } from "@/components/applications/application-detail";
import { ArchivedBanner } from "@/components/targets/archived-banner";
import { getApplication } from "@/lib/applications/data/get-application";
import { getReportedApplicationLive } from "@/lib/applications/data/get-application-live";
import { listApplicationTimeline } from "@/lib/applications/data/list-application-timeline";
import { applicationKeys } from "@/lib/applications/query";
import { TIMELINE_PAGING, timelineKeys, timelineSearch } from "@/lib/applications/timeline-query";
import type { ApplicationView } from "@/lib/applications/schemas";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { getQueryClient } from "@/lib/query/query-client";
import { getTarget } from "@/lib/targets/data/get-target";
import { targetKeys } from "@/lib/targets/query";
import { firstValues, type PageSearchParams } from "@/lib/utils";

type Params = Promise<{ id: string }>;

/** Read once per request: the title (generateMetadata) and the page ask for the same row. */
const readApplication = cache((id: string) => getApplication({ id }));

/** The application, or Next's 404 page for an unknown id. */
async function loadApplication(id: string): Promise<ApplicationView> {
  try {
    return await readApplication(id);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const app = await readApplication(id).catch(() => null);
  return { title: app ? `Application ${app.name} on ${app.target.name}` : "Application" };
}

export default async function ApplicationPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<PageSearchParams>;
}) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const { created } = firstValues(await searchParams);
  const app = await loadApplication(id);
  const qc = getQueryClient();
  qc.setQueryData(applicationKeys.detail(id), app);
  // The timeline's first page, with the key and query string the browser's hook reads.
  const timeline = qc.prefetchInfiniteQuery({
    queryKey: timelineKeys.timeline(id),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      listApplicationTimeline({
        applicationId: id,
        query: Object.fromEntries(new URLSearchParams(timelineSearch(pageParam)).entries()),
      }),
    ...TIMELINE_PAGING,
  });
  // A pull application's tree is in the page (its agent's stored report); the browser then keeps it fresh. A push
  // application's is asked for by the browser: reading its cluster is an audited credential use.
  const live =
    app.mode === "pull"
      ? getReportedApplicationLive(id).then((state) => state && qc.setQueryData(applicationKeys.live(id), state))
      : null;
  const [target] = await Promise.all([getTarget({ id: app.target.id }), timeline, live]);
  qc.setQueryData(targetKeys.detail(app.target.id), target);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/applications" className="text-brand-700 hover:underline">
          ← Applications
        </Link>
      </nav>
      {app.archived ? <ArchivedBanner what="application" name={app.name} archived={app.archived} /> : null}
      <HydrationBoundary state={dehydrate(qc)}>
        {/* A deleted application is history: readable as it was, with nothing to deploy, edit or roll back. */}
        <ApplicationDetail
          id={id}
          canManage={!app.archived && can(principal.role, "deployments.request")}
          justCreated={created === "1"}
        />
      </HydrationBoundary>
    </>
  );
}
