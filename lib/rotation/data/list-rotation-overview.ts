import "server-only";
import { listCredentials } from "@/lib/credentials/data/list-credentials";
import type { TRotationListFilter, RotationOverviewPage } from "../schemas";

/**
 * Every active credential for the rotation page: status (with stored rotation failures), policy, last and next
 * rotation (see nextRotation: for automatic rotation the earlier of max age and 80 % of the lifetime), and age.
 * Filtered by status and paged by cursor like the credentials list; counts cover every active credential.
 */
export async function listRotationOverview(
  filter: TRotationListFilter & { now?: Date },
): Promise<RotationOverviewPage> {
  const now = filter.now ?? new Date();
  const page = await listCredentials({ ...filter, now });
  return {
    items: page.items.map((c) => ({ ...c, ageMs: Math.max(0, now.getTime() - Date.parse(c.lastRotatedAt)) })),
    nextCursor: page.nextCursor,
    counts: page.counts,
    now: now.toISOString(),
  };
}
