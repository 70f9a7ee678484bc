import "server-only";
import { commitOfRevision } from "@/lib/agent/protocol";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import type { TPromoteInput } from "@/lib/applications/matrix-schemas";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { promotionNotice } from "@/lib/notifications/messages";
import { recordRepoSpec, SPEC_INCLUDE, specOfRow } from "@/lib/repos/data/repo-specs";
import { requestPinInTx } from "@/lib/repos/data/request-pin";
import { promotedRevisionId } from "@/lib/repos/promotion";
import type { DeploymentView } from "../schemas";
import { getDeployment } from "./get-deployment";
import { viewerOf, type RequestPrincipal } from "./request-deployment";

const short = (revision: string) => commitOfRevision(revision).slice(0, 7);

/**
 * Promotes what is live of a pull application (the revision its agent last reported applied) to its namesake on
 * another pull target, as an approved pinned revision: a `pull-revision` request (requestPinInTx, the path rollback
 * pins take too) for the same commit and image tags made with the destination's own settings. The destination's
 * approval rule decides it (requester and commit author banned); once approved, its agent is pinned to it and
 * syncs it. On a target without approvals the request is approved through approveAndQueue at once. The request says
 * what changes there: the revision live now → the promoted one.
 */
export async function promotePullApplication(opts: {
  source: { id: string; name: string; target: { id: string; name: string; environment: string } };
  input: TPromoteInput;
  actor: Actor;
  principal: RequestPrincipal;
  request: RequestContext;
}): Promise<DeploymentView> {
  const { source, input } = opts;
  // The newest of that name on the target: an application removed and made again keeps its name.
  const destination = await db().application.findFirst({
    where: { targetId: input.to, name: source.name },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, mode: true, target: { select: { id: true, name: true, environment: true } } },
  });
  if (!destination)
    throw new AppError("NOT_FOUND", `There is no application ${source.name} on that target.`, {
      fields: { to: [`That target has no application named ${source.name}.`] },
    });
  if (destination.mode !== "pull")
    throw new AppError(
      "TARGET_NOT_PULL",
      `${source.name} on ${destination.target.name} is a push application; a pull application's revision is promoted to pull applications only.`,
    );
  const [sourceRepo, destinationRepo] = await Promise.all([
    db().pullRepo.findUnique({ where: { applicationId: source.id }, include: { status: true } }),
    db().pullRepo.findUnique({
      where: { applicationId: destination.id },
      include: { status: true, target: { select: { requiredApprovals: true } }, ...SPEC_INCLUDE },
    }),
  ]);
  const live = sourceRepo?.status?.revision;
  if (!sourceRepo || !live)
    throw new AppError(
      "CONFLICT",
      `${source.name} has nothing live on ${source.target.name} yet: only a revision its agent applied can be promoted.`,
    );
  if (!destinationRepo)
    throw new AppError("CONFLICT", `${source.name} on ${destination.target.name} has no repository to pin.`);
  // The commit must be in the repository the destination's agent fetches: environments of one application share it.
  const sameRepository =
    sourceRepo.repoKey && destinationRepo.repoKey
      ? sourceRepo.repoKey === destinationRepo.repoKey
      : sourceRepo.url === destinationRepo.url;
  if (!sameRepository)
    throw new AppError(
      "CONFLICT",
      `${source.name} on ${destination.target.name} syncs another repository than on ${source.target.name}: its commit cannot be promoted there.`,
    );
  const spec = specOfRow(destinationRepo);
  const revision = promotedRevisionId(live, spec);
  const previous = destinationRepo.status?.revision ?? null;
  if (previous === revision || destinationRepo.pinnedRevision === revision)
    throw new AppError("CONFLICT", `${destination.target.name} already runs ${short(revision)} of ${source.name}.`);

  // The commit as the source's agent reported it: its author is banned from approving, as for any revision.
  const sha = commitOfRevision(live);
  const reported = await db().syncEvent.findFirst({
    where: { repoId: sourceRepo.id, OR: [{ revisionId: live }, { revisionSha: sha }] },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { revisionSha: true, revisionAuthorEmail: true, revisionAuthorName: true, revisionMessage: true },
  });
  const change = `${previous ? short(previous) : "nothing live"} → ${short(revision)}`;
  const reason =
    input.reason ||
    `Promote ${source.name} from ${source.target.name} (${source.target.environment}) to ${destination.target.name} ` +
      `(${destination.target.environment}): commit ${change}.`;

  const outcome = await db().$transaction(async (tx) => {
    // The destination's spec is kept by digest, so the pin is served with it even if its settings change meanwhile.
    await recordRepoSpec(tx, { repoId: destinationRepo.id, spec, createdById: null });
    return requestPinInTx(tx, {
      repo: destinationRepo,
      revision,
      source: spec,
      commit: {
        sha: reported?.revisionSha ?? sha,
        authorEmail: reported?.revisionAuthorEmail ?? null,
        authorName: reported?.revisionAuthorName ?? null,
        message: reported?.revisionMessage ?? null,
      },
      reason,
      principal: opts.principal,
      actor: opts.actor,
      request: opts.request,
      details: {
        promotion: true,
        fromApplicationId: source.id,
        fromTargetId: source.target.id,
        fromRevision: live,
        previousRevision: previous,
        ...(input.reason ? { reason: input.reason } : {}),
      },
      withoutApprovals: "request",
      promotion: promotionNotice({ destination, name: source.name, from: source.target, revision }),
    });
  });
  await wakeAgentsOfTarget(destination.target.id);
  return getDeployment({ id: outcome.deploymentId!, viewer: viewerOf(opts.principal) });
}
