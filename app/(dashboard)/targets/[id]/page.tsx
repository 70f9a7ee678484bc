import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { TargetComparison } from "@/components/compare/target-comparison";
import { CredentialPanel } from "@/components/credentials/credential-panel";
import { ArchivedBanner } from "@/components/targets/archived-banner";
import { TargetDetail } from "@/components/targets/target-detail";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { getQueryClient } from "@/lib/query/query-client";
import { getTarget } from "@/lib/targets/data/get-target";
import { targetKeys } from "@/lib/targets/query";
import { getPullStatus } from "@/lib/sync/data/get-pull-status";
import { syncKeys } from "@/lib/sync/query";
import type { TargetView } from "@/lib/targets/schemas";

type Params = Promise<{ id: string }>;

/** Read once per request: the title (generateMetadata) and the page ask for the same row. */
const readTarget = cache((id: string) => getTarget({ id }));

/** The target, or Next's 404 page for an unknown id. */
async function loadTarget(id: string): Promise<TargetView> {
  try {
    return await readTarget(id);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const target = await readTarget(id).catch(() => null);
  return { title: target ? `Target ${target.name}` : "Target" };
}

export default async function TargetPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const query = await searchParams;
  const first = (k: string) => (Array.isArray(query[k]) ? query[k][0] : query[k]);
  const target = await loadTarget(id);
  const qc = getQueryClient();
  qc.setQueryData(targetKeys.detail(id), target);
  if (target.mode === "pull") qc.setQueryData(syncKeys.status(id), await getPullStatus({ targetId: id }));

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/targets" className="text-brand-700 hover:underline">
          ← Targets
        </Link>
      </nav>
      {target.archived ? <ArchivedBanner what="target" name={target.name} archived={target.archived} /> : null}
      <HydrationBoundary state={dehydrate(qc)}>
        {/* A deleted target is history: its settings read as they were, with nothing to change or deploy. */}
        <TargetDetail
          id={id}
          canManage={!target.archived && can(principal.role, "targets.manage")}
          canDeploy={!target.archived && can(principal.role, "deployments.request")}
          canRegister={!target.archived && can(principal.role, "repos.register")}
        />
      </HydrationBoundary>
      {target.archived ? null : (
        <div className="mt-6">
          <CredentialPanel targetId={target.id} mode={target.mode} role={principal.role} />
        </div>
      )}
      <div className="mt-6">
        <TargetComparison
          targetId={target.id}
          mode={target.mode === "pull" ? "pull" : "push"}
          query={{ range: first("range"), from: first("from"), to: first("to") }}
          canCheckScope={can(principal.role, "credentials.replace")}
        />
      </div>
    </>
  );
}
