import "server-only";
import type { Tx } from "@/lib/db";
import { enqueueNotificationInTx } from "./enqueue-notification";

/** The results that mean the repository is applied again: they end a failure streak and a drift episode. */
const RECOVERED = ["synced", "drift-corrected"];

/** A stored sync event, as recordSyncEvents has just written it. */
export interface StoredSyncEvent {
  id: string;
  repoId: string;
  targetId: string;
  occurredAt: Date;
  result: string;
  revisionSha: string | null;
  revisionId: string | null;
  message: string;
  drift?: { objects: DriftObjects } | null;
}

type DriftObjects = { ref: { kind: string; namespace?: string | null; name: string }; fields: string[] }[];

/** The drifted objects as a drift.detected notice names them (`Kind namespace/name` and field paths), pull and push. */
function driftNoticeObjects(objects: DriftObjects | undefined): { object: string; fields: string[] }[] {
  return (objects ?? []).map((o) => ({
    object: `${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ""}${o.ref.name}`,
    fields: o.fields,
  }));
}

/**
 * Queues `sync.failed` for a failed sync and `drift.detected` for detected drift, inside the transaction that stores
 * the event. Flood rule: one notification per repository per episode, an episode being everything since the
 * repository's last applied event (synced or drift-corrected, by occurredAt, so a replayed batch counts the same). The
 * dedup key names the repository and that event: an agent failing every minute announces once; a success followed by
 * a failure announces again; drift re-detected at every check announces once until the repository is applied again.
 */
export async function notifySyncEvent(tx: Tx, e: StoredSyncEvent): Promise<number> {
  const event = e.result === "failed" ? "sync.failed" : e.result === "drift-detected" ? "drift.detected" : null;
  if (!event) return 0;
  return enqueueNotificationInTx(tx, {
    event,
    // Looked up only when a sink listens: it walks back over the current failure streak (repoId, occurredAt index).
    dedupKey: async () => {
      const lastApplied = await tx.syncEvent.findFirst({
        where: { repoId: e.repoId, result: { in: RECOVERED }, occurredAt: { lte: e.occurredAt }, id: { not: e.id } },
        orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
        select: { id: true },
      });
      return `${event}:${e.repoId}:${lastApplied?.id ?? "never-applied"}`;
    },
    build: async () => {
      const repo = await tx.pullRepo.findUnique({
        where: { id: e.repoId },
        select: {
          url: true,
          branch: true,
          application: { select: { id: true, name: true } },
          target: { select: { id: true, name: true, environment: true } },
        },
      });
      if (!repo) return null;
      const data = {
        linkPath: repo.application
          ? `/applications/${repo.application.id}`
          : `/sync?repoId=${encodeURIComponent(e.repoId)}&targetId=${encodeURIComponent(repo.target.id)}`,
        syncEventId: e.id,
        mode: "pull" as const,
        repoId: e.repoId,
        repoUrl: repo.url,
        branch: repo.branch,
        occurredAt: e.occurredAt.toISOString(),
        applicationId: repo.application?.id ?? null,
        applicationName: repo.application?.name ?? null,
        targetId: repo.target.id,
        targetName: repo.target.name,
        environment: repo.target.environment,
        revision: e.revisionSha ?? e.revisionId,
        message: e.message,
      };
      if (event === "sync.failed") return { event, data };
      return { event, data: { ...data, drift: driftNoticeObjects(e.drift?.objects) } };
    },
  });
}

/**
 * Queues `drift.detected` for a drift a push status read recorded (PushDriftEvent), inside the transaction that
 * stores it, with the message and payload of a pull drift (mode "push", no repository) and the application's link.
 * The same flood rule as pull: once per drift episode, an episode being everything since the application was last
 * applied — for push its last succeeded deployment, the one the cluster was compared with — so a drift whose fields
 * change again announces once, and a deployment re-arms it.
 */
export async function notifyPushDrift(
  tx: Tx,
  e: {
    id: string;
    applicationId: string;
    deploymentId: string;
    occurredAt: Date;
    message: string;
    drift: { objects: DriftObjects };
  },
): Promise<number> {
  const event = "drift.detected";
  return enqueueNotificationInTx(tx, {
    event,
    dedupKey: `${event}:application:${e.applicationId}:${e.deploymentId}`,
    build: async () => {
      const app = await tx.application.findUnique({
        where: { id: e.applicationId },
        select: { id: true, name: true, target: { select: { id: true, name: true, environment: true } } },
      });
      const deployment = await tx.deployment.findUnique({
        where: { id: e.deploymentId },
        select: { commitSha: true, revision: true, manifestsDigest: true },
      });
      if (!app) return null;
      return {
        event,
        data: {
          linkPath: `/applications/${app.id}`,
          syncEventId: e.id,
          mode: "push" as const,
          repoId: null,
          repoUrl: null,
          branch: null,
          occurredAt: e.occurredAt.toISOString(),
          applicationId: app.id,
          applicationName: app.name,
          targetId: app.target.id,
          targetName: app.target.name,
          environment: app.target.environment,
          // As a deployment notice names it: the commit, else the manifests' digest.
          revision: deployment ? (deployment.commitSha ?? deployment.revision ?? deployment.manifestsDigest) : null,
          message: e.message,
          drift: driftNoticeObjects(e.drift.objects),
        },
      };
    },
  });
}
