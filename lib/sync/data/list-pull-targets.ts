import "server-only";
import { LIVE_TARGET } from "@/lib/targets/live";
import { db } from "@/lib/db";

/** Pull targets by name, for filters and pickers. */
export async function listPullTargetOptions(): Promise<{ id: string; name: string }[]> {
  return db().target.findMany({
    where: { mode: "pull", ...LIVE_TARGET },
    orderBy: { name: "asc" },
    select: { id: true, name: true },
    take: 1000,
  });
}
