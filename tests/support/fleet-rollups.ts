import { expect } from "vitest";
import { ROLLUP_SUM_FIELDS } from "@/lib/rollups/sums";
import type { Db } from "@/lib/db/client";

const ORDER = [{ day: "asc" }, { mode: "asc" }, { environment: "asc" }] as const;

/**
 * The fleet rollup rows as stored, and the GROUP BY (day, mode, environment) of the per-target rows they must equal,
 * in the same order. Sums come back as the columns' values (a GROUP BY of no rows gives none).
 */
export async function fleetLevels(client: Db) {
  const [stored, storedHistogram, grouped, groupedHistogram] = await Promise.all([
    client.fleetDeliveryRollup.findMany({ orderBy: [...ORDER] }),
    client.fleetDeliveryHistogram.findMany({ orderBy: [...ORDER, { metric: "asc" }, { bucket: "asc" }] }),
    client.deliveryRollup.groupBy({
      by: ["day", "mode", "environment"],
      orderBy: [...ORDER],
      _sum: ROLLUP_SUM_FIELDS,
    }),
    client.deliveryHistogram.groupBy({
      by: ["day", "mode", "environment", "metric", "bucket"],
      orderBy: [...ORDER, { metric: "asc" }, { bucket: "asc" }],
      _sum: { count: true },
    }),
  ]);
  return {
    stored: { rollups: stored, histogram: storedHistogram },
    grouped: {
      rollups: grouped.map(({ _sum, ...key }) => ({
        ...key,
        ...Object.fromEntries(Object.entries(_sum).map(([k, v]) => [k, v ?? 0])),
      })),
      histogram: groupedHistogram.map(({ _sum, ...key }) => ({ ...key, count: _sum.count ?? 0 })),
    },
  };
}

/** Asserts that the fleet rows are the GROUP BY of the per-target rows; returns the fleet rows. */
export async function expectFleetOfTargets(client: Db) {
  const { stored, grouped } = await fleetLevels(client);
  expect(stored).toEqual(grouped);
  return stored;
}
