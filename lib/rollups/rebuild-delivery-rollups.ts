import { randomUUID } from "node:crypto";
import { DAY_MS } from "@/lib/credentials/status";
import type { Db, Tx } from "@/lib/db/client";
import type { DatabaseKind } from "@/lib/db/url";
import {
  approvalDelta,
  deploymentFinishDelta,
  histogramIncrements,
  isEmptyDelta,
  leadTimeCommitAt,
  PULL_HEALTHY_RESULTS,
  pushDriftDelta,
  syncDelta,
  utcDay,
  type RollupDelta,
} from "./contributions";
import { zeroRollupSums, type RollupSums } from "./sums";

// Not a `data/` module on purpose: the migration runner (lib/db/migrate.ts, plain Node, no `server-only`) rebuilds
// with the same code as `npm run wharf -- rollups` and `seed:scale`, so every caller hands in its own client.

/** Rows per keyset page read from Deployment and SyncEvent. */
const READ_PAGE = 5000;
/** Lines (targets, repositories) whose state before the window one statement reads. */
const LINES_PER_QUERY = 500;
/** Rows per multi-row UPDATE (two bound values each) and the bound values per multi-row INSERT. */
const ROWS_PER_UPDATE = 1000;
const VALUES_PER_INSERT = 20_000;
/**
 * Days rebuilt per transaction: bounds memory (the sums of one slice) and each transaction's size, while every day
 * is still replaced atomically. Line states carry over from slice to slice, so the result does not depend on it.
 */
const SLICE_DAYS = 31;

const PUSH_LINE = `"sourceKind" <> 'pull-revision'`;
const HEALTHY = (PULL_HEALTHY_RESULTS as readonly string[]).map((r) => `'${r}'`).join(", ");

interface TargetFacts {
  mode: string;
  environment: string;
}

/**
 * Where each line (a push target; a pull repository) stands while the walk moves forward in time: the start of its
 * open run of failures, or null when its last outcome was healthy. Absent until the line is first met.
 */
interface LineStates {
  push: Map<string, Date | null>;
  pull: Map<string, Date | null>;
}

export interface RebuildRollupsOptions {
  from: Date;
  to: Date;
  dialect: DatabaseKind;
  /** Days per transaction (tests use small slices to cross slice boundaries). */
  sliceDays?: number;
  /** Progress, one line per slice. */
  log?: (line: string) => void;
}

export interface RebuildRollupsResult {
  /** Whole UTC days rebuilt. */
  days: number;
  /** DeliveryRollup rows written. */
  rows: number;
  histogramRows: number;
  /** FleetDeliveryRollup and FleetDeliveryHistogram rows written. */
  fleetRows: number;
  fleetHistogramRows: number;
  /** Recovery marks (`outageStartedAt`) set or cleared on deployments and sync events. */
  marks: number;
  /**
   * Sync events whose `committedAt` was filled from `details` (events stored before the column existed) or cleared
   * (a commit made before its repository was registered, which lead time does not count).
   */
  committedAt: number;
}

/** The commit time stored in a sync event's details (`committedAt`), if any. */
export function committedAtOfDetails(details: string): Date | null {
  try {
    const parsed = JSON.parse(details) as { committedAt?: unknown };
    if (typeof parsed.committedAt !== "string") return null;
    const at = new Date(parsed.committedAt);
    return Number.isNaN(at.getTime()) ? null : at;
  } catch {
    return null;
  }
}

/**
 * Recomputes the rollups of whole UTC days [from, to) from deployments, sync events and push drift events: per slice
 * of days, reads the sources in keyset pages, sums in memory, then in one transaction deletes the slice's rollup and
 * histogram rows, inserts the sums with multi-row INSERTs, sums those into the slice's fleet rows (per day, mode and
 * environment: rollUpFleet) and brings the row marks in line — the recovery marks (`outageStartedAt`, set or cleared only where
 * they differ) and `SyncEvent.committedAt` (filled for events stored before that column existed, cleared where the
 * commit predates its repository's registration).
 * Time to restore keeps a state per line while it walks in time order; a line's state before the window is read
 * for many lines per statement, when the walk first meets them. The same rules as the incremental path
 * (lib/rollups/contributions.ts); tests check that the two agree.
 */
export async function rebuildDeliveryRollups(client: Db, opts: RebuildRollupsOptions): Promise<RebuildRollupsResult> {
  const from = utcDay(opts.from);
  const lastDay = utcDay(new Date(opts.to.getTime() - 1));
  const to = new Date(Math.max(lastDay.getTime() + DAY_MS, from.getTime() + DAY_MS));
  const sliceMs = Math.max(1, Math.floor(opts.sliceDays ?? SLICE_DAYS)) * DAY_MS;
  const targets = new Map<string, TargetFacts>(
    (await client.target.findMany({ select: { id: true, mode: true, environment: true } })).map((t) => [
      t.id,
      { mode: t.mode, environment: t.environment },
    ]),
  );
  const lines: LineStates = { push: new Map(), pull: new Map() };
  const total: RebuildRollupsResult = {
    days: Math.round((to.getTime() - from.getTime()) / DAY_MS),
    rows: 0,
    histogramRows: 0,
    fleetRows: 0,
    fleetHistogramRows: 0,
    marks: 0,
    committedAt: 0,
  };
  for (let start = from.getTime(); start < to.getTime(); start += sliceMs) {
    const slice = { from: new Date(start), to: new Date(Math.min(start + sliceMs, to.getTime())) };
    const r = await rebuildSlice(client, opts.dialect, slice, targets, lines);
    total.rows += r.rows;
    total.histogramRows += r.histogramRows;
    total.fleetRows += r.fleetRows;
    total.fleetHistogramRows += r.fleetHistogramRows;
    total.marks += r.marks;
    total.committedAt += r.committedAt;
    opts.log?.(
      `${isoDay(slice.from)}..${isoDay(new Date(slice.to.getTime() - DAY_MS))}: ${r.deployments} deployments, ${r.syncEvents} sync events, ${r.pushDrift} push drift events → ` +
        `${r.rows} rollup rows, ${r.histogramRows} histogram rows (fleet: ${r.fleetRows}, ${r.fleetHistogramRows}), ${r.marks} recovery marks, ${r.committedAt} commit times ` +
        `(read ${(r.readMs / 1000).toFixed(1)} s, write ${(r.writeMs / 1000).toFixed(1)} s)`,
    );
  }
  return total;
}

/**
 * The days that hold delivery outcomes (finished push deployments, approvals, sync events, push drift) as [from, to), or null
 * when there are none: a rebuild of the whole history, as an upgrade needs it. Min/max come from the time indexes.
 */
export async function deliveryHistorySpan(client: Db): Promise<{ from: Date; to: Date } | null> {
  const [finished, approved, synced, drifted] = await Promise.all([
    client.deployment.aggregate({ _min: { finishedAt: true }, _max: { finishedAt: true } }),
    client.deployment.aggregate({ _min: { approvedAt: true }, _max: { approvedAt: true } }),
    client.syncEvent.aggregate({ _min: { occurredAt: true }, _max: { occurredAt: true } }),
    client.pushDriftEvent.aggregate({ _min: { occurredAt: true }, _max: { occurredAt: true } }),
  ]);
  const instants = [
    finished._min.finishedAt,
    finished._max.finishedAt,
    approved._min.approvedAt,
    approved._max.approvedAt,
    synced._min.occurredAt,
    synced._max.occurredAt,
    drifted._min.occurredAt,
    drifted._max.occurredAt,
  ]
    .filter((d): d is Date => d instanceof Date)
    .map((d) => d.getTime());
  if (!instants.length) return null;
  return {
    from: utcDay(new Date(Math.min(...instants))),
    to: new Date(utcDay(new Date(Math.max(...instants))).getTime() + DAY_MS),
  };
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** One (day, target) rollup row being rebuilt: the target's facts and the summed figures. */
interface TargetRollupRow extends RollupSums {
  day: Date;
  targetId: string;
  target: TargetFacts;
}

interface Mark {
  id: string;
  at: Date | null;
}

const sameInstant = (a: Date | null, b: Date | null) =>
  a === null || b === null ? a === b : a.getTime() === b.getTime();

type HistogramSum = { day: Date; targetId: string; target: TargetFacts; metric: string; bucket: number; count: number };

/** The sums of one slice, per (day, target) and per histogram bucket, as the walk adds each outcome's delta. */
class SliceSums {
  readonly rollups = new Map<string, TargetRollupRow>();
  readonly histogram = new Map<string, HistogramSum>();
  constructor(private readonly targets: Map<string, TargetFacts>) {}

  add(targetId: string, delta: RollupDelta | null): void {
    if (!delta || isEmptyDelta(delta)) return;
    const target = this.targets.get(targetId);
    if (!target) return;
    const key = `${delta.day.getTime()}|${targetId}`;
    let s = this.rollups.get(key);
    if (!s) {
      s = {
        day: delta.day,
        targetId,
        target,
        ...zeroRollupSums(),
      };
      this.rollups.set(key, s);
    }
    s.deployments += delta.deployments;
    s.succeeded += delta.succeeded;
    s.failures += delta.failures;
    s.driftDetected += delta.driftDetected;
    s.driftCorrected += delta.driftCorrected;
    if (delta.leadTimeMs !== null) {
      s.leadTimeCount++;
      s.leadTimeSumMs += delta.leadTimeMs;
    }
    if (delta.approvalWaitMs !== null) {
      s.approvalWaitCount++;
      s.approvalWaitSumMs += delta.approvalWaitMs;
    }
    if (delta.restoreMs !== null) {
      s.restoreCount++;
      s.restoreSumMs += delta.restoreMs;
    }
    for (const h of histogramIncrements(delta)) {
      const hk = `${key}|${h.metric}|${h.bucket}`;
      const row = this.histogram.get(hk);
      if (row) row.count++;
      else this.histogram.set(hk, { day: delta.day, targetId, target, metric: h.metric, bucket: h.bucket, count: 1 });
    }
  }
}

/**
 * Rebuilds one slice of days: reads the sources in time order (push deliveries, approval waits, pull deliveries and
 * drift) into sums and row marks, then writes them in one transaction.
 */
async function rebuildSlice(
  client: Db,
  dialect: DatabaseKind,
  slice: { from: Date; to: Date },
  targets: Map<string, TargetFacts>,
  lines: LineStates,
) {
  const started = performance.now();
  const sums = new SliceSums(targets);
  const push = await readPushDeliveries(client, dialect, slice, lines, sums);
  await readApprovalWaits(client, slice, sums);
  const pull = await readSyncEvents(client, dialect, slice, lines, sums);
  const pushDrift = await readPushDrift(client, slice, sums);
  const readMs = performance.now() - started;
  const { rollupRows, histogramRows } = sliceRows(sums, new Date());
  const fleet = await writeSlice(client, dialect, slice, rollupRows, histogramRows, {
    deployments: push.marks,
    syncEvents: pull.marks,
    committedAt: pull.committedBackfill,
  });
  return {
    readMs,
    writeMs: performance.now() - started - readMs,
    deployments: push.count,
    syncEvents: pull.count,
    pushDrift,
    rows: rollupRows.length,
    histogramRows: histogramRows.length,
    fleetRows: fleet.rows,
    fleetHistogramRows: fleet.histogramRows,
    marks: push.marks.length + pull.marks.length,
    committedAt: pull.committedBackfill.length,
  };
}

/**
 * Push deliveries, in finish order, with the restore state per target: their sums, and the recovery marks that
 * differ from what the rows hold.
 */
async function readPushDeliveries(
  client: Db,
  dialect: DatabaseKind,
  slice: { from: Date; to: Date },
  lines: LineStates,
  sums: SliceSums,
): Promise<{ marks: Mark[]; count: number }> {
  const marks: Mark[] = [];
  let count = 0;
  let after: { finishedAt: Date; id: string } | null = null;
  for (;;) {
    const page: {
      id: string;
      targetId: string;
      state: string;
      createdAt: Date;
      finishedAt: Date | null;
      commitAt: Date | null;
      outageStartedAt: Date | null;
    }[] = await client.deployment.findMany({
      where: {
        state: { in: ["succeeded", "failed"] },
        sourceKind: { not: "pull-revision" },
        // The lower bound at the cursor lets the (finishedAt, id) index seek there; the OR alone is only a filter,
        // and every page would walk the window from its start again.
        finishedAt: { gte: after?.finishedAt ?? slice.from, lt: slice.to },
        ...(after
          ? { OR: [{ finishedAt: { gt: after.finishedAt } }, { finishedAt: after.finishedAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ finishedAt: "asc" }, { id: "asc" }],
      take: READ_PAGE,
      select: {
        id: true,
        targetId: true,
        state: true,
        createdAt: true,
        finishedAt: true,
        commitAt: true,
        outageStartedAt: true,
      },
    });
    await loadOutagesBefore(
      client,
      dialect,
      "push",
      unknownLines(
        page.map((d) => d.targetId),
        lines.push,
      ),
      slice.from,
      lines.push,
    );
    for (const d of page) {
      const finishedAt = d.finishedAt!;
      let restoreFrom: Date | null = null;
      if (d.state === "failed") {
        if (!lines.push.get(d.targetId)) lines.push.set(d.targetId, finishedAt);
      } else {
        restoreFrom = lines.push.get(d.targetId) ?? null;
        lines.push.set(d.targetId, null);
      }
      if (!sameInstant(restoreFrom, d.outageStartedAt)) marks.push({ id: d.id, at: restoreFrom });
      sums.add(
        d.targetId,
        deploymentFinishDelta({
          state: d.state as "succeeded" | "failed",
          finishedAt,
          createdAt: d.createdAt,
          commitAt: d.commitAt,
          restoreFrom,
        }),
      );
    }
    count += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < READ_PAGE) break;
    after = { finishedAt: last.finishedAt!, id: last.id };
  }

  return { marks, count };
}

/** Approval waits, on the day of the approval. */
async function readApprovalWaits(client: Db, slice: { from: Date; to: Date }, sums: SliceSums): Promise<void> {
  let approvedAfter: { approvedAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; targetId: string; createdAt: Date; approvedAt: Date | null }[] =
      await client.deployment.findMany({
        where: {
          approvedAt: { gte: approvedAfter?.approvedAt ?? slice.from, lt: slice.to },
          approvals: { some: { decision: "approved" } },
          ...(approvedAfter
            ? {
                OR: [
                  { approvedAt: { gt: approvedAfter.approvedAt } },
                  { approvedAt: approvedAfter.approvedAt, id: { gt: approvedAfter.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ approvedAt: "asc" }, { id: "asc" }],
        take: READ_PAGE,
        select: { id: true, targetId: true, createdAt: true, approvedAt: true },
      });
    for (const d of page) sums.add(d.targetId, approvalDelta({ createdAt: d.createdAt, approvedAt: d.approvedAt! }));
    const last = page[page.length - 1];
    if (!last || page.length < READ_PAGE) break;
    approvedAfter = { approvedAt: last.approvedAt!, id: last.id };
  }
}

/**
 * Pull deliveries and drift, in time order, with the restore state per repository: their sums, the recovery marks
 * that differ and the commit times to fill in.
 */
async function readSyncEvents(
  client: Db,
  dialect: DatabaseKind,
  slice: { from: Date; to: Date },
  lines: LineStates,
  sums: SliceSums,
): Promise<{ marks: Mark[]; committedBackfill: Mark[]; count: number }> {
  const marks: Mark[] = [];
  /** Events stored before `SyncEvent.committedAt` existed: the commit time is only in `details`. */
  const committedBackfill: Mark[] = [];
  const registeredAtOf = new Map<string, Date | null>();
  let count = 0;
  let syncAfter: { occurredAt: Date; id: string } | null = null;
  for (;;) {
    const page: {
      id: string;
      targetId: string;
      repoId: string;
      occurredAt: Date;
      result: string;
      committedAt: Date | null;
      outageStartedAt: Date | null;
    }[] = await client.syncEvent.findMany({
      where: {
        occurredAt: { gte: syncAfter?.occurredAt ?? slice.from, lt: slice.to },
        ...(syncAfter
          ? {
              OR: [
                { occurredAt: { gt: syncAfter.occurredAt } },
                { occurredAt: syncAfter.occurredAt, id: { gt: syncAfter.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
      take: READ_PAGE,
      select: {
        id: true,
        targetId: true,
        repoId: true,
        occurredAt: true,
        result: true,
        committedAt: true,
        outageStartedAt: true,
      },
    });
    await loadOutagesBefore(
      client,
      dialect,
      "pull",
      unknownLines(
        page.map((e) => e.repoId),
        lines.pull,
      ),
      slice.from,
      lines.pull,
    );
    // Lead time counts only commits made once the repository was registered (leadTimeCommitAt).
    const unknownRepos = [...new Set(page.map((e) => e.repoId))].filter((id) => !registeredAtOf.has(id));
    if (unknownRepos.length) {
      const found = await client.pullRepo.findMany({
        where: { id: { in: unknownRepos } },
        select: { id: true, createdAt: true },
      });
      for (const id of unknownRepos) registeredAtOf.set(id, null);
      for (const r of found) registeredAtOf.set(r.id, r.createdAt);
    }
    // `details` can be large (diffs, drift reports): read only where the commit time is not in its column.
    const withoutCommitTime = page.filter((e) => e.result === "synced" && !e.committedAt).map((e) => e.id);
    const details = new Map(
      withoutCommitTime.length
        ? (
            await client.syncEvent.findMany({
              where: { id: { in: withoutCommitTime } },
              select: { id: true, details: true },
            })
          ).map((e) => [e.id, e.details])
        : [],
    );
    for (const e of page) {
      let restoreFrom: Date | null = null;
      if (e.result === "failed") {
        if (!lines.pull.get(e.repoId)) lines.pull.set(e.repoId, e.occurredAt);
      } else if ((PULL_HEALTHY_RESULTS as readonly string[]).includes(e.result)) {
        restoreFrom = lines.pull.get(e.repoId) ?? null;
        lines.pull.set(e.repoId, null);
      }
      if (!sameInstant(restoreFrom, e.outageStartedAt)) marks.push({ id: e.id, at: restoreFrom });
      let committedAt: Date | null = null;
      if (e.result === "synced") {
        committedAt = leadTimeCommitAt(
          e.committedAt ?? committedAtOfDetails(details.get(e.id) ?? "{}"),
          registeredAtOf.get(e.repoId) ?? null,
        );
        // Filled in (events stored before the column existed) or cleared (a commit older than its repository).
        if (!sameInstant(committedAt, e.committedAt)) committedBackfill.push({ id: e.id, at: committedAt });
      }
      sums.add(e.targetId, syncDelta({ result: e.result, occurredAt: e.occurredAt, committedAt, restoreFrom }));
    }
    count += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < READ_PAGE) break;
    syncAfter = { occurredAt: last.occurredAt, id: last.id };
  }

  return { marks, committedBackfill, count };
}

/** Push drift events of the slice (pushDriftDelta: each one drift detected), in keyset pages; returns how many. */
async function readPushDrift(client: Db, slice: { from: Date; to: Date }, sums: SliceSums): Promise<number> {
  let count = 0;
  let after: { occurredAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; targetId: string; occurredAt: Date }[] = await client.pushDriftEvent.findMany({
      where: {
        occurredAt: { gte: after?.occurredAt ?? slice.from, lt: slice.to },
        ...(after
          ? { OR: [{ occurredAt: { gt: after.occurredAt } }, { occurredAt: after.occurredAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
      take: READ_PAGE,
      select: { id: true, targetId: true, occurredAt: true },
    });
    for (const e of page) sums.add(e.targetId, pushDriftDelta(e));
    count += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < READ_PAGE) return count;
    after = { occurredAt: last.occurredAt, id: last.id };
  }
}

/** The slice's sums as DeliveryRollup and DeliveryHistogram rows. */
function sliceRows(sums: SliceSums, now: Date) {
  const rollupRows = [...sums.rollups.values()].map((s) => ({
    id: randomUUID(),
    day: s.day,
    targetId: s.targetId,
    mode: s.target.mode,
    environment: s.target.environment,
    deployments: s.deployments,
    succeeded: s.succeeded,
    failures: s.failures,
    leadTimeCount: s.leadTimeCount,
    leadTimeSumMs: s.leadTimeSumMs,
    approvalWaitCount: s.approvalWaitCount,
    approvalWaitSumMs: s.approvalWaitSumMs,
    restoreCount: s.restoreCount,
    restoreSumMs: s.restoreSumMs,
    driftDetected: s.driftDetected,
    driftCorrected: s.driftCorrected,
    updatedAt: now,
  }));
  const histogramRows = [...sums.histogram.values()].map((h) => ({
    id: randomUUID(),
    day: h.day,
    targetId: h.targetId,
    mode: h.target.mode,
    environment: h.target.environment,
    metric: h.metric,
    bucket: h.bucket,
    count: h.count,
  }));
  return { rollupRows, histogramRows };
}

/**
 * In one transaction: replaces the slice's rollup and histogram rows, sums them into the fleet rows and brings the
 * row marks in line. Returns the fleet rows written.
 */
async function writeSlice(
  client: Db,
  dialect: DatabaseKind,
  slice: { from: Date; to: Date },
  rollupRows: ReturnType<typeof sliceRows>["rollupRows"],
  histogramRows: ReturnType<typeof sliceRows>["histogramRows"],
  marks: { deployments: Mark[]; syncEvents: Mark[]; committedAt: Mark[] },
): Promise<{ rows: number; histogramRows: number }> {
  let fleet = { rows: 0, histogramRows: 0 };
  await client.$transaction(
    async (tx) => {
      const day = { gte: slice.from, lt: slice.to };
      await tx.deliveryHistogram.deleteMany({ where: { day } });
      await tx.deliveryRollup.deleteMany({ where: { day } });
      await insertRows(tx, dialect, "DeliveryRollup", rollupRows);
      await insertRows(tx, dialect, "DeliveryHistogram", histogramRows);
      fleet = await rollUpFleet(tx, dialect, slice);
      // Rows the walk does not read (not push deliveries) never carry a recovery mark.
      await tx.deployment.updateMany({
        where: {
          finishedAt: day,
          outageStartedAt: { not: null },
          OR: [{ state: { notIn: ["succeeded", "failed"] } }, { sourceKind: "pull-revision" }],
        },
        data: { outageStartedAt: null },
      });
      await setDateColumn(tx, dialect, "Deployment", "outageStartedAt", marks.deployments);
      await setDateColumn(tx, dialect, "SyncEvent", "outageStartedAt", marks.syncEvents);
      await setDateColumn(tx, dialect, "SyncEvent", "committedAt", marks.committedAt);
    },
    { maxWait: 60_000, timeout: 30 * 60_000 },
  );
  return fleet;
}

function unknownLines(ids: string[], states: Map<string, Date | null>): string[] {
  return [...new Set(ids)].filter((id) => !states.has(id));
}

/**
 * Sets each line's state as of `before` (exclusive): the first failure after its last healthy outcome, or null.
 * Two statements per LINES_PER_QUERY lines, each a correlated `ORDER BY … LIMIT 1` per line that the (line, time)
 * index answers from its end, however long the line's history is.
 */
async function loadOutagesBefore(
  client: Db,
  dialect: DatabaseKind,
  kind: "push" | "pull",
  ids: string[],
  before: Date,
  states: Map<string, Date | null>,
): Promise<void> {
  const q =
    kind === "push"
      ? {
          table: "Deployment",
          line: "targetId",
          at: "finishedAt",
          healthy: `"state" = 'succeeded' AND ${PUSH_LINE}`,
          failed: `"state" = 'failed' AND ${PUSH_LINE}`,
        }
      : {
          table: "SyncEvent",
          line: "repoId",
          at: "occurredAt",
          healthy: `"result" IN (${HEALTHY})`,
          failed: `"result" = 'failed'`,
        };
  const sql = new Placeholders(dialect);
  for (let i = 0; i < ids.length; i += LINES_PER_QUERY) {
    const chunk = ids.slice(i, i + LINES_PER_QUERY);
    // Placeholders are numbered in the order they are made, and SQLite binds `?` in text order: make them left to right.
    sql.reset();
    let values = chunk.map((id) => `(${sql.text(id)})`).join(", ");
    const lastHealthy = await client.$queryRawUnsafe<{ line: string; at: Date | string | null }[]>(
      `WITH v(id) AS (VALUES ${values}) SELECT v.id AS "line", (SELECT x."${q.at}" FROM "${q.table}" x WHERE x."${q.line}" = v.id ` +
        `AND ${q.healthy} AND x."${q.at}" < ${sql.date(before)} ORDER BY x."${q.at}" DESC LIMIT 1) AS "at" FROM v`,
      ...sql.params,
    );
    // A failure at the same instant as the last healthy outcome does not start a run (as in the incremental path's
    // lookups, data/rollups.ts): strictly after it.
    sql.reset();
    values = lastHealthy
      .map((r) => `(${sql.text(r.line)}, ${sql.date(r.at === null ? new Date(0) : toDate(r.at))})`)
      .join(", ");
    const firstFailure = await client.$queryRawUnsafe<{ line: string; at: Date | string | null }[]>(
      `WITH v(id, after) AS (VALUES ${values}) SELECT v.id AS "line", (SELECT x."${q.at}" FROM "${q.table}" x WHERE x."${q.line}" = v.id ` +
        `AND ${q.failed} AND x."${q.at}" < ${sql.date(before)} AND x."${q.at}" > v.after ORDER BY x."${q.at}" ASC LIMIT 1) AS "at" FROM v`,
      ...sql.params,
    );
    for (const r of firstFailure) states.set(r.line, r.at === null ? null : toDate(r.at));
  }
}

/** Raw results: PostgreSQL gives timestamps as Dates; SQLite gives expressions' values as the stored ISO text. */
function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

/**
 * Bound values for raw statements, written the way Prisma stores them: DateTime as ISO text with `+00:00` on SQLite
 * (text comparison must see the same format), UTC `timestamp(3)` on PostgreSQL (typed in place, as VALUES lists
 * otherwise default to text).
 */
class Placeholders {
  params: unknown[] = [];
  constructor(private readonly dialect: DatabaseKind) {}
  reset(): void {
    this.params = [];
  }
  private bind(v: unknown): string {
    this.params.push(v);
    return this.dialect === "postgresql" ? `$${this.params.length}` : "?";
  }
  text(v: string): string {
    return this.bind(v);
  }
  date(v: Date | null): string {
    return this.dialect === "postgresql"
      ? `${this.bind(v === null ? null : v.toISOString().replace("Z", ""))}::timestamp(3)`
      : this.bind(v === null ? null : v.toISOString().replace("Z", "+00:00"));
  }
  value(v: unknown): string {
    return v instanceof Date ? this.date(v) : this.bind(v ?? null);
  }
}

/** What DeliveryRollup sums per (day, target), and FleetDeliveryRollup per (day, mode, environment). */
const SUM_COLUMNS = [
  "deployments",
  "succeeded",
  "failures",
  "leadTimeCount",
  "leadTimeSumMs",
  "approvalWaitCount",
  "approvalWaitSumMs",
  "restoreCount",
  "restoreSumMs",
  "driftDetected",
  "driftCorrected",
];

/**
 * Replaces the fleet rows of the days [from, to) with the GROUP BY (day, mode, environment) of their per-target rows,
 * inside the caller's transaction and after it has written those: the fleet level is never summed on its own.
 */
async function rollUpFleet(
  tx: Tx,
  dialect: DatabaseKind,
  days: { from: Date; to: Date },
): Promise<{ rows: number; histogramRows: number }> {
  const day = { gte: days.from, lt: days.to };
  await tx.fleetDeliveryHistogram.deleteMany({ where: { day } });
  await tx.fleetDeliveryRollup.deleteMany({ where: { day } });
  const sql = new Placeholders(dialect);
  const inDays = `WHERE "day" >= ${sql.date(days.from)} AND "day" < ${sql.date(days.to)}`;
  const rows = await tx.$executeRawUnsafe(
    `INSERT INTO "FleetDeliveryRollup" ("day", "mode", "environment", ${SUM_COLUMNS.map((c) => `"${c}"`).join(", ")}) ` +
      `SELECT "day", "mode", "environment", ${SUM_COLUMNS.map((c) => `SUM("${c}")`).join(", ")} FROM "DeliveryRollup" ${inDays} GROUP BY "day", "mode", "environment"`,
    ...sql.params,
  );
  const histogramRows = await tx.$executeRawUnsafe(
    `INSERT INTO "FleetDeliveryHistogram" ("day", "mode", "environment", "metric", "bucket", "count") ` +
      `SELECT "day", "mode", "environment", "metric", "bucket", SUM("count") FROM "DeliveryHistogram" ${inDays} GROUP BY "day", "mode", "environment", "metric", "bucket"`,
    ...sql.params,
  );
  return { rows, histogramRows };
}

/** Multi-row INSERTs inside the caller's transaction; every row has the first row's columns. */
async function insertRows(
  tx: Tx,
  dialect: DatabaseKind,
  table: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(VALUES_PER_INSERT / columns.length));
  const columnList = columns.map((c) => `"${c}"`).join(", ");
  const sql = new Placeholders(dialect);
  for (let i = 0; i < rows.length; i += perStatement) {
    sql.reset();
    const tuples = rows
      .slice(i, i + perStatement)
      .map((row) => `(${columns.map((c) => sql.value(row[c])).join(", ")})`);
    await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${columnList}) VALUES ${tuples.join(", ")}`, ...sql.params);
  }
}

/** Sets one DateTime column on many rows, ROWS_PER_UPDATE per statement (`UPDATE … FROM` a VALUES list by id). */
async function setDateColumn(
  tx: Tx,
  dialect: DatabaseKind,
  table: string,
  column: string,
  marks: Mark[],
): Promise<void> {
  const sql = new Placeholders(dialect);
  for (let i = 0; i < marks.length; i += ROWS_PER_UPDATE) {
    sql.reset();
    const values = marks.slice(i, i + ROWS_PER_UPDATE).map((m) => `(${sql.text(m.id)}, ${sql.date(m.at)})`);
    await tx.$executeRawUnsafe(
      `WITH v(id, at) AS (VALUES ${values.join(", ")}) UPDATE "${table}" SET "${column}" = v.at FROM v WHERE "${table}"."id" = v.id`,
      ...sql.params,
    );
  }
}
