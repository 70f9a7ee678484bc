import "server-only";
import { assertTargetLive } from "@/lib/targets/live";
import { pullApplicationFor } from "@/lib/applications/data/ensure-application";
import type { TRenderOptions } from "@/lib/applications/schemas";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { ZCheckedImagePolicies } from "@/lib/agent/tag-pattern";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { ZRegisterRepo, type PullRepoView, type TRegisterRepoInput } from "../schemas";
import { repoKey } from "../url";
import { recordRepoSpec, SPEC_INCLUDE, specOfRow } from "./repo-specs";
import { REPO_INCLUDE, toRepoView } from "./to-repo-view";

const alreadyRegistered = () =>
  new AppError("REPO_ALREADY_REGISTERED", "This repository, branch and path are already registered on this target.", {
    fields: { url: ["Already registered with this branch and path."] },
  });

/** ZRegisterRepo with every tag pattern checked against RE2 (server-side: the form's copy of ZRegisterRepo carries no re2js). */
const ZRegisterRepoChecked = ZRegisterRepo.extend({ imagePolicies: ZCheckedImagePolicies.default([]) });

/**
 * Registers a Git repository on a pull target (409 TARGET_NOT_PULL for push targets) and wakes the target's agents,
 * whose long polls answer at once so the first sync starts within about a second. Audited as `repo.registered`.
 * The repository is its application's source: the named one (POST /api/applications), or a new one named after it.
 */
export async function registerRepo(opts: {
  targetId: string;
  input: TRegisterRepoInput;
  application?: { name: string; renderOptions?: TRenderOptions; driftInterval?: number | null };
  createdById: string;
  actor: Actor;
  request: RequestContext;
}): Promise<PullRepoView> {
  const input = ZRegisterRepoChecked.parse(opts.input);
  let row;
  try {
    row = await db().$transaction(async (tx) => {
      const target = await tx.target.findUnique({
        where: { id: opts.targetId },
        select: { id: true, name: true, mode: true, archivedAt: true },
      });
      if (!target) throw new AppError("NOT_FOUND", "No target with this id exists.");
      assertTargetLive(target);
      if (target.mode !== "pull") {
        throw new AppError(
          "TARGET_NOT_PULL",
          `${target.name} is a push target: Wharf applies to it directly. Register repositories on pull targets, or bind the repository for push webhooks.`,
        );
      }
      const dup = await tx.pullRepo.findFirst({
        where: { targetId: target.id, url: input.url, branch: input.branch, path: input.path },
        select: { id: true },
      });
      if (dup) throw alreadyRegistered();
      const application = await pullApplicationFor(tx, {
        target,
        ...(opts.application ? { name: opts.application.name, settings: opts.application } : {}),
        repo: input,
        actor: opts.actor,
        request: opts.request,
        createdById: opts.createdById,
      });
      const created = await tx.pullRepo.create({
        data: {
          targetId: target.id,
          applicationId: application.id,
          url: input.url,
          repoKey: repoKey(input.url),
          branch: input.branch,
          path: input.path,
          pollIntervalSeconds: input.pollIntervalSeconds,
          prune: input.prune,
          selfHeal: input.selfHeal,
          imagePolicies: JSON.stringify(input.imagePolicies),
          createdById: opts.createdById,
        },
        include: { ...REPO_INCLUDE, ...SPEC_INCLUDE },
      });
      // Its first spec (with its application's render options), so revisions made with it can be served with it
      // after its settings change.
      await recordRepoSpec(tx, { repoId: created.id, spec: specOfRow(created), createdById: opts.createdById });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "repo.registered",
        subjectType: "pull-repo",
        subjectId: created.id,
        targetId: target.id,
        details: {
          url: input.url,
          branch: input.branch,
          path: input.path,
          pollIntervalSeconds: input.pollIntervalSeconds,
          prune: input.prune,
          selfHeal: input.selfHeal,
          imagePolicies: input.imagePolicies.map((p) => p.name),
        },
        request: opts.request,
      });
      return created;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyRegistered();
    throw err;
  }
  await wakeAgentsOfTarget(row.targetId);
  return toRepoView(row);
}
