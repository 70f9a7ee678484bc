import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeploymentDetail } from "@/components/deployments/deployment-detail";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getDeployment } from "@/lib/deployments/data/get-deployment";
import { deploymentKeys } from "@/lib/deployments/query";
import { AppError } from "@/lib/errors";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Deployment" };

type Params = Promise<{ id: string }>;

export default async function DeploymentPage({ params }: { params: Params }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  let deployment;
  try {
    deployment = await getDeployment({ id, viewer: principal });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  const qc = getQueryClient();
  qc.setQueryData(deploymentKeys.detail(id), deployment);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/deployments" className="text-brand-700 hover:underline">
          ← Deployments
        </Link>
      </nav>
      <HydrationBoundary state={dehydrate(qc)}>
        <DeploymentDetail
          id={id}
          canPreview={can(principal.role, "deployments.request") || can(principal.role, "deployments.approve")}
        />
      </HydrationBoundary>
    </>
  );
}
