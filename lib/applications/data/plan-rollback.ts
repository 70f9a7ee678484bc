import "server-only";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { db } from "@/lib/db";
import { liveDeploymentIds } from "@/lib/deployments/data/live-deployments";
import { manifestsPreview } from "@/lib/deployments/preview";
import { AppError } from "@/lib/errors";
import { parseManifests } from "@/lib/kube";
import { ZRollbackPlanQuery, type RollbackPlan } from "../timeline-schemas";

const SIDE = {
  id: true,
  createdAt: true,
  finishedAt: true,
  manifests: true,
  manifestsGz: true,
  manifestsDigest: true,
  objectCount: true,
  commitSha: true,
  commitMessage: true,
  requestedByName: true,
} as const;

function side(d: {
  id: string;
  createdAt: Date;
  finishedAt: Date | null;
  manifestsDigest: string;
  objectCount: number;
  commitSha: string | null;
  commitMessage: string | null;
  requestedByName: string;
}): RollbackPlan["to"] {
  return {
    deploymentId: d.id,
    createdAt: d.createdAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
    digest: d.manifestsDigest,
    objectCount: d.objectCount,
    commitSha: d.commitSha,
    commitMessage: d.commitMessage,
    requestedBy: d.requestedByName,
  };
}

/** Stored manifests are validated at request time; one that no longer parses shows as no objects, not as a 500. */
function objectsOf(manifests: string) {
  try {
    return parseManifests(manifests);
  } catch {
    return [];
  }
}

/**
 * What rolling a push application back to one of its earlier succeeded deployments would change, before anything is
 * requested: the live deployment (its newest success) against the chosen one, object by object, from the manifests
 * Wharf stored (lib/deployments/preview manifestsPreview: no cluster read, no credential use), and the target's rule.
 * The rollback itself is `POST /api/deployments/:id/rollback` (rollbackDeployment → the approval rule).
 */
export async function planRollback(opts: { applicationId: string; query: unknown }): Promise<RollbackPlan> {
  const { deploymentId } = ZRollbackPlanQuery.parse(opts.query);
  const app = await db().application.findUnique({
    where: { id: opts.applicationId },
    select: {
      id: true,
      name: true,
      mode: true,
      target: { select: { id: true, name: true, requiredApprovals: true, defaultNamespace: true } },
    },
  });
  if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
  if (app.mode !== "push")
    throw new AppError(
      "TARGET_NOT_PUSH",
      "A pull application rolls back by pinning an earlier revision of its repository (GET /api/repos/:id/pin previews it).",
    );
  const [to, live] = await Promise.all([
    db().deployment.findFirst({ where: { id: deploymentId, applicationId: app.id }, select: { ...SIDE, state: true } }),
    liveDeploymentIds([app.id]).then((live) => {
      const id = live.get(app.id);
      return id ? db().deployment.findUnique({ where: { id }, select: SIDE }) : null;
    }),
  ]);
  if (!to) throw new AppError("NOT_FOUND", `${app.name} has no deployment with this id.`);
  if (to.state !== "succeeded")
    throw new AppError(
      "DEPLOYMENT_STATE_CONFLICT",
      `Only a deployment that succeeded can be rolled back to; this one is ${to.state}.`,
    );
  if (live?.id === to.id) throw new AppError("DEPLOYMENT_STATE_CONFLICT", "This deployment is the one live now.");
  return {
    application: { id: app.id, name: app.name },
    target: { id: app.target.id, name: app.target.name, requiredApprovals: app.target.requiredApprovals },
    from: live ? side(live) : null,
    to: side(to),
    preview: manifestsPreview(
      live ? objectsOf(manifestsTextOf(live)) : [],
      objectsOf(manifestsTextOf(to)),
      app.target.defaultNamespace,
    ),
  };
}
