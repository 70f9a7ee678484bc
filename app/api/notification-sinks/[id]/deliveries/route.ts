import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listDeliveries } from "@/lib/notifications/data/list-deliveries";
import { ZDeliveryListFilter } from "@/lib/notifications/schemas";

// GET /api/notification-sinks/:id/deliveries — the sink's delivery log, newest first; ?cursor=&limit=
export const GET = withAuth(
  async ({ req, params }) =>
    listDeliveries({ sinkId: params.id ?? "", ...ZDeliveryListFilter.parse(searchParamsOf(req)) }),
  { permission: "notifications.manage" },
);
