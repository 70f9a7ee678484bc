import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { NotificationsManager } from "@/components/notifications/notifications-manager";
import { requirePrincipal } from "@/lib/auth/current-user";
import { listNotificationSinks } from "@/lib/notifications/data/list-notification-sinks";
import { notificationKeys, SINK_LIST_PAGING, SINKS_PAGE_SIZE } from "@/lib/notifications/query";
import { getQueryClient } from "@/lib/query/query-client";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await requirePrincipal("notifications.manage");
  const qc = getQueryClient();
  await qc.prefetchInfiniteQuery({
    queryKey: notificationKeys.list(),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      listNotificationSinks({ limit: SINKS_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    ...SINK_LIST_PAGING,
  });
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Webhook sinks (Slack-compatible JSON, HMAC-signed) for rotations due, overdue or failed, and deployments waiting for approval."
      />
      <HydrationBoundary state={dehydrate(qc)}>
        <NotificationsManager />
      </HydrationBoundary>
    </>
  );
}
