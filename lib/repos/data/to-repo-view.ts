import "server-only";
import { commitOfRevision, ZImagePolicies, ZRepoState, type TImagePolicy } from "@/lib/agent/protocol";
import { tagPatternProblem } from "@/lib/agent/tag-pattern";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import type { PullRepoView, TImagePolicyView } from "../schemas";

export const REPO_INCLUDE = { status: true } as const;
export type RepoRow = Prisma.PullRepoGetPayload<{ include: typeof REPO_INCLUDE }>;

/**
 * A repository's stored image policies, as stored: the shape is checked (ZImagePolicies), tag patterns are not, so a
 * policy registered before patterns had to run on RE2 still reaches the agent — which refuses to sync with it — and
 * the repository view (imagePolicyViews). Dropping it would make the agent sync with unpinned images.
 */
export function parseImagePolicies(stored: string): TImagePolicy[] {
  try {
    const parsed = ZImagePolicies.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** The stored policies with, on each the agent would refuse, why (its tag pattern's problem under RE2). */
export function imagePolicyViews(policies: TImagePolicy[]): TImagePolicyView[] {
  return policies.map((p) => {
    const invalid = p.tagPattern === undefined ? undefined : tagPatternProblem(p.tagPattern);
    return invalid ? { ...p, invalid } : p;
  });
}

export function toRepoView(
  row: RepoRow,
  pendingPin: PullRepoView["pendingPin"] = null,
  pin: PullRepoView["pin"] = null,
): PullRepoView {
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
    imagePolicies: imagePolicyViews(parseImagePolicies(row.imagePolicies)),
    pinnedRevision: row.pinnedRevision,
    pendingPin,
    // A pin's position is read from the sync history (pinViews); without it the pin still shows, as unknown.
    pin: row.pinnedRevision
      ? (pin ?? {
          revision: row.pinnedRevision,
          sha: commitOfRevision(row.pinnedRevision),
          branchHeadSha: null,
          behind: null,
        })
      : null,
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
