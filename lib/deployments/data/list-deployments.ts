import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { AppError } from "@/lib/errors";
import type { DeploymentListPage, TDeploymentListQuery } from "../schemas";
import { decodeDeploymentCursor, encodeDeploymentCursor } from "./deployment-cursor";
import { LIST_SELECT, toListItem } from "./get-deployment";

/**
 * A page of deployments, newest first, keyset-paginated on (createdAt, id). Filters: target, state, and requester
 * (a user id or an email address).
 */
export async function listDeployments(query: TDeploymentListQuery): Promise<DeploymentListPage> {
  const and: Prisma.DeploymentWhereInput[] = [];
  if (query.targetId) and.push({ targetId: query.targetId });
  if (query.state) and.push({ state: query.state });
  if (query.requester) {
    const byEmail = query.requester.includes("@")
      ? await db().user.findUnique({ where: { email: query.requester.toLowerCase() }, select: { id: true } })
      : null;
    and.push({ requestedById: byEmail?.id ?? query.requester });
  }
  if (query.cursor) {
    const after = decodeDeploymentCursor(query.cursor);
    if (!after) throw new AppError("VALIDATION_FAILED", "The page cursor is not valid; start from the first page.", { fields: { cursor: ["Not a valid cursor."] } });
    // The redundant `lte` bound lets the (createdAt, id) index seek to the cursor instead of filtering every newer row.
    and.push({ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] });
  }
  const rows = await db().deployment.findMany({
    where: and.length ? { AND: and } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: LIST_SELECT,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toListItem),
    nextCursor: rows.length > query.limit && last ? encodeDeploymentCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
