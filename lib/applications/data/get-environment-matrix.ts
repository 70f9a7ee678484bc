import "server-only";
import { commitOfRevision } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { LIVE_APPLICATION, LIVE_TARGET } from "@/lib/targets/live";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";
import { markDifferences, orderEnvironments, pullResultOf, pushResultOf } from "../matrix";
import type { EnvironmentMatrix, TEnvironmentMatrixQuery, TMatrixEntry, TMatrixRow } from "../matrix-schemas";

type DeploymentRow = {
  id: string;
  applicationId: string | null;
  state: string;
  commitSha: string | null;
  manifestsDigest: string;
  createdAt: Date;
  finishedAt: Date | null;
  resultMessage: string | null;
};

const DEPLOYMENT_SELECT = {
  id: true,
  applicationId: true,
  state: true,
  commitSha: true,
  manifestsDigest: true,
  createdAt: true,
  finishedAt: true,
  resultMessage: true,
} as const;

/**
 * Per application: its newest deployment row (any state: the last result) and, for push, its newest succeeded one
 * (what is live). Two grouped maxima, then the rows they name fetched as IN lists on the columns of an index
 * ((applicationId, createdAt); (applicationId, state, finishedAt)), which both databases serve as index lookups where
 * a list of (application AND time) pairs made PostgreSQL filter the table. (A target id list beside the live one let
 * SQLite walk every succeeded deployment through the (state, queuedAt) index: ~115 ms of a 10,000-application page.)
 * A row whose time happens to be another application's maximum comes back too and is dropped here. No query per
 * application, whatever the page size.
 */
async function deploymentsOf(apps: { id: string; mode: string }[]) {
  const newest = new Map<string, DeploymentRow>();
  const live = new Map<string, DeploymentRow>();
  if (apps.length === 0) return { newest, live };
  const ids = apps.map((a) => a.id);
  const push = apps.filter((a) => a.mode === "push");
  const [newestKeys, liveKeys] = await Promise.all([
    db().deployment.groupBy({
      by: ["applicationId"],
      where: { applicationId: { in: ids } },
      _max: { createdAt: true },
    }),
    push.length
      ? db().deployment.groupBy({
          by: ["applicationId"],
          where: { applicationId: { in: push.map((a) => a.id) }, state: "succeeded" },
          _max: { finishedAt: true },
        })
      : Promise.resolve([]),
  ]);
  const newestAt = new Map<string, number>();
  for (const k of newestKeys)
    if (k.applicationId && k._max.createdAt) newestAt.set(k.applicationId, k._max.createdAt.getTime());
  const liveAt = new Map<string, number>();
  for (const k of liveKeys)
    if (k.applicationId && k._max.finishedAt) liveAt.set(k.applicationId, k._max.finishedAt.getTime());
  const times = (m: Map<string, number>) => [...new Set(m.values())].map((t) => new Date(t));
  const [newestRows, liveRows] = await Promise.all([
    newestAt.size
      ? db().deployment.findMany({
          where: { applicationId: { in: [...newestAt.keys()] }, createdAt: { in: times(newestAt) } },
          select: DEPLOYMENT_SELECT,
          orderBy: { id: "asc" },
        })
      : Promise.resolve([]),
    liveAt.size
      ? db().deployment.findMany({
          where: {
            applicationId: { in: [...liveAt.keys()] },
            state: "succeeded",
            finishedAt: { in: times(liveAt) },
          },
          select: DEPLOYMENT_SELECT,
          orderBy: { id: "asc" },
        })
      : Promise.resolve([]),
  ]);
  // Equal timestamps are possible (same millisecond): the later id wins, as rows are ordered by id.
  for (const r of newestRows as DeploymentRow[])
    if (r.applicationId && newestAt.get(r.applicationId) === r.createdAt.getTime()) newest.set(r.applicationId, r);
  for (const r of liveRows as DeploymentRow[])
    if (r.applicationId && r.finishedAt && liveAt.get(r.applicationId) === r.finishedAt.getTime())
      live.set(r.applicationId, r);
  return { newest, live };
}

/**
 * One page of the applications × environments matrix: application names (one application on several targets is
 * one row), keyset-paginated by name; the columns are every target environment in WHARF_ENVIRONMENT_ORDER. Each
 * cell lists the application's targets in that environment with what is live there, the last result and (pull) its
 * reported health, marked where it differs from the previous environment.
 */
export async function getEnvironmentMatrix(query: TEnvironmentMatrixQuery): Promise<EnvironmentMatrix> {
  let after: string | null = null;
  if (query.cursor) {
    const key = decodeKeysetCursor(query.cursor, 1);
    if (!key) throw invalidCursorError();
    after = key[0]!;
  }
  const [nameRows, environmentRows] = await Promise.all([
    db().application.groupBy({
      by: ["name"],
      where: after === null ? LIVE_APPLICATION : { ...LIVE_APPLICATION, name: { gt: after } },
      orderBy: { name: "asc" },
      take: query.limit + 1,
    }),
    db().target.groupBy({ by: ["environment"], where: LIVE_TARGET, orderBy: { environment: "asc" } }),
  ]);
  const names = nameRows.slice(0, query.limit).map((r) => r.name);
  const environments = orderEnvironments(
    environmentRows.map((r) => r.environment),
    env().WHARF_ENVIRONMENT_ORDER,
  );
  const nextCursor = nameRows.length > query.limit ? encodeKeysetCursor([names[names.length - 1]!]) : null;
  if (names.length === 0) return { environments, rows: [], nextCursor: null };

  const apps = await db().application.findMany({
    where: { name: { in: names }, ...LIVE_APPLICATION },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      mode: true,
      target: { select: { id: true, name: true, environment: true } },
      pullRepo: { select: { status: { select: { state: true, revision: true, message: true, lastSyncAt: true } } } },
      liveState: { select: { health: true, healthMessage: true, observedAt: true } },
    },
  });
  const { newest, live } = await deploymentsOf(apps.map((a) => ({ id: a.id, mode: a.mode })));

  const column = new Map(environments.map((e, i) => [e, i]));
  const rows = new Map<string, TMatrixRow>(names.map((n) => [n, { name: n, cells: environments.map(() => []) }]));
  for (const a of apps) {
    const last = newest.get(a.id);
    let entry: TMatrixEntry;
    if (a.mode === "pull") {
      const status = a.pullRepo?.status;
      // A revision waiting for approval is the newest thing that happened to it, whatever the agent last reported.
      const awaiting = last?.state === "pending-approval";
      entry = {
        applicationId: a.id,
        target: { id: a.target.id, name: a.target.name },
        mode: "pull",
        revision: status?.revision
          ? {
              commitSha: commitOfRevision(status.revision),
              manifestsDigest: null,
              revisionId: status.revision,
              deploymentId: null,
              at: status.lastSyncAt?.toISOString() ?? null,
            }
          : null,
        result: awaiting
          ? { state: "awaiting-approval", at: last.createdAt.toISOString(), message: null }
          : {
              state: pullResultOf(status?.state),
              at: status?.lastSyncAt?.toISOString() ?? null,
              message: status?.message ?? null,
            },
        health: a.liveState
          ? {
              status: a.liveState.health,
              message: a.liveState.healthMessage,
              observedAt: a.liveState.observedAt.toISOString(),
            }
          : null,
        differsFromPrevious: null,
      };
    } else {
      const d = live.get(a.id);
      entry = {
        applicationId: a.id,
        target: { id: a.target.id, name: a.target.name },
        mode: "push",
        revision: d
          ? {
              commitSha: d.commitSha,
              manifestsDigest: d.manifestsDigest,
              revisionId: null,
              deploymentId: d.id,
              at: d.finishedAt?.toISOString() ?? null,
            }
          : null,
        result: last
          ? {
              state: pushResultOf(last.state),
              at: (last.finishedAt ?? last.createdAt).toISOString(),
              message: last.state === "failed" || last.state === "plan-changed" ? last.resultMessage : null,
            }
          : { state: "none", at: null, message: null },
        health: null,
        differsFromPrevious: null,
      };
    }
    const i = column.get(a.target.environment);
    if (i !== undefined) rows.get(a.name)?.cells[i]!.push(entry);
  }
  const out = [...rows.values()];
  for (const row of out) markDifferences(row.cells);
  return { environments, rows: out, nextCursor };
}
