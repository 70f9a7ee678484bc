import "server-only";
import { HEALTH_CODES, type TRepoState } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { LIVE_APPLICATION } from "@/lib/targets/live";
import { pushResultOf } from "../matrix";
import type { TMatrixResult } from "../matrix-schemas";

type HealthCode = (typeof HEALTH_CODES)[number];

/** The Overview's application figures (issue 15, Must 6): how many there are, and how each mode's are doing. */
export interface ApplicationHealthCounts {
  total: number;
  pull: {
    total: number;
    /** By the health its agent last reported; `notReported`: no live state yet (agent not enrolled, first sync pending). */
    health: Record<HealthCode, number> & { notReported: number };
    /**
     * By its repository's reported state: `outOfSync` is a newer revision not applied yet, drift, or a revision
     * waiting for approval; `failed` is a last sync that failed; `notReported`: no agent has reported it.
     */
    sync: { inSync: number; outOfSync: number; failed: number; notReported: number };
  };
  push: {
    total: number;
    /**
     * By its newest deployment (the last thing that happened to it): `inProgress` approved, queued or running;
     * `ended` rejected, cancelled or superseded (nothing changed in the cluster); `never` no deployment yet.
     */
    lastDeployment: {
      succeeded: number;
      failed: number;
      awaitingApproval: number;
      inProgress: number;
      ended: number;
      never: number;
    };
  };
}

const SYNC_BUCKET: Record<TRepoState, keyof ApplicationHealthCounts["pull"]["sync"]> = {
  "in-sync": "inSync",
  "out-of-sync": "outOfSync",
  drifted: "outOfSync",
  "pending-approval": "outOfSync",
  failed: "failed",
};

const PUSH_BUCKET: Record<TMatrixResult, keyof ApplicationHealthCounts["push"]["lastDeployment"]> = {
  succeeded: "succeeded",
  failed: "failed",
  "awaiting-approval": "awaitingApproval",
  syncing: "inProgress",
  rejected: "ended",
  cancelled: "ended",
  drifted: "inProgress",
  none: "never",
};

const isHealth = (v: string): v is HealthCode => (HEALTH_CODES as readonly string[]).includes(v);

/**
 * Counts every application by mode, pull ones by reported health and sync state, push ones by their newest
 * deployment's state. Four grouped queries whatever the number of applications: the newest deployment per push
 * application is one correlated subquery per application inside a single statement, served by the
 * (applicationId, createdAt) index, so nothing is fetched per application and no id list is bound.
 */
export async function countApplicationHealth(): Promise<ApplicationHealthCounts> {
  const [modes, health, sync, newest] = await Promise.all([
    db().application.groupBy({ by: ["mode"], where: LIVE_APPLICATION, _count: { _all: true } }),
    db().applicationLiveState.groupBy({
      by: ["health"],
      where: { application: { mode: "pull", ...LIVE_APPLICATION } },
      _count: { _all: true },
    }),
    db().repoStatus.groupBy({
      by: ["state"],
      where: { repo: { application: { mode: "pull", ...LIVE_APPLICATION } } },
      _count: { _all: true },
    }),
    db().$queryRaw<{ state: string; n: number | bigint | string }[]>`
      SELECT "d"."state" AS "state", COUNT(*) AS "n"
      FROM "Application" AS "a"
      JOIN "Deployment" AS "d" ON "d"."id" = (
        SELECT "x"."id" FROM "Deployment" AS "x"
        WHERE "x"."applicationId" = "a"."id"
        ORDER BY "x"."createdAt" DESC, "x"."id" DESC
        LIMIT 1
      )
      WHERE "a"."mode" = 'push' AND "a"."archivedAt" IS NULL
      GROUP BY "d"."state"`,
  ]);

  const counts: ApplicationHealthCounts = {
    total: 0,
    pull: {
      total: 0,
      health: {
        Healthy: 0,
        Progressing: 0,
        Degraded: 0,
        Suspended: 0,
        Missing: 0,
        Unknown: 0,
        notReported: 0,
      },
      sync: { inSync: 0, outOfSync: 0, failed: 0, notReported: 0 },
    },
    push: {
      total: 0,
      lastDeployment: { succeeded: 0, failed: 0, awaitingApproval: 0, inProgress: 0, ended: 0, never: 0 },
    },
  };
  for (const m of modes) {
    counts.total += m._count._all;
    if (m.mode === "push" || m.mode === "pull") counts[m.mode].total += m._count._all;
  }

  let reportedHealth = 0;
  for (const h of health) {
    // A code this build does not know (a newer agent) is still an answer that needs a look: Unknown.
    counts.pull.health[isHealth(h.health) ? h.health : "Unknown"] += h._count._all;
    reportedHealth += h._count._all;
  }
  counts.pull.health.notReported = Math.max(0, counts.pull.total - reportedHealth);

  let reportedSync = 0;
  for (const s of sync) {
    counts.pull.sync[SYNC_BUCKET[s.state as TRepoState] ?? "outOfSync"] += s._count._all;
    reportedSync += s._count._all;
  }
  counts.pull.sync.notReported = Math.max(0, counts.pull.total - reportedSync);

  let deployed = 0;
  for (const r of newest) {
    const n = Number(r.n);
    counts.push.lastDeployment[PUSH_BUCKET[pushResultOf(r.state)]] += n;
    deployed += n;
  }
  counts.push.lastDeployment.never = Math.max(0, counts.push.total - deployed);
  return counts;
}
