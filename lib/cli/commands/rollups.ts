import { rebuildRollups } from "@/lib/compare/data/rollups";

const DAY_MS = 86_400_000;

/**
 * `npm run wharf -- rollups [days]`: recomputes the comparison's delivery rollups for the last `days` (default 90)
 * from deployments and sync events — after an import, a bulk seed (`seed:scale`) or a rules change.
 */
export async function run(args: string[]): Promise<number> {
  const days = Number(args[0] ?? "90");
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    console.error("usage: npm run wharf -- rollups [days]   (1–3660, default 90)");
    return 2;
  }
  const to = new Date(Date.now() + DAY_MS);
  const started = Date.now();
  const result = await rebuildRollups({ from: new Date(to.getTime() - (days + 1) * DAY_MS), to });
  console.log(`rebuilt ${result.rows} rollup rows over ${result.days} days in ${Date.now() - started} ms`);
  return 0;
}
