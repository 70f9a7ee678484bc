import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { KubeError, parseManifests } from "@/lib/kube";
import { pushApplySet } from "../manifests";
import { manifestsTextOf } from "../stored-manifests";
import { computePreview, describeClusterProblem, planDigest, RENDER_NOTE_PREFIX } from "../preview";
import type { DeploymentPreview } from "../schemas";
import { TERMINAL_STATES, type TDeploymentState } from "../states";
import { listPruneBaseline } from "./list-prune-baseline";
import { activeCredentialId, withTargetClient } from "./target-client";

const PREVIEW_RETRY = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1000 };

function messageOf(err: unknown, serverUrl: string): string {
  if (err instanceof KubeError) return describeClusterProblem(err, serverUrl) ?? `The dry run failed: ${err.message}`;
  if (err instanceof AppError) {
    if (err.code === "MASTER_KEY_UNAVAILABLE" || err.code === "CREDENTIAL_UNREADABLE")
      return `Wharf could not decrypt the target's credential: ${err.message}`;
    return err.message;
  }
  return `The dry run failed: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Computes and stores a deployment's preview: decrypts the target's active credential (audited, purpose
 * "preview"), dry-runs every object against the cluster and lists prunes. Never throws for cluster trouble: an
 * unreachable cluster, a refused credential or a missing credential is stored in `previewError` in plain words.
 * Throws NOT_FOUND for an unknown id and DEPLOYMENT_STATE_CONFLICT for a finished deployment.
 */
export async function previewDeployment(opts: {
  deploymentId: string;
  actor: Actor;
  request: RequestContext;
}): Promise<void> {
  const d = await db().deployment.findUnique({
    where: { id: opts.deploymentId },
    include: { target: true, application: { select: { name: true, inventoryKey: true } } },
  });
  if (!d) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
  if (TERMINAL_STATES.includes(d.state as TDeploymentState)) {
    throw new AppError(
      "DEPLOYMENT_STATE_CONFLICT",
      `This deployment is ${d.state}; a preview only makes sense before it runs.`,
    );
  }
  const { target } = d;
  const credentialId = await activeCredentialId(target.id);

  let preview: DeploymentPreview | null = null;
  let problem: string | null = null;
  if (!credentialId) {
    problem = `The target ${target.name} has no stored credential, so Wharf cannot preview against its cluster. An admin can store one on the target's page.`;
  } else {
    try {
      const objects = parseManifests(manifestsTextOf(d));
      const previous = (await listPruneBaseline(d, d.id)).objects;
      const result = await withTargetClient(
        {
          target,
          credentialId,
          actor: opts.actor,
          purpose: { kind: "preview", id: d.id },
          request: opts.request,
          retry: PREVIEW_RETRY,
        },
        (client) =>
          computePreview(client, objects, {
            applySet: pushApplySet(target, d.application),
            serverUrl: target.serverUrl,
            previous,
            allowClusterScoped: target.allowClusterScoped,
          }),
      );
      preview = result.preview;
      problem = result.problem;
    } catch (err) {
      problem = messageOf(err, target.serverUrl);
    }
  }
  // What the request noted about its render (a chart rendered without the target's versions) goes with every preview.
  const notes = (
    await db().deploymentLog.findMany({
      where: { deploymentId: d.id, message: { startsWith: RENDER_NOTE_PREFIX } },
      orderBy: { seq: "asc" },
      select: { message: true },
    })
  ).map((l) => l.message.slice(RENDER_NOTE_PREFIX.length));
  if (preview && notes.length > 0) preview = { ...preview, notes };
  if (problem && notes.length > 0) problem = [problem, ...notes].join(" ");
  await db().deployment.update({
    where: { id: d.id },
    data: {
      previewJson: preview ? JSON.stringify(preview) : null,
      // The plan approvers approve: only while approvals are being collected, so a preview run again after the
      // approval cannot move the plan the executor holds the run to. A preview with a problem (unreachable cluster,
      // refused credential) has no trustworthy plan.
      ...(d.state === "pending-approval" ? { planDigest: preview && !problem ? planDigest(preview) : null } : {}),
      previewError: problem,
      previewedAt: new Date(),
    },
  });
}
