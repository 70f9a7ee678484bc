import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listDeliveries } from "@/lib/notifications/data/list-deliveries";
import { ZDeliveryListFilter, ZDeliveryListPage } from "@/lib/notifications/schemas";

export const GET = withAuth(
  async ({ req, params }) =>
    listDeliveries({ sinkId: params.id ?? "", ...ZDeliveryListFilter.parse(searchParamsOf(req)) }),
  {
    permission: "notifications.manage",
    docs: {
      tag: "notifications",
      summary: "The sink's delivery log, newest first, cursor-paginated",
      query: ZDeliveryListFilter,
      returns: "A page of deliveries.",
      response: ZDeliveryListPage,
    },
  },
);
