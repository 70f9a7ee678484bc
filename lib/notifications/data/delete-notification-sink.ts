import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

/** Deletes a sink and its delivery log. */
export async function deleteNotificationSink(opts: {
  id: string;
  actor: Actor;
  request: RequestContext;
}): Promise<void> {
  await db().$transaction(async (tx) => {
    const existing = await tx.notificationSink.findUnique({
      where: { id: opts.id },
      select: { id: true, name: true, url: true },
    });
    if (!existing) throw new AppError("NOT_FOUND", "There is no notification sink with this id.");
    await tx.notificationSink.delete({ where: { id: opts.id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "notification-sink.deleted",
      subjectType: "notification-sink",
      subjectId: opts.id,
      details: { name: existing.name, url: existing.url },
      request: opts.request,
    });
  });
}
