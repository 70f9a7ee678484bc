import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { AuditLog } from "@/components/audit/audit-log";
import { PageHeader } from "@/components/layout/page-header";
import { listAuditEvents } from "@/lib/audit/data/list-audit-events";
import { AUDIT_PAGE_SIZE, auditKeys, parseAuditListFilter } from "@/lib/audit/query";
import { toAuditEventView, type AuditEventPage } from "@/lib/audit/views";
import { requirePrincipal } from "@/lib/auth/current-user";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePrincipal("audit.read");
  const filter = parseAuditListFilter(await searchParams);
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: auditKeys.list(filter),
    queryFn: async ({ pageParam }: { pageParam: number | null }): Promise<AuditEventPage> => {
      const page = await listAuditEvents({
        ...filter,
        from: filter.from ? new Date(filter.from) : undefined,
        to: filter.to ? new Date(filter.to) : undefined,
        cursor: pageParam ?? undefined,
        limit: AUDIT_PAGE_SIZE,
      });
      return { items: page.items.map(toAuditEventView), nextCursor: page.nextCursor, notice: page.notice };
    },
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  return (
    <>
      <PageHeader title="Audit" description="Every change and every refused request, hash-chained and append-only." />
      <HydrationBoundary state={dehydrate(qc)}>
        <AuditLog initialFilter={filter} />
      </HydrationBoundary>
    </>
  );
}
