import { z } from "zod";
import { readJson, withAuth } from "@/lib/api/with-auth";
import { deleteNotificationSink } from "@/lib/notifications/data/delete-notification-sink";
import { updateNotificationSink } from "@/lib/notifications/data/save-notification-sink";
import { ZUpdateNotificationSink, ZNotificationSinkView } from "@/lib/notifications/schemas";

export const PATCH = withAuth(
  async ({ req, params, actor, request }) =>
    updateNotificationSink({
      id: params.id ?? "",
      input: ZUpdateNotificationSink.parse(await readJson(req)),
      actor,
      request,
    }),
  {
    permission: "notifications.manage",
    docs: {
      tag: "notifications",
      summary: "Change name, URL, events or enabled; `rotateSecret` returns a new secret once",
      body: ZUpdateNotificationSink,
      returns: "The sink, and its new secret (once) when `rotateSecret` was sent, else null.",
      response: z.object({ sink: ZNotificationSinkView, secret: z.string().nullable() }),
    },
  },
);

export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deleteNotificationSink({ id: params.id ?? "", actor, request });
    return null;
  },
  {
    permission: "notifications.manage",
    docs: {
      tag: "notifications",
      summary: "Delete a sink and its delivery log",
      returns: "Nothing.",
      success: 204,
    },
  },
);
