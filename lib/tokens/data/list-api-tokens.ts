import "server-only";
import type { Principal } from "@/lib/auth/data/principals";
import { can } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import type { ApiTokenPage, TListApiTokens } from "../schemas";
import { API_TOKEN_VIEW_SELECT, toApiTokenView } from "./to-api-token-view";

export interface ListApiTokensOptions extends TListApiTokens {
  /** Admins see every token with its owner; everyone else only their own. */
  principal: Principal;
}

/** Tokens newest first, including revoked and expired ones (the page shows their status). */
export async function listApiTokens({ principal, cursor, limit }: ListApiTokensOptions): Promise<ApiTokenPage> {
  const rows = await db().apiToken.findMany({
    where: can(principal.role, "users.manage") ? {} : { createdById: principal.userId },
    select: API_TOKEN_VIEW_SELECT,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map(toApiTokenView),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
