import "server-only";
import { db } from "@/lib/db";
import { LIVE_TARGET } from "../live";
import type { TargetModeCounts } from "../schemas";

/** How many targets each delivery mode has (for headers and the overview page). */
export async function countTargetsByMode(): Promise<TargetModeCounts> {
  const groups = await db().target.groupBy({ by: ["mode"], where: LIVE_TARGET, _count: { _all: true } });
  const counts: TargetModeCounts = { push: 0, pull: 0 };
  for (const g of groups) if (g.mode === "push" || g.mode === "pull") counts[g.mode] = g._count._all;
  return counts;
}
