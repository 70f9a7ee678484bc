import "server-only";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { db } from "@/lib/db";
import { archivedMark } from "@/lib/targets/live";
import { ZRenderOptions, type ApplicationView, type TRenderOptions } from "../schemas";

export const APPLICATION_INCLUDE = {
  target: { select: { id: true, name: true, environment: true, mode: true } },
  pullRepo: { select: { id: true, status: { select: { state: true, revision: true, lastSyncAt: true } } } },
} satisfies Prisma.ApplicationInclude;

export type ApplicationRow = Prisma.ApplicationGetPayload<{ include: typeof APPLICATION_INCLUDE }>;

/** Stored render options; a row that no longer parses (written by hand) reads as `auto` rather than failing the page. */
export function parseRenderOptions(json: string): TRenderOptions {
  try {
    return ZRenderOptions.parse(JSON.parse(json));
  } catch {
    return { kind: "auto" };
  }
}

/** The newest deployment of each application (one indexed lookup each, `(applicationId, createdAt)`). */
async function lastDeployments(ids: string[]) {
  const rows = await Promise.all(
    ids.map((id) =>
      db().deployment.findFirst({
        where: { applicationId: id },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true, state: true, createdAt: true, finishedAt: true, applicationId: true },
      }),
    ),
  );
  return new Map(rows.flatMap((r) => (r?.applicationId ? [[r.applicationId, r] as const] : [])));
}

type NewestDeployment = { id: string; state: string; createdAt: Date; finishedAt: Date | null };

/**
 * The API views of `rows`, with each one's newest deployment and (pull) what its agent last reported. A list passes
 * the newest deployments it already fetched in one statement (`newest`); a single application looks its own up.
 */
export async function toApplicationViews(
  rows: ApplicationRow[],
  newest?: ReadonlyMap<string, NewestDeployment>,
): Promise<ApplicationView[]> {
  const last: ReadonlyMap<string, NewestDeployment> = newest ?? (await lastDeployments(rows.map((r) => r.id)));
  return rows.map((r) => {
    const d = last.get(r.id);
    const status = r.pullRepo?.status;
    return {
      id: r.id,
      name: r.name,
      target: { ...r.target, mode: r.target.mode as ApplicationView["target"]["mode"] },
      mode: r.mode as ApplicationView["mode"],
      source: {
        kind: r.sourceKind as ApplicationView["source"]["kind"],
        repoUrl: r.repoUrl,
        ref: r.ref,
        path: r.path,
      },
      renderOptions: parseRenderOptions(r.renderOptions),
      prune: r.prune,
      selfHeal: r.selfHeal,
      driftInterval: r.driftInterval,
      inventoryKey: r.inventoryKey,
      pullRepoId: r.pullRepo?.id ?? null,
      archived: archivedMark(r),
      lastDeployment: d
        ? {
            id: d.id,
            state: d.state as NonNullable<ApplicationView["lastDeployment"]>["state"],
            createdAt: d.createdAt.toISOString(),
            finishedAt: d.finishedAt?.toISOString() ?? null,
          }
        : null,
      lastSync: status
        ? { state: status.state, revision: status.revision, at: status.lastSyncAt?.toISOString() ?? null }
        : null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  });
}
