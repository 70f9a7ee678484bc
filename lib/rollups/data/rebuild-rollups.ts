import "server-only";
import { db, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { rebuildDeliveryRollups, type RebuildRollupsResult } from "../rebuild-delivery-rollups";

/**
 * Recomputes the rollups of whole UTC days [from, to) and the row marks behind them from deployments and sync events
 * (lib/rollups/rebuild-delivery-rollups.ts), on this process's database unless `client` names another one of the same kind.
 * For backfills (`npm run wharf -- rollups`, after an import) and for tests that check the incremental path against it.
 */
export async function rebuildRollups(opts: {
  from: Date;
  to: Date;
  client?: Db;
  sliceDays?: number;
  log?: (line: string) => void;
}): Promise<RebuildRollupsResult> {
  return rebuildDeliveryRollups(opts.client ?? db(), {
    from: opts.from,
    to: opts.to,
    dialect: env().databaseKind,
    ...(opts.sliceDays ? { sliceDays: opts.sliceDays } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
}
