import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { TargetForm } from "@/components/targets/target-form";
import { requirePrincipal } from "@/lib/auth/current-user";
import { listCredentialPolicyOptions } from "@/lib/targets/data/list-credential-policy-options";

export const metadata: Metadata = { title: "New target" };

export default async function NewTargetPage() {
  await requirePrincipal("targets.manage");
  const policies = await listCredentialPolicyOptions();
  return (
    <div className="max-w-3xl">
      <PageHeader title="New deployment target" description="Register a Kubernetes cluster Wharf can deploy to." />
      <TargetForm policies={policies} />
    </div>
  );
}
