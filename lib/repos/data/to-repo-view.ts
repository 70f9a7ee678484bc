import "server-only";
import { ZImagePolicies, ZRepoState, type TImagePolicy } from "@/lib/agent/protocol";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import type { PullRepoView } from "../schemas";

export const REPO_INCLUDE = { status: true } as const;
export type RepoRow = Prisma.PullRepoGetPayload<{ include: typeof REPO_INCLUDE }>;

export function parseImagePolicies(stored: string): TImagePolicy[] {
  try {
    const parsed = ZImagePolicies.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function toRepoView(row: RepoRow, pendingPin: PullRepoView["pendingPin"] = null): PullRepoView {
  const state = row.status ? ZRepoState.safeParse(row.status.state) : null;
  return {
    id: row.id,
    targetId: row.targetId,
    url: row.url,
    branch: row.branch,
    path: row.path,
    pollIntervalSeconds: row.pollIntervalSeconds,
    prune: row.prune,
    selfHeal: row.selfHeal,
    imagePolicies: parseImagePolicies(row.imagePolicies),
    pinnedRevision: row.pinnedRevision,
    pendingPin,
    notifySeq: row.notifySeq,
    status:
      row.status && state?.success
        ? {
            state: state.data,
            revision: row.status.revision,
            message: row.status.message,
            updatedAt: row.status.updatedAt.toISOString(),
            lastSyncAt: row.status.lastSyncAt?.toISOString() ?? null,
          }
        : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
