import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { refKey } from "@/lib/kube";
import { invalidCursorError } from "@/lib/keyset-cursor";
// The same order as the sync history, (occurredAt desc, id desc), so the same cursor shape.
import { afterSyncCursor, decodeSyncCursor, encodeSyncCursor } from "@/lib/sync/cursor";
import { ZPushDriftListQuery, type PushDriftEventPage, type PushDriftEventView } from "../drift-schemas";
import { parsePushDriftDetails, pushDriftManagers } from "../push-drift";

type Row = Prisma.PushDriftEventGetPayload<object>;

/** A row's drifted objects with each field as applied → live and its manager, from its stored details. */
function objectsOf(details: ReturnType<typeof parsePushDriftDetails>): PushDriftEventView["objects"] {
  const statusOf = new Map(details.sync.map((s) => [refKey(s.ref), s.status]));
  return details.drift.objects.map((o) => {
    const status = statusOf.get(refKey(o.ref));
    const fields = status?.fields.length
      ? status.fields.map((f) => ({
          path: f.path,
          applied: f.applied ?? null,
          live: f.live ?? null,
          manager: f.owner?.manager ?? null,
        }))
      : o.fields.map((path) => ({ path, applied: null, live: null, manager: null }));
    return {
      ref: o.ref,
      fields,
      note: status?.message ?? null,
      omittedFields: status?.omittedFields ?? Math.max(0, o.fields.length - fields.length),
    };
  });
}

/**
 * Push drift across applications, newest first, with keyset pages over (occurredAt, id) on its index: the rows behind
 * the comparison's push "drift detected" figure. Filters: target, application, the environment stored with the
 * event and a half-open range [from, to) on occurredAt — the instant and environment the rollups count it on
 * (lib/rollups/contributions.ts pushDriftDelta), so a figure's link lists exactly the rows it counts.
 */
export async function listPushDriftEvents(query: unknown): Promise<PushDriftEventPage> {
  const q = ZPushDriftListQuery.parse(query);
  const cursor = q.cursor ? decodeSyncCursor(q.cursor) : null;
  if (q.cursor && !cursor) throw invalidCursorError();
  const and: Prisma.PushDriftEventWhereInput[] = [];
  if (q.targetId) and.push({ targetId: q.targetId });
  if (q.applicationId) and.push({ applicationId: q.applicationId });
  if (q.environment) and.push({ environment: q.environment });
  if (q.from) and.push({ occurredAt: { gte: q.from } });
  if (q.to) and.push({ occurredAt: { lt: q.to } });
  if (cursor) and.push(...afterSyncCursor(cursor));
  const rows = await db().pushDriftEvent.findMany({
    where: and.length ? { AND: and } : {},
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: await views(page),
    nextCursor: rows.length > q.limit && last ? encodeSyncCursor(last.occurredAt, last.id) : null,
  };
}

/** The page's rows with their application's and target's names (one query each; gone ones read as null). */
async function views(page: Row[]): Promise<PushDriftEventView[]> {
  const appIds = [...new Set(page.map((r) => r.applicationId))];
  const targetIds = [...new Set(page.map((r) => r.targetId))];
  const [apps, targets] = await Promise.all([
    appIds.length ? db().application.findMany({ where: { id: { in: appIds } }, select: { id: true, name: true } }) : [],
    targetIds.length
      ? db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, name: true } })
      : [],
  ]);
  const appNames = new Map(apps.map((a) => [a.id, a.name]));
  const targetNames = new Map(targets.map((t) => [t.id, t.name]));
  return page.map((r) => {
    const details = parsePushDriftDetails(r.details);
    return {
      id: r.id,
      occurredAt: r.occurredAt.toISOString(),
      application: { id: r.applicationId, name: appNames.get(r.applicationId) ?? null },
      target: { id: r.targetId, name: targetNames.get(r.targetId) ?? null },
      environment: r.environment,
      deploymentId: r.deploymentId,
      message: r.message,
      managers: pushDriftManagers(details),
      objects: objectsOf(details),
      truncated: details.drift.truncated || details.sync.some((s) => s.status.truncated === true),
    };
  });
}
