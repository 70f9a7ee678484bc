import type { TDeploymentListFilter } from "@/lib/deployments/schemas";
import type { TSyncEventFilter } from "@/lib/sync/schemas";
import type { TTargetListFilter } from "@/lib/targets/schemas";

// The filters the application pages' client components read, here rather than in those "use client" modules: a server
// page prefetches with the same keys, and a server component cannot read a plain constant from a client module.

/** Every target the new-application form offers. */
export const APPLICATION_TARGETS_FILTER: TTargetListFilter = { limit: 100 };

const RECENT = 10;

/** An application page's recent deployments (push). */
export const recentDeploymentsFilter = (applicationId: string): TDeploymentListFilter => ({
  applicationId,
  limit: RECENT,
});

/** An application page's recent syncs (pull): its registered repository's events. */
export const recentSyncsFilter = (repoId: string): TSyncEventFilter => ({ repoId, limit: RECENT });
