import { pushDriftSearch, type TPushDriftFilter } from "@/lib/applications/drift-schemas";
import { deploymentListParams } from "@/lib/deployments/query";
import { DEPLOYMENT_LIST_LIMIT_DEFAULT, type TDeploymentListFilter } from "@/lib/deployments/schemas";
import { normalizeSyncFilter } from "@/lib/sync/query";
import { SYNC_LIST_LIMIT_DEFAULT, type TSyncEventFilter } from "@/lib/sync/schemas";
import type { TMode } from "./figures";

/**
 * Links from the comparison's figures to the list rows they were computed from. Each delivery figure names the
 * rows with the same rules as lib/rollups/contributions.ts and lib/rollups/data/record-delivery-outcome.ts — the same instant (a delivery counts
 * when it finished or the sync happened, an approval wait when it was approved), the same half-open range
 * [from, to), the target's environment and mode, and the same result conditions — so the list behind a link holds
 * exactly as many rows as the figure counts (tests/integration/compare-figure-links.test.ts). Plain functions,
 * importable from client components (charts link a bar or a day with `dayScope`).
 */

/** What a figure was computed over: exact instants (ISO strings), optional environment and target. */
export interface FigureScope {
  /** Inclusive start, ISO 8601 (the range's first UTC midnight). */
  from: string;
  /** Exclusive end, ISO 8601. */
  to: string;
  environment: string | null;
  targetId?: string | undefined;
}

/** The delivery figures of one mode that are counts of rows (the durations are computed over these rows too). */
export const DELIVERY_FIGURES = [
  "deliveries",
  "failures",
  "lead-time",
  "restore",
  "approval-wait",
  "drift-detected",
  "drift-corrected",
] as const;
export type TDeliveryFigure = (typeof DELIVERY_FIGURES)[number];

type DeploymentsLink = Omit<TDeploymentListFilter, "limit"> & { limit?: number };
type SyncLink = Omit<TSyncEventFilter, "limit"> & { limit?: number };

/** `/deployments?…` for a list filter; the query string is also the `GET /api/deployments` query for the same rows. */
export function deploymentsHref(filter: DeploymentsLink): string {
  const qs = deploymentListParams(
    { ...filter, limit: filter.limit ?? DEPLOYMENT_LIST_LIMIT_DEFAULT },
    { withLimit: false },
  ).toString();
  return qs ? `/deployments?${qs}` : "/deployments";
}

/** `/sync?…` for a sync-history filter; the query string is also the `GET /api/sync-events` query for the same rows. */
export function syncHref(filter: SyncLink): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(
    normalizeSyncFilter({ ...filter, limit: filter.limit ?? SYNC_LIST_LIMIT_DEFAULT }),
  )) {
    if (k === "limit" && v === SYNC_LIST_LIMIT_DEFAULT) continue;
    params.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  const qs = params.toString();
  return qs ? `/sync?${qs}` : "/sync";
}

/**
 * `/applications/drift?…` for a push drift filter; the query string is also the `GET /api/applications/drift` query
 * for the same rows.
 */
export function pushDriftHref(filter: TPushDriftFilter): string {
  const qs = pushDriftSearch(filter);
  return qs ? `/applications/drift?${qs}` : "/applications/drift";
}

const DAY_MS = 86_400_000;

/**
 * The scope of one UTC day of the range (`YYYY-MM-DD`), for a chart's bar or point: [day, day + 1) clipped to the
 * range, so the day's link lists exactly the rows of the day's count.
 */
export function dayScope(scope: FigureScope, day: string): FigureScope {
  const start = Date.parse(`${day}T00:00:00Z`);
  const from = Math.max(start, Date.parse(scope.from));
  const to = Math.min(start + DAY_MS, Date.parse(scope.to));
  return { ...scope, from: new Date(from).toISOString(), to: new Date(Math.max(from, to)).toISOString() };
}

/**
 * The list behind a delivery figure of a mode, or null when it counts no rows (push drift corrected: push has no
 * self-heal, the figure is always 0).
 * - push deliveries are deployments that finished `succeeded` or `failed` in the range (by finish time); failures,
 *   lead time (every success is measured) and time to restore (successes that ended an outage) narrow that;
 * - pull deliveries are sync events `synced` or `failed` in the range (by occurrence); lead time counts `synced` ones
 *   with a known commit time, time to restore the healthy ones that ended a run of failures;
 * - push drift detected: the drift events push status reads recorded in the range (by occurrence, environment as
 *   stored with the event), counted as pull's `drift-detected` events are;
 * - approval wait, both modes: deployments approved in the range after people approved them (pull: revisions).
 */
export function deliveryFigureHref(mode: TMode, figure: TDeliveryFigure, scope: FigureScope): string | null {
  const where = {
    targetId: scope.targetId,
    environment: scope.environment ?? undefined,
    from: scope.from,
    to: scope.to,
  };
  if (figure === "approval-wait")
    return deploymentsHref({ ...where, mode, timeField: "approved", waitedForApproval: true });
  if (mode === "push") {
    const finished = { ...where, mode, timeField: "finished" } as const;
    switch (figure) {
      case "deliveries":
        return deploymentsHref({ ...finished, state: ["succeeded", "failed"] });
      case "failures":
        return deploymentsHref({ ...finished, state: ["failed"] });
      case "lead-time":
        return deploymentsHref({ ...finished, state: ["succeeded"] });
      case "restore":
        return deploymentsHref({ ...finished, state: ["succeeded"], recovery: true });
      case "drift-detected":
        return pushDriftHref(where);
      default:
        return null;
    }
  }
  switch (figure) {
    case "deliveries":
      return syncHref({ ...where, result: ["synced", "failed"] });
    case "failures":
      return syncHref({ ...where, result: ["failed"] });
    case "lead-time":
      return syncHref({ ...where, result: ["synced"], withCommitTime: true });
    case "restore":
      return syncHref({ ...where, recovery: true });
    case "drift-detected":
      // A self-healed drift is reported once, as corrected: it was detected too.
      return syncHref({ ...where, result: ["drift-detected", "drift-corrected"] });
    case "drift-corrected":
      return syncHref({ ...where, result: ["drift-corrected"] });
  }
}
