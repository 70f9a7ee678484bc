import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/layout/page-header";
import { TargetForm } from "@/components/targets/target-form";
import { requirePrincipal } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors";
import { getTarget } from "@/lib/targets/data/get-target";
import { listCredentialPolicyOptions } from "@/lib/targets/data/list-credential-policy-options";

export const metadata: Metadata = { title: "Edit target" };

export default async function EditTargetPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePrincipal("targets.manage");
  const { id } = await params;
  const [target, policies] = await Promise.all([
    getTarget({ id }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === "NOT_FOUND") return null;
      throw err;
    }),
    listCredentialPolicyOptions(),
  ]);
  if (!target) notFound();
  return (
    <div className="max-w-3xl">
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href={`/targets/${target.id}`} className="text-brand-700 hover:underline">
          ← {target.name}
        </Link>
      </nav>
      <PageHeader title={`Edit ${target.name}`} description="Changes apply to deploys requested from now on." />
      <TargetForm target={target} policies={policies} />
    </div>
  );
}
