import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { CredentialsOverview } from "@/components/credentials/credentials-overview";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { requirePrincipal } from "@/lib/auth/current-user";
import { listCredentials } from "@/lib/credentials/data/list-credentials";
import { CREDENTIALS_PAGE_SIZE, credentialKeys } from "@/lib/credentials/query";
import { ZRotationStatus } from "@/lib/credentials/schemas";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Credentials" };

export default async function CredentialsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePrincipal("read");
  // An unknown status in a hand-edited URL shows every credential rather than an error page.
  const parsed = ZRotationStatus.safeParse((await searchParams).status);
  const status = parsed.success ? parsed.data : undefined;
  const qc = getQueryClient();
  const filter = { status, cursor: undefined, limit: CREDENTIALS_PAGE_SIZE };
  await qc.prefetchQuery({ queryKey: credentialKeys.list(filter), queryFn: () => listCredentials(filter) });
  return (
    <>
      <PageHeader
        title="Credentials"
        description="Cluster credentials of push targets: encrypted at rest, never shown again, with their rotation status."
        actions={
          <div className="flex gap-2">
            <Button asChild variant="secondary">
              <Link href="/credentials/access">Credential access</Link>
            </Button>
            <Button asChild variant="secondary">
              <Link href="/policies">Credential policies</Link>
            </Button>
          </div>
        }
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <CredentialsOverview initialStatus={status} />
      </HydrationBoundary>
    </>
  );
}
