import "server-only";
import { db } from "@/lib/db";
import { refKey, type ObjectRef } from "@/lib/kube/types";

/** How many unfinished attempts since the last success are read back; see listPruneBaseline. */
const ATTEMPTS_READ = 20;

export interface PruneBaseline {
  /** Objects a prune of this application must look at besides its ApplySet parent's record (`previous`). */
  objects: ObjectRef[];
  /** The last succeeded deployment of the application (or, without one, of the target). */
  previousDeploymentId: string | null;
  /** How many objects it left applied (the first of `objects`). */
  previousApplied: number;
}

/**
 * The `previous` of an application's prune, read the same way by the preview and the executor so both compute the same
 * plan: what the last success left applied, plus every object the deployments that ran after it planned and did not
 * finish well (failed, cancelled, or still running after a crash), whatever their rows say — a crash can leave an
 * applied object's row pending. The executor writes the ApplySet parent alongside the first objects (lib/kube's
 * `parentAlongside`), so the parent may not name an interrupted attempt's objects; these rows do, from before the
 * attempt wrote anything. Only the newest ATTEMPTS_READ attempts: a run of failures that long repeats one plan.
 */
export async function listPruneBaseline(
  line: { targetId: string; applicationId: string | null },
  excludeId: string,
): Promise<PruneBaseline> {
  const ofLine = line.applicationId ? { applicationId: line.applicationId } : { targetId: line.targetId };
  const previous = await db().deployment.findFirst({
    where: { ...ofLine, state: "succeeded", id: { not: excludeId } },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    select: {
      id: true,
      startedAt: true,
      // Whatever the previous success left in the cluster: applied objects, not the ones it pruned or failed.
      objects: {
        where: { action: { in: ["created", "configured", "unchanged"] } },
        orderBy: { position: "asc" },
        select: { apiVersion: true, kind: true, namespace: true, name: true },
      },
    },
  });
  const attempts = await db().deployment.findMany({
    where: {
      ...ofLine,
      id: { not: excludeId },
      state: { in: ["failed", "cancelled", "running"] },
      startedAt: previous?.startedAt ? { gte: previous.startedAt } : { not: null },
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: ATTEMPTS_READ,
    select: { objects: { select: { apiVersion: true, kind: true, namespace: true, name: true } } },
  });
  const seen = new Set<string>();
  const objects: ObjectRef[] = [];
  for (const o of [...(previous?.objects ?? []), ...attempts.flatMap((a) => a.objects)]) {
    const ref: ObjectRef = {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.name,
      ...(o.namespace ? { namespace: o.namespace } : {}),
    };
    const key = refKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    objects.push(ref);
  }
  return { objects, previousDeploymentId: previous?.id ?? null, previousApplied: previous?.objects.length ?? 0 };
}
