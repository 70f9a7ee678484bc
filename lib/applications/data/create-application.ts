import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { registerRepo } from "@/lib/repos/data/register-repo";
import { assertTargetLive } from "@/lib/targets/live";
import type { ApplicationView, TCreateApplication } from "../schemas";
import { insertApplication, nameTakenError } from "./ensure-application";
import { getApplication } from "./get-application";

export interface CreateApplicationOptions {
  /** Already parsed with `ZCreateApplication`. */
  input: TCreateApplication;
  createdById: string;
  actor: Actor;
  request: RequestContext;
}

/**
 * Creates an application in its target's mode, audited (`application.created`) in the same transaction. A push
 * application is its row: deployments name it. A pull application is registered with its repository in one
 * transaction (`repo.registered` too), so the target's agents start syncing it at once.
 */
export async function createApplication(opts: CreateApplicationOptions): Promise<ApplicationView> {
  const { input } = opts;
  const target = await db().target.findUnique({
    where: { id: input.targetId },
    select: { id: true, name: true, mode: true, archivedAt: true },
  });
  if (!target)
    throw new AppError("NOT_FOUND", "There is no target with this id.", {
      fields: { targetId: ["There is no target with this id."] },
    });
  assertTargetLive(target);
  if (target.mode === "pull") {
    if (input.source.kind !== "git") {
      throw new AppError("VALIDATION_FAILED", `${target.name} is a pull target: its agent syncs from Git.`, {
        fields: { source: ["A pull application's source is a Git repository."] },
      });
    }
    const repo = await registerRepo({
      targetId: target.id,
      input: {
        url: input.source.repoUrl,
        branch: input.source.ref,
        path: input.source.path,
        prune: input.prune,
        selfHeal: input.selfHeal,
      },
      application: { name: input.name, renderOptions: input.renderOptions, driftInterval: input.driftInterval },
      createdById: opts.createdById,
      actor: opts.actor,
      request: opts.request,
    });
    const { applicationId } = await db().pullRepo.findUniqueOrThrow({
      where: { id: repo.id },
      select: { applicationId: true },
    });
    return getApplication({ id: applicationId! });
  }
  try {
    const app = await db().$transaction((tx) =>
      insertApplication(
        tx,
        target,
        {
          name: input.name,
          mode: "push",
          source: input.source,
          renderOptions: input.renderOptions,
          prune: input.prune,
        },
        { actor: opts.actor, request: opts.request, createdById: opts.createdById },
      ),
    );
    return getApplication({ id: app.id });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTakenError(input.name, target.name);
    throw err;
  }
}
