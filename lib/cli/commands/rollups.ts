import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { deliveryHistorySpan } from "@/lib/rollups/rebuild-delivery-rollups";
import { db } from "@/lib/db";
import { formatDays } from "@/lib/format/duration";

const DAY_MS = 86_400_000;
const USAGE = "usage: npm run wharf -- rollups [days | all]   (days 1–3660, default 90; all: the whole stored history)";

/**
 * `npm run wharf -- rollups [days | all]`: recomputes the comparison's delivery rollups for the last `days` (default
 * 90), or for every day that holds deliveries, from deployments and sync events, with the row marks behind them
 * (recovery marks, commit times) — after an import or a change of the figures' rules. Upgrades and `seed:scale` do
 * this themselves.
 */
export async function run(args: string[]): Promise<number> {
  const arg = args[0] ?? "90";
  let window: { from: Date; to: Date } | null;
  if (arg === "all") {
    window = await deliveryHistorySpan(db());
    if (!window) {
      console.log("no deployments or sync events: nothing to rebuild");
      return 0;
    }
  } else {
    const days = Number(arg);
    if (!Number.isInteger(days) || days < 1 || days > 3660) {
      console.error(USAGE);
      return 2;
    }
    const to = new Date(Date.now() + DAY_MS);
    window = { from: new Date(to.getTime() - (days + 1) * DAY_MS), to };
  }
  const started = Date.now();
  const result = await rebuildRollups({ ...window, log: (line) => console.log(`  ${line}`) });
  console.log(
    `rebuilt ${result.rows} rollup rows and ${result.histogramRows} histogram rows (fleet: ${result.fleetRows} and ${result.fleetHistogramRows}) over ${formatDays(result.days)} ` +
      `(${result.marks} recovery marks and ${result.committedAt} commit times written) in ${Date.now() - started} ms`,
  );
  return 0;
}
