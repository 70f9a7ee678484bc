import "server-only";
import { Registry } from "prom-client";
import { DURATION_BUCKET_BOUNDS_MS, DURATION_BUCKET_COUNT } from "@/lib/rollups/buckets";
import { countCredentialStatuses } from "@/lib/credentials/data/count-credential-statuses";
import { ROTATION_STATUSES, type TRotationStatus } from "@/lib/credentials/schemas";
import { db } from "@/lib/db";
import { histogramValues, snapshotMetric, type SnapshotValue } from "@/lib/metrics/format";
import { processMetrics } from "@/lib/metrics/registry";

const BOUNDS_SECONDS = DURATION_BUCKET_BOUNDS_MS.map((ms) => ms / 1000);
const MODES = ["push", "pull"] as const;
const ROLLUP_HISTOGRAMS = [
  {
    metric: "lead-time",
    name: "wharf_lead_time_seconds",
    help: "Lead time from commit (or request, for pasted manifests) to live, of successful deliveries.",
    sum: "leadTimeSumMs",
  },
  {
    metric: "approval-wait",
    name: "wharf_approval_wait_seconds",
    help: "Time deployments waited for people's approvals.",
    sum: "approvalWaitSumMs",
  },
  {
    metric: "restore",
    name: "wharf_time_to_restore_seconds",
    help: "Time from the first failure to the next success on the same target (push) or repository (pull).",
    sum: "restoreSumMs",
  },
] as const;

/**
 * Everything `GET /api/metrics` shows: figures read from the database at scrape time (the same in every dashboard
 * process; counters are totals over the delivery rollups, so they only go down when rollups are rebuilt) and the
 * process's own metrics. Returns the Prometheus text exposition and its content type.
 */
export async function renderMetrics(now: Date = new Date()): Promise<{ text: string; contentType: string }> {
  const [deploymentsPush, deploymentsPull, queued, rollups, histogram, credentials, statusCounts, agents] =
    await Promise.all([
      db().deployment.groupBy({ by: ["state"], where: { target: { mode: "push" } }, _count: { _all: true } }),
      db().deployment.groupBy({ by: ["state"], where: { target: { mode: "pull" } }, _count: { _all: true } }),
      db().deployment.count({ where: { state: "queued" } }),
      // The fleet rollups: totals per mode over a few rows per day, not every target's.
      db().fleetDeliveryRollup.groupBy({
        by: ["mode"],
        _sum: {
          succeeded: true,
          failures: true,
          driftDetected: true,
          driftCorrected: true,
          leadTimeSumMs: true,
          approvalWaitSumMs: true,
          restoreSumMs: true,
        },
      }),
      db().fleetDeliveryHistogram.groupBy({ by: ["mode", "metric", "bucket"], _sum: { count: true } }),
      // The age gauge has one series per credential, so it reads each active one — but only the four columns it shows,
      // from the credential row alone (the target's name and environment are copied onto it); statuses are the
      // indexed counts.
      db().credential.findMany({
        where: { state: "active" },
        select: { kind: true, lastRotatedAt: true, targetName: true, targetEnvironment: true },
        orderBy: [{ targetName: "asc" }, { id: "asc" }],
      }),
      countCredentialStatuses({ now }),
      db().agent.findMany({
        where: { revokedAt: null, enrolledAt: { not: null } },
        select: { name: true, lastSeenAt: true },
      }),
    ]);

  const deploymentValues: SnapshotValue[] = [
    ...deploymentsPush.map((g) => ({ labels: { mode: "push", state: g.state }, value: g._count._all })),
    ...deploymentsPull.map((g) => ({ labels: { mode: "pull", state: g.state }, value: g._count._all })),
  ];
  const sums = (mode: string) => rollups.find((r) => r.mode === mode)?._sum;

  const ageValues: SnapshotValue[] = credentials.map((c) => ({
    labels: { target: c.targetName ?? "", environment: c.targetEnvironment ?? "", kind: c.kind },
    value: Math.max(0, (now.getTime() - c.lastRotatedAt.getTime()) / 1000),
  }));
  const byStatus: Record<TRotationStatus, number> = {
    ok: statusCounts.ok,
    "due-soon": statusCounts.dueSoon,
    "rotation-failed": statusCounts.rotationFailed,
    overdue: statusCounts.overdue,
    expired: statusCounts.expired,
  };

  const snapshot = new Registry();
  const register = (m: ReturnType<typeof snapshotMetric>) => snapshot.registerMetric(m);
  register(
    snapshotMetric(
      "wharf_deployments",
      "Deployments (push requests and pull approvals) by current state and target mode.",
      "gauge",
      deploymentValues,
    ),
  );
  register(
    snapshotMetric("wharf_executor_queue_depth", "Deployments queued for the push executor.", "gauge", [
      { value: queued },
    ]),
  );
  register(
    snapshotMetric(
      "wharf_deliveries_total",
      "Finished deliveries: push deployments and pull syncs, by mode and result (from the delivery rollups).",
      "counter",
      MODES.flatMap((mode) => [
        { labels: { mode, result: "succeeded" }, value: sums(mode)?.succeeded ?? 0 },
        { labels: { mode, result: "failed" }, value: sums(mode)?.failures ?? 0 },
      ]),
    ),
  );
  register(
    snapshotMetric(
      "wharf_drift_events_total",
      "Drift found between clusters and what was applied, per mode: detected (pull: by the agent; push: by status reads, once per change) and corrected (re-applied by self-heal; push has none).",
      "counter",
      MODES.flatMap((mode) => [
        { labels: { mode, kind: "detected" }, value: sums(mode)?.driftDetected ?? 0 },
        { labels: { mode, kind: "corrected" }, value: sums(mode)?.driftCorrected ?? 0 },
      ]),
    ),
  );
  // From the rollups, not a count over every sync event: a scrape must stay cheap at millions of events.
  const pull = sums("pull");
  register(
    snapshotMetric(
      "wharf_sync_events_total",
      "Sync events reported by pull agents, by result (pending-approval ones are in wharf_deployments).",
      "counter",
      [
        { labels: { result: "synced" }, value: pull?.succeeded ?? 0 },
        { labels: { result: "failed" }, value: pull?.failures ?? 0 },
        { labels: { result: "drift-detected" }, value: pull?.driftDetected ?? 0 },
        { labels: { result: "drift-corrected" }, value: pull?.driftCorrected ?? 0 },
      ],
    ),
  );
  for (const h of ROLLUP_HISTOGRAMS) {
    register(
      snapshotMetric(
        h.name,
        h.help,
        "histogram",
        histogramValues(
          h.name,
          MODES.map((mode) => {
            const counts = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
            for (const row of histogram)
              if (row.mode === mode && row.metric === h.metric && row.bucket >= 0 && row.bucket < counts.length)
                counts[row.bucket] = row._sum.count ?? 0;
            // The open-ended bucket is only in +Inf: the fixed bounds are the `le` values.
            return {
              labels: { mode },
              bucketsUpperSeconds: BOUNDS_SECONDS,
              counts,
              sumSeconds: (sums(mode)?.[h.sum] ?? 0) / 1000,
            };
          }),
        ),
      ),
    );
  }
  register(
    snapshotMetric(
      "wharf_credential_age_seconds",
      "Age of each active cluster credential Wharf holds (since stored or last rotated).",
      "gauge",
      ageValues,
    ),
  );
  register(
    snapshotMetric(
      "wharf_credentials",
      "Active cluster credentials by rotation status.",
      "gauge",
      ROTATION_STATUSES.map((status) => ({ labels: { status }, value: byStatus[status] })),
    ),
  );
  register(
    snapshotMetric(
      "wharf_credentials_overdue",
      "Active cluster credentials past their policy's maximum age or their own expiry.",
      "gauge",
      [{ value: statusCounts.overdue + statusCounts.expired }],
    ),
  );
  register(
    snapshotMetric(
      "wharf_agent_last_seen_seconds",
      "Seconds since each enrolled pull agent was last heard from.",
      "gauge",
      agents
        .filter((a) => a.lastSeenAt)
        .map((a) => ({
          labels: { agent: a.name },
          value: Math.max(0, (now.getTime() - a.lastSeenAt!.getTime()) / 1000),
        })),
    ),
  );
  register(
    snapshotMetric("wharf_agents_never_seen", "Enrolled pull agents that never reported.", "gauge", [
      { value: agents.filter((a) => !a.lastSeenAt).length },
    ]),
  );

  const merged = Registry.merge([snapshot, processMetrics().registry]);
  return { text: await merged.metrics(), contentType: merged.contentType };
}
