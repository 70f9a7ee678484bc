import type { Metadata } from "next";
import { ImportWizard } from "@/components/credentials/import-wizard";
import { PageHeader } from "@/components/layout/page-header";
import { requirePrincipal } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Import targets from kubeconfig" };

export default async function ImportTargetsPage() {
  await requirePrincipal("targets.manage");
  return (
    <>
      <PageHeader
        title="Import targets from a kubeconfig"
        description="One target per context, with its API server and CA; push targets also get the context's token or client certificate as their credential."
      />
      <ImportWizard />
    </>
  );
}
