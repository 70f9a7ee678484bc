import "server-only";
import { db } from "@/lib/db";
import { LIVE_TARGET } from "../live";

/** Every environment some target uses, alphabetically, for the list page's filter. */
export async function listTargetEnvironments(): Promise<string[]> {
  const rows = await db().target.findMany({
    where: LIVE_TARGET,
    distinct: ["environment"],
    select: { environment: true },
    orderBy: { environment: "asc" },
  });
  return rows.map((r) => r.environment);
}
