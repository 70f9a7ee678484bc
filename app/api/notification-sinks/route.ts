import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listNotificationSinks } from "@/lib/notifications/data/list-notification-sinks";
import { createNotificationSink } from "@/lib/notifications/data/save-notification-sink";
import {
  ZCreateNotificationSink,
  ZNotificationSinkListQuery,
  ZNotificationSinkPage,
  ZNotificationSinkWithSecret,
} from "@/lib/notifications/schemas";

export const GET = withAuth(
  async ({ req }) => listNotificationSinks(ZNotificationSinkListQuery.parse(searchParamsOf(req))),
  {
    permission: "notifications.manage",
    docs: {
      tag: "notifications",
      summary: "Webhook sinks by name with their events and delivery counts (never their secrets), cursor-paginated",
      query: ZNotificationSinkListQuery,
      returns: "A page of sinks ({ items, nextCursor }; nextCursor is null on the last page).",
      response: ZNotificationSinkPage,
    },
  },
);

export const POST = withAuth(
  async ({ req, principal, actor, request }) =>
    createNotificationSink({
      input: ZCreateNotificationSink.parse(await readJson(req)),
      actor,
      actorUserId: principal.userId,
      request,
    }),
  {
    permission: "notifications.manage",
    successStatus: 201,
    docs: {
      tag: "notifications",
      summary: "Create a sink; the answer holds its signing secret, shown this once",
      body: ZCreateNotificationSink,
      returns: "The sink and its secret (once).",
      response: ZNotificationSinkWithSecret,
    },
  },
);
