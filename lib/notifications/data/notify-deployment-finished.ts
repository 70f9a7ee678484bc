import "server-only";
import type { Tx } from "@/lib/db";
import { enqueueNotificationInTx } from "./enqueue-notification";

/**
 * Queues `deployment.succeeded` / `deployment.failed` for a deployment that has just entered that state, inside the
 * transaction of the transition (transitionDeployment calls it after its conditional update won, so a deployment
 * finishes — and is announced — once). Push runs and pull revisions the agent applied alike. Dedup key: the
 * deployment id, so a replayed finish cannot announce it twice.
 */
export async function notifyDeploymentFinished(
  tx: Tx,
  opts: { deploymentId: string; state: "succeeded" | "failed" },
): Promise<number> {
  const event = opts.state === "succeeded" ? "deployment.succeeded" : "deployment.failed";
  return enqueueNotificationInTx(tx, {
    event,
    dedupKey: `${event}:${opts.deploymentId}`,
    build: async () => {
      const d = await tx.deployment.findUnique({
        where: { id: opts.deploymentId },
        select: {
          id: true,
          sourceKind: true,
          commitSha: true,
          revision: true,
          manifestsDigest: true,
          resultMessage: true,
          requestedByName: true,
          application: { select: { id: true, name: true } },
          target: { select: { id: true, name: true, environment: true, mode: true } },
        },
      });
      if (!d) return null;
      return {
        event,
        data: {
          linkPath: d.application ? `/applications/${d.application.id}` : `/deployments/${d.id}`,
          deploymentId: d.id,
          applicationId: d.application?.id ?? null,
          applicationName: d.application?.name ?? null,
          targetId: d.target.id,
          targetName: d.target.name,
          environment: d.target.environment,
          mode: d.target.mode === "pull" ? "pull" : "push",
          revision: d.commitSha ?? d.revision ?? (d.sourceKind === "manifests" ? d.manifestsDigest : null),
          requestedBy: d.requestedByName,
          message: d.resultMessage ?? "",
        },
      };
    },
  });
}
