import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { Principal } from "@/lib/auth/data/principals";
import { roleAtLeast } from "@/lib/auth/roles";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { CreatedApiToken, TCreateApiToken } from "../schemas";
import { API_TOKEN_VIEW_SELECT, toApiTokenView } from "./to-api-token-view";

const DAY_MS = 86_400_000;
const PREFIX_LENGTH = 12;

export interface CreateApiTokenOptions {
  /** The caller; the token belongs to them and never outranks them. */
  principal: Principal;
  input: TCreateApiToken;
  actor: Actor;
  request: RequestContext;
}

/**
 * Issues an API token for the caller. Rules that hold:
 * - the token's role is at most the caller's (403 otherwise); resolution caps it again at the owner's current role;
 * - only admins may issue a token that never expires;
 * - a token used to create another token cannot hand out a longer life than its own;
 * - only the SHA-256 and a 12-character display prefix are stored; the plaintext is in this return value only.
 */
export async function createApiToken({
  principal,
  input,
  actor,
  request,
}: CreateApiTokenOptions): Promise<CreatedApiToken> {
  if (!roleAtLeast(principal.role, input.role)) {
    throw new AppError(
      "FORBIDDEN",
      `A token cannot have a higher role (${input.role}) than yours (${principal.role}).`,
      {
        fields: { role: [`Choose ${principal.role} or lower`] },
      },
    );
  }
  if (input.expiresInDays === null && principal.role !== "admin") {
    throw new AppError("FORBIDDEN", "Only admins may create tokens that never expire.", {
      fields: { expiresInDays: ["Choose an expiry"] },
    });
  }
  const expiresAt = input.expiresInDays === null ? null : new Date(Date.now() + input.expiresInDays * DAY_MS);

  const secret = newSecretToken("wharf");
  return db().$transaction(async (tx) => {
    if (principal.tokenId) {
      const parent = await tx.apiToken.findUnique({ where: { id: principal.tokenId }, select: { expiresAt: true } });
      if (parent?.expiresAt && (!expiresAt || expiresAt > parent.expiresAt)) {
        throw new AppError("FORBIDDEN", "A token cannot create a token that outlives it.", {
          fields: { expiresInDays: ["Choose a shorter expiry"] },
        });
      }
    }
    const token = await tx.apiToken.create({
      data: {
        name: input.name,
        prefix: secret.slice(0, PREFIX_LENGTH),
        tokenHash: sha256Hex(secret),
        role: input.role,
        createdById: principal.userId,
        expiresAt,
      },
      select: API_TOKEN_VIEW_SELECT,
    });
    await recordAuditEvent(tx, {
      actor,
      action: "api-token.created",
      subjectType: "api-token",
      subjectId: token.id,
      details: {
        name: token.name,
        prefix: token.prefix,
        role: token.role,
        ownerId: principal.userId,
        expiresAt: expiresAt?.toISOString() ?? null,
      },
      request,
    });
    return { token: toApiTokenView(token), secret };
  });
}
