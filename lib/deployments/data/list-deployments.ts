import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { invalidCursorError } from "@/lib/keyset-cursor";
import type { DeploymentListPage, TDeploymentListQuery, TDeploymentTimeField } from "../schemas";
import { decodeDeploymentCursor, encodeDeploymentCursor } from "./deployment-cursor";
import { liveDeploymentIds } from "./live-deployments";
import { LIST_SELECT, toListItem } from "./get-deployment";

/** The column behind each `timeField`; each has an (instant, id) index for the range and the keyset order. */
const TIME_COLUMN = {
  requested: "createdAt",
  finished: "finishedAt",
  approved: "approvedAt",
} as const satisfies Record<TDeploymentTimeField, keyof Prisma.DeploymentWhereInput>;

/**
 * A page of deployments, newest first by the `timeField` instant (requested by default), keyset-paginated on
 * (instant, id). Filters: target, application, the target's environment and mode, state(s), requester (a user id or
 * an email address), a half-open range [from, to) on the instant, and the comparison's row sets — approved after
 * people's approvals (`waitedForApproval`) and successes that ended an outage (`recovery`) — each with the same rule
 * as the rollups (lib/rollups/data/record-delivery-outcome.ts), so a comparison figure and its list count the same
 * rows.
 */
export async function listDeployments(query: TDeploymentListQuery): Promise<DeploymentListPage> {
  const timeField = query.timeField;
  const column = TIME_COLUMN[timeField];
  const and: Prisma.DeploymentWhereInput[] = [];
  if (query.targetId) and.push({ targetId: query.targetId });
  if (query.applicationId) and.push({ applicationId: query.applicationId });
  if (query.environment) and.push({ target: { environment: query.environment } });
  // The mode a deployment belongs to is its kind, as in the rollups: pull revisions (approval requests of pull
  // targets) or push deployments. Unlike the target's mode, it does not move when a target changes mode later.
  if (query.mode)
    and.push(query.mode === "pull" ? { sourceKind: "pull-revision" } : { sourceKind: { not: "pull-revision" } });
  if (query.state?.length)
    and.push(query.state.length === 1 ? { state: query.state[0] } : { state: { in: query.state } });
  if (query.requester) {
    const byEmail = query.requester.includes("@")
      ? await db().user.findUnique({ where: { email: query.requester.toLowerCase() }, select: { id: true } })
      : null;
    and.push({ requestedById: byEmail?.id ?? query.requester });
  }
  // Rows without the instant have no place in its order (and would sort differently on SQLite and PostgreSQL).
  if (column !== "createdAt") and.push({ [column]: { not: null } });
  if (query.from) and.push({ [column]: { gte: query.from } });
  if (query.to) and.push({ [column]: { lt: query.to } });
  // Same rule as the approval-wait rollup: approved, with at least one approving decision by a person or token.
  if (query.waitedForApproval)
    and.push({ approvedAt: { not: null } }, { approvals: { some: { decision: "approved" } } });
  if (query.recovery) and.push({ outageStartedAt: { not: null } });
  if (query.cursor) {
    const after = decodeDeploymentCursor(query.cursor);
    if (!after || after.timeField !== timeField) throw invalidCursorError();
    // The redundant `lte` bound lets the (instant, id) index seek to the cursor instead of filtering every newer row.
    and.push(
      { [column]: { lte: after.at } },
      { OR: [{ [column]: { lt: after.at } }, { [column]: after.at, id: { lt: after.id } }] },
    );
  }
  const rows = await db().deployment.findMany({
    where: and.length ? { AND: and } : {},
    orderBy: [{ [column]: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: LIST_SELECT,
  });
  const page = rows.slice(0, query.limit);
  // Which rows run now: one statement for the page's applications, not a lookup per row.
  const live = await liveDeploymentIds(
    page.flatMap((r) => (r.applicationId && r.state === "succeeded" ? [r.applicationId] : [])),
  );
  const liveIds = new Set(live.values());
  const last = page[page.length - 1];
  const lastAt = last
    ? timeField === "requested"
      ? last.createdAt
      : timeField === "finished"
        ? last.finishedAt
        : last.approvedAt
    : null;
  return {
    items: page.map((r) => toListItem(r, liveIds.has(r.id))),
    nextCursor:
      rows.length > query.limit && last && lastAt
        ? encodeDeploymentCursor({ at: lastAt, id: last.id, timeField })
        : null,
  };
}
