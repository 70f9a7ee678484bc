import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { Principal } from "@/lib/auth/data/principals";
import { can } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ApiTokenView } from "../schemas";
import { API_TOKEN_VIEW_SELECT, toApiTokenView } from "./to-api-token-view";

export interface RevokeApiTokenOptions {
  tokenId: string;
  /** Owners revoke their own tokens; admins any token. Someone else's token is a 404, so ids do not leak. */
  principal: Principal;
  actor: Actor;
  request: RequestContext;
}

/** Revokes a token for good. Revoking an already revoked token changes nothing and writes no audit row. */
export async function revokeApiToken({
  tokenId,
  principal,
  actor,
  request,
}: RevokeApiTokenOptions): Promise<ApiTokenView> {
  return db().$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id: tokenId }, select: API_TOKEN_VIEW_SELECT });
    if (!token || (token.createdBy.id !== principal.userId && !can(principal.role, "users.manage"))) {
      throw new AppError("NOT_FOUND", "No such API token.");
    }
    if (token.revokedAt) return toApiTokenView(token);
    const revoked = await tx.apiToken.update({
      where: { id: tokenId },
      data: { revokedAt: new Date() },
      select: API_TOKEN_VIEW_SELECT,
    });
    await recordAuditEvent(tx, {
      actor,
      action: "api-token.revoked",
      subjectType: "api-token",
      subjectId: tokenId,
      details: { name: token.name, prefix: token.prefix, ownerId: token.createdBy.id },
      request,
    });
    return toApiTokenView(revoked);
  });
}
