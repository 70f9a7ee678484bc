import { readJson, withAuth } from "@/lib/api/with-auth";
import { deleteNotificationSink } from "@/lib/notifications/data/delete-notification-sink";
import { updateNotificationSink } from "@/lib/notifications/data/save-notification-sink";
import { ZUpdateNotificationSink } from "@/lib/notifications/schemas";

// PATCH /api/notification-sinks/:id — change name, URL, events or enabled; `rotateSecret` returns a new secret once
export const PATCH = withAuth(
  async ({ req, params, actor, request }) =>
    updateNotificationSink({
      id: params.id ?? "",
      input: ZUpdateNotificationSink.parse(await readJson(req)),
      actor,
      request,
    }),
  { permission: "notifications.manage" },
);

// DELETE /api/notification-sinks/:id — delete a sink and its delivery log
export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deleteNotificationSink({ id: params.id ?? "", actor, request });
    return null;
  },
  { permission: "notifications.manage" },
);
