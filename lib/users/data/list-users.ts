import "server-only";
import { db } from "@/lib/db";
import type { TListUsers, UserPage } from "../schemas";
import { toUserView, USER_VIEW_SELECT } from "./to-user-view";

/**
 * Users oldest first, `limit` at a time. The cursor is the last id of the previous page; ordering on
 * (createdAt, id) matches the table's index, so every page costs the same.
 */
export async function listUsers(options: TListUsers): Promise<UserPage> {
  const rows = await db().user.findMany({
    select: USER_VIEW_SELECT,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, options.limit);
  return {
    items: page.map(toUserView),
    nextCursor: rows.length > options.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
