import { withAuth } from "@/lib/api/with-auth";
import { sendTestNotification } from "@/lib/notifications/data/send-test-notification";

// POST /api/notification-sinks/:id/test — send a signed test notification now and report the sink's answer
export const POST = withAuth(async ({ params }) => sendTestNotification({ sinkId: params.id ?? "" }), {
  permission: "notifications.manage",
});
