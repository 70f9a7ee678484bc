import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/layout/page-header";
import { NewDeploymentForm } from "@/components/deployments/new-deployment-form";
import { ArchivedBanner } from "@/components/targets/archived-banner";
import { requirePrincipal } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors";
import { getTarget } from "@/lib/targets/data/get-target";
import { describeApprovalRule, type TargetView } from "@/lib/targets/schemas";

export const metadata: Metadata = { title: "New deployment" };

type Params = Promise<{ id: string }>;

export default async function NewDeploymentPage({ params }: { params: Params }) {
  await requirePrincipal("deployments.request");
  const { id } = await params;
  let target: TargetView;
  try {
    target = await getTarget({ id });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href={`/targets/${target.id}`} className="text-brand-700 hover:underline">
          ← {target.name}
        </Link>
      </nav>
      <PageHeader title={`New deployment to ${target.name}`} description={`${describeApprovalRule(target)}.`} />
      {target.archived ? (
        <ArchivedBanner what="target" name={target.name} archived={target.archived} />
      ) : target.mode === "push" ? (
        <NewDeploymentForm target={target} />
      ) : (
        <p role="alert" className="text-sm text-slate-700">
          {target.name} is a pull target: its agent syncs from Git by itself, so Wharf does not deploy to it.
        </p>
      )}
    </>
  );
}
