import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { CreateTokenDialog } from "@/components/tokens/create-token-dialog";
import { TokensTable } from "@/components/tokens/tokens-table";
import { requirePrincipal } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { getQueryClient } from "@/lib/query/query-client";
import { listApiTokens } from "@/lib/tokens/data/list-api-tokens";
import { tokenKeys, TOKENS_PAGE_SIZE } from "@/lib/tokens/query";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const principal = await requirePrincipal();
  const canCreate = can(principal.role, "tokens.manage-own");
  const isAdmin = can(principal.role, "users.manage");
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: tokenKeys.list(),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      listApiTokens({ principal, limit: TOKENS_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  return (
    <>
      <PageHeader
        title="API tokens"
        description={
          isAdmin
            ? "Every user's tokens for scripts and CI. Only a hash of each token is stored."
            : "Your tokens for scripts and CI. Only a hash of each token is stored."
        }
        actions={canCreate ? <CreateTokenDialog role={principal.role} /> : null}
      />
      {canCreate ? null : (
        <p role="note" className="mb-4 rounded-md border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-700">
          Your role ({principal.role}) cannot create API tokens. Ask an admin for the deployer role or higher if you
          need one.
        </p>
      )}
      <HydrationBoundary state={dehydrate(qc)}>
        <TokensTable showOwner={isAdmin} />
      </HydrationBoundary>
    </>
  );
}
