import "server-only";
import { auditedTransaction } from "@/lib/audit/data/record-audit-event";
import type { Actor } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import type { ObjectRef } from "@/lib/kube/types";
import { wake } from "@/lib/wake/notifier";
import { manifestsTextOf } from "../stored-manifests";
import { listPruneBaseline } from "./list-prune-baseline";
import { transitionDeployment } from "./transition-deployment";

/** Everything the executor needs about a claimed deployment, its target and the target's active credential. */
export interface DeploymentRunInput {
  id: string;
  state: string;
  targetId: string;
  manifests: string;
  objectCount: number;
  attempts: number;
  cancelRequested: boolean;
  target: {
    id: string;
    name: string;
    serverUrl: string;
    caBundle: string | null;
    insecureSkipTlsVerify: boolean;
    defaultNamespace: string;
    allowClusterScoped: boolean;
  };
  /**
   * The plan digest of the preview its approvers approved; null when nobody approved it (a target needing no
   * approval, an emergency) or no sound preview was stored before approval: then there is no plan to hold it to.
   */
  approvedPlanDigest: string | null;
  /** Its application (null for a row from before applications: the target's default one). */
  application: { id: string; name: string; inventoryKey: string } | null;
  /** The target's active credential, or null when it has none. */
  credentialId: string | null;
  /** The prune baseline (listPruneBaseline): what the last success applied and what attempts since may have. */
  previousObjects: ObjectRef[];
  previousDeploymentId: string | null;
  /** How many of previousObjects the last success left applied. */
  previousApplied: number;
}

/** Reads a claimed deployment with its target, active credential id and the previous success's applied objects. */
export async function loadDeploymentForRun(deploymentId: string): Promise<DeploymentRunInput | null> {
  const row = await db().deployment.findUnique({
    where: { id: deploymentId },
    select: {
      id: true,
      state: true,
      targetId: true,
      manifests: true,
      manifestsGz: true,
      objectCount: true,
      attempts: true,
      cancelRequested: true,
      target: {
        select: {
          id: true,
          name: true,
          serverUrl: true,
          caBundle: true,
          insecureSkipTlsVerify: true,
          defaultNamespace: true,
          allowClusterScoped: true,
        },
      },
      application: { select: { id: true, name: true, inventoryKey: true } },
      planDigest: true,
      approvals: { where: { decision: "approved" }, select: { id: true }, take: 1 },
    },
  });
  if (!row) return null;
  const { planDigest, approvals, manifests, manifestsGz, ...rest } = row;
  const credential = await db().credential.findFirst({
    where: { targetId: row.targetId, state: "active" },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  const baseline = await listPruneBaseline(
    { targetId: row.targetId, applicationId: row.application?.id ?? null },
    row.id,
  );
  return {
    ...rest,
    manifests: manifestsTextOf({ manifests, manifestsGz }),
    approvedPlanDigest: approvals.length > 0 ? planDigest : null,
    credentialId: credential?.id ?? null,
    previousObjects: baseline.objects,
    previousDeploymentId: baseline.previousDeploymentId,
    previousApplied: baseline.previousApplied,
  };
}

/**
 * Moves a claimed `queued` deployment to `running`, only while this process still holds the claim (checked by a
 * conditional update in the same transaction as the audited transition).
 */
export async function startClaimedDeployment(opts: {
  deploymentId: string;
  processId: string;
  actor: Actor;
  attempt: number;
  /** The cluster this run applies to, kept on the record: a target's name and URL may change after it. */
  cluster?: { name: string; serverUrl: string };
}): Promise<boolean> {
  const started = await auditedTransaction(async (tx) => {
    const { count } = await tx.deployment.updateMany({
      where: { id: opts.deploymentId, claimedBy: opts.processId, state: "queued" },
      data: { heartbeatAt: new Date() },
    });
    if (count === 0) return false;
    return transitionDeployment(tx, {
      deploymentId: opts.deploymentId,
      to: "running",
      from: ["queued"],
      actor: opts.actor,
      data: {
        startedAt: new Date(),
        phase: "applying",
        appliedCount: 0,
        readyReplicas: 0,
        desiredReplicas: 0,
        ...(opts.cluster ? { appliedTargetName: opts.cluster.name, appliedServerUrl: opts.cluster.serverUrl } : {}),
      },
      details: { executor: opts.processId, attempt: opts.attempt },
    });
  });
  // This process's pages following the deployment, once committed (others heard the transition's NOTIFY).
  if (started) wake("deployment", [opts.deploymentId]);
  return started;
}

export type FinishState = "succeeded" | "failed" | "cancelled" | "plan-changed";

/**
 * Ends a run in `to`, writing the result message and the audit row in one transaction — only while this process
 * still holds the claim, so an executor that lost its lease can never overwrite the new holder's outcome. Returns
 * false when the claim was lost or the deployment already ended.
 */
export async function finishClaimedDeployment(opts: {
  deploymentId: string;
  processId: string;
  actor: Actor;
  to: FinishState;
  message: string;
  details?: Record<string, unknown>;
}): Promise<boolean> {
  const finished = await auditedTransaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.deployment.updateMany({
      where: { id: opts.deploymentId, claimedBy: opts.processId, state: { in: ["queued", "running"] } },
      data: { heartbeatAt: now },
    });
    if (count === 0) return false;
    const moved = await transitionDeployment(tx, {
      deploymentId: opts.deploymentId,
      to: opts.to,
      // A cancel may end a run that never started (cancel requested while queued and claimed).
      from: opts.to === "cancelled" ? ["queued", "running"] : ["running"],
      actor: opts.actor,
      data: { finishedAt: now, resultMessage: opts.message.slice(0, 4000), leaseUntil: null, phase: null },
      details: { executor: opts.processId, ...opts.details },
    });
    if (moved) {
      await tx.deploymentLog.create({
        data: {
          deploymentId: opts.deploymentId,
          level:
            opts.to === "succeeded" ? "info" : opts.to === "cancelled" || opts.to === "plan-changed" ? "warn" : "error",
          message: `Deployment ${opts.to}: ${opts.message}`.slice(0, 4000),
        },
      });
    }
    return moved;
  });
  if (finished) wake("deployment", [opts.deploymentId]);
  return finished;
}
