import type { Metadata } from "next";
import { PushDriftList } from "@/components/applications/push-drift-list";
import { PageHeader } from "@/components/layout/page-header";
import { listPushDriftEvents } from "@/lib/applications/data/list-push-drift-events";
import { pushDriftSearch, ZPushDriftListQuery, type TPushDriftFilter } from "@/lib/applications/drift-schemas";
import { requirePrincipal } from "@/lib/auth/current-user";
import { decodeSyncCursor } from "@/lib/sync/cursor";

export const metadata: Metadata = { title: "Push drift" };

export default async function PushDriftPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePrincipal();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(await searchParams)) if (typeof v === "string") flat[k] = v;
  // Invalid values (a stale cursor, a garbled instant) are dropped rather than failing the page.
  const parsed = ZPushDriftListQuery.safeParse(flat);
  const q = parsed.success ? parsed.data : ZPushDriftListQuery.parse({});
  const filter: TPushDriftFilter = {
    targetId: q.targetId,
    applicationId: q.applicationId,
    environment: q.environment,
    from: q.from?.toISOString(),
    to: q.to?.toISOString(),
    limit: q.limit,
  };
  // A cursor this list did not produce starts from the first page, as a garbled filter value does.
  const cursor = q.cursor && decodeSyncCursor(q.cursor) ? q.cursor : null;
  const page = await listPushDriftEvents(
    Object.fromEntries(new URLSearchParams(pushDriftSearch(filter, cursor)).entries()),
  );
  return (
    <>
      <PageHeader
        title="Push drift"
        description="Drift Wharf's status reads found on push applications: objects changed in the cluster since their last deployment, once per change, with who changed them. The comparison's push “drift detected” counts these."
      />
      <PushDriftList items={page.items} nextCursor={page.nextCursor} filter={filter} paged={Boolean(cursor)} />
    </>
  );
}
