import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { AddUserDialog } from "@/components/users/add-user-dialog";
import { UsersTable } from "@/components/users/users-table";
import { requirePrincipal } from "@/lib/auth/current-user";
import { getQueryClient } from "@/lib/query/query-client";
import { listUsers } from "@/lib/users/data/list-users";
import { userKeys, USERS_PAGE_SIZE } from "@/lib/users/query";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const principal = await requirePrincipal("users.manage");
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: userKeys.list(),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      listUsers({ limit: USERS_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in to Wharf, and with which role."
        actions={<AddUserDialog />}
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <UsersTable currentUserId={principal.userId} />
      </HydrationBoundary>
    </>
  );
}
