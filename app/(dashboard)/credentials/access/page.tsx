import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { CredentialAccessLog } from "@/components/audit/credential-access-log";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { CREDENTIAL_ACCESS_PAGE_SIZE, credentialAccessKeys, parseCredentialAccessFilter } from "@/lib/audit/query";
import type { CredentialAccessPageView } from "@/lib/audit/views";
import { listCredentialAccess } from "@/lib/audit/data/list-credential-access";
import { requirePrincipal } from "@/lib/auth/current-user";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Credential access" };

export default async function CredentialAccessPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePrincipal("credential-access.read");
  const filter = parseCredentialAccessFilter(await searchParams);
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: credentialAccessKeys.list(filter),
    queryFn: ({ pageParam }: { pageParam: number | null }): Promise<CredentialAccessPageView> =>
      listCredentialAccess({
        ...filter,
        from: filter.from ? new Date(filter.from) : undefined,
        to: filter.to ? new Date(filter.to) : undefined,
        cursor: pageParam ?? undefined,
        limit: CREDENTIAL_ACCESS_PAGE_SIZE,
      }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  return (
    <>
      <PageHeader
        title="Credential access"
        description="Who decrypted, stored, replaced or was refused a cluster credential — for which deployment, from where, with the hash-chain link of every row."
        actions={
          <Button asChild variant="secondary">
            <Link href="/credentials">Credentials</Link>
          </Button>
        }
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <CredentialAccessLog initialFilter={filter} />
      </HydrationBoundary>
    </>
  );
}
