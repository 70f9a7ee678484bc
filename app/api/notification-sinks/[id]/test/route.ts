import { withAuth } from "@/lib/api/with-auth";
import { sendTestNotification } from "@/lib/notifications/data/send-test-notification";
import { ZTestDeliveryResult } from "@/lib/notifications/schemas";

export const POST = withAuth(async ({ params }) => sendTestNotification({ sinkId: params.id ?? "" }), {
  permission: "notifications.manage",
  docs: {
    tag: "notifications",
    summary: "Send a signed test notification now and report the sink's answer",
    returns: "The sink's answer.",
    response: ZTestDeliveryResult,
  },
});
