import { readJson, withAuth } from "@/lib/api/with-auth";
import { createNotificationSink, listNotificationSinks } from "@/lib/notifications/data/sinks";
import { ZCreateNotificationSink } from "@/lib/notifications/schemas";

// GET /api/notification-sinks — webhook sinks with their events and delivery counts (never their secrets)
export const GET = withAuth(async () => listNotificationSinks(), { permission: "notifications.manage" });

// POST /api/notification-sinks — create a sink; the answer holds its signing secret, shown this once
export const POST = withAuth(
  async ({ req, principal, actor, request }) =>
    createNotificationSink({ input: ZCreateNotificationSink.parse(await readJson(req)), actor, actorUserId: principal.userId, request }),
  { permission: "notifications.manage", successStatus: 201 },
);
