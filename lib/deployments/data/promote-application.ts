import "server-only";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { ZPromoteInput, type TPromoteInput } from "@/lib/applications/matrix-schemas";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { promotionNotice } from "@/lib/notifications/messages";
import { applicationArchivedError } from "@/lib/targets/live";
import type { DeploymentView } from "../schemas";
import { promotePullApplication } from "./promote-pull-application";
import { requestDeployment, type RequestPrincipal } from "./request-deployment";

/**
 * Promotes what is live of an application in one environment to its namesake on another target of the same mode.
 * A pull application's goes as an approved pinned revision (promotePullApplication). A push application's newest
 * succeeded deployment goes to the application of the same name on another push target: a new deployment request there, through `requestDeployment` like any other, so the
 * destination's approval rule, bans and preview all apply and nothing is skipped. From Git it is the same commit,
 * read at the destination's own repository path and rendered with the destination's render options (environments
 * differ in values, not in version); pasted manifests are sent again as they are, so the digest is the same.
 */
export async function promoteApplication(opts: {
  applicationId: string;
  input: TPromoteInput;
  actor: Actor;
  principal: RequestPrincipal;
  request: RequestContext;
}): Promise<DeploymentView> {
  const input = ZPromoteInput.parse(opts.input);
  const source = await db().application.findUnique({
    where: { id: opts.applicationId },
    select: {
      id: true,
      name: true,
      mode: true,
      archivedAt: true,
      target: { select: { id: true, name: true, environment: true } },
    },
  });
  if (!source) throw new AppError("NOT_FOUND", "There is no application with this id.");
  // A deleted application's history is readable, but what it ran is not promoted anywhere from it.
  if (source.archivedAt) throw applicationArchivedError(source);
  if (input.to === source.target.id)
    throw new AppError("VALIDATION_FAILED", "Promote to another target than the application's own.", {
      fields: { to: ["Choose another target."] },
    });
  if (source.mode === "pull") return promotePullApplication({ ...opts, source, input });
  const destination = await db().application.findUnique({
    where: { targetId_name_archivedKey: { targetId: input.to, name: source.name, archivedKey: "" } },
    select: {
      id: true,
      mode: true,
      sourceKind: true,
      repoUrl: true,
      path: true,
      target: { select: { id: true, name: true, environment: true } },
    },
  });
  if (!destination)
    throw new AppError("NOT_FOUND", `There is no application ${source.name} on that target.`, {
      fields: { to: [`That target has no application named ${source.name}.`] },
    });
  if (destination.mode !== "push")
    throw new AppError(
      "TARGET_NOT_PUSH",
      `${source.name} on ${destination.target.name} is a pull application; only a pull application's revision is promoted to it.`,
    );
  const live = await db().deployment.findFirst({
    where: { applicationId: source.id, state: "succeeded" },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    select: {
      id: true,
      sourceKind: true,
      manifests: true,
      manifestsGz: true,
      manifestsDigest: true,
      gitUrl: true,
      gitPath: true,
      commitSha: true,
    },
  });
  if (!live)
    throw new AppError(
      "CONFLICT",
      `${source.name} has nothing live on ${source.target.name} yet: only a deployment that succeeded can be promoted.`,
    );
  const fromGit = live.sourceKind === "git" && live.commitSha && live.gitUrl;
  const reason =
    input.reason ||
    `Promote ${source.name} from ${source.target.name} (${source.target.environment}): ${
      fromGit ? `commit ${live.commitSha!.slice(0, 7)}` : "the same manifests"
    }, deployment ${live.id}`;
  return requestDeployment({
    targetId: destination.target.id,
    applicationId: destination.id,
    source: fromGit
      ? {
          kind: "git",
          // The destination's own folder (e.g. its overlay) at the promoted commit; its repository when it names one.
          url: destination.repoUrl ?? live.gitUrl!,
          ref: live.commitSha!,
          path: destination.path ?? live.gitPath ?? ".",
        }
      : { kind: "manifests", manifests: manifestsTextOf(live) },
    reason,
    promotion: promotionNotice({
      destination,
      name: source.name,
      from: source.target,
      revision: fromGit ? live.commitSha : live.manifestsDigest,
    }),
    actor: opts.actor,
    principal: opts.principal,
    request: opts.request,
  });
}
