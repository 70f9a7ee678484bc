import "server-only";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { archivedMark } from "../live";
import { ZMode, type TargetListItem, type TargetView } from "../schemas";

/** The Prisma include every read of a target uses, so views always carry the policy's name. */
export const TARGET_INCLUDE = {
  credentialPolicy: { select: { id: true, name: true } },
} as const satisfies Prisma.TargetInclude;

export type TargetRow = Prisma.TargetGetPayload<{ include: typeof TARGET_INCLUDE }>;

/** Parses the stored JSON list; a malformed value (hand-edited row) reads as "default namespace only". */
export function parseAllowedNamespaces(stored: string): string[] {
  try {
    const value: unknown = JSON.parse(stored);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** A database row as the API and pages see it. */
export function toTargetView(row: TargetRow): TargetView {
  return {
    id: row.id,
    name: row.name,
    environment: row.environment,
    mode: ZMode.parse(row.mode),
    serverUrl: row.serverUrl,
    caBundle: row.caBundle,
    insecureSkipTlsVerify: row.insecureSkipTlsVerify,
    defaultNamespace: row.defaultNamespace,
    allowedNamespaces: parseAllowedNamespaces(row.allowedNamespaces),
    allowClusterScoped: row.allowClusterScoped,
    requiredApprovals: row.requiredApprovals,
    // A hand-edited, unknown role reads as the stricter one, as the approval rules treat it.
    approverRole: row.approverRole === "approver" ? "approver" : "admin",
    banRequester: row.banRequester,
    banCommitAuthor: row.banCommitAuthor,
    allowTokenApprovals: row.allowTokenApprovals,
    approvalTtlHours: row.approvalTtlHours,
    ownerTeam: row.ownerTeam,
    statusReadIntervalSeconds: row.statusReadIntervalSeconds,
    credentialPolicy: row.credentialPolicy ? { id: row.credentialPolicy.id, name: row.credentialPolicy.name } : null,
    archived: archivedMark(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A list row: the view without the CA bundle text. */
export function toTargetListItem(row: TargetRow): TargetListItem {
  const { caBundle, ...rest } = toTargetView(row);
  return { ...rest, hasCaBundle: caBundle !== null };
}
