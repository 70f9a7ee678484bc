import "server-only";
import { randomBytes } from "node:crypto";
import { pushApplicationFor } from "@/lib/applications/data/ensure-application";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { db, type Tx } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { repoKey } from "@/lib/repos/url";
import { assertTargetLive } from "@/lib/targets/live";
import { checkFetchableUrl } from "../git-source";
import { secretContext, toRepoBindingView, type CreatedRepoBinding, type TCreateRepoBinding } from "../webhooks";
import { BINDING_APPLICATION, webhookUrl } from "./list-repo-bindings";

const refused = (field: string, message: string) =>
  new AppError("VALIDATION_FAILED", message, { fields: { [field]: [message] } });

/**
 * The push application a binding names, checked: it exists on the target, is pushed, and its Git source is the
 * binding's repository (in any spelling). A given branch or path must be the application's: the binding follows its
 * ref and path, so a different one would never be what deploys.
 */
async function followedApplication(
  tx: Tx,
  target: { id: string; name: string; mode: string },
  input: TCreateRepoBinding & { application: string },
  key: string,
) {
  const app = await tx.application.findUnique({
    where: { targetId_name_archivedKey: { targetId: target.id, name: input.application, archivedKey: "" } },
    select: { id: true, name: true, mode: true, sourceKind: true, repoUrl: true, repoKey: true, ref: true, path: true },
  });
  if (!app) throw refused("application", `${target.name} has no application named ${input.application}.`);
  if (target.mode !== "push" || app.mode !== "push")
    throw refused(
      "application",
      `${app.name} is a pull application: its agent fetches by itself, so a push binding cannot deploy it. Bind without an application to wake the agent.`,
    );
  if (app.sourceKind !== "git" || !app.repoUrl || !app.ref)
    throw refused("application", `${app.name} has no Git source (its manifests come with each deployment).`);
  if (app.repoKey !== key)
    throw refused("application", `${app.name} deploys from ${app.repoUrl}, not from this repository.`);
  const path = app.path ?? ".";
  if (input.branch !== undefined && input.branch !== app.ref)
    throw refused("branch", `${app.name} deploys ${app.ref}: leave the branch empty or enter ${app.ref}.`);
  if (input.path !== undefined && input.path !== path)
    throw refused("path", `${app.name} deploys the path ${path}: leave the path empty or enter ${path}.`);
  return { id: app.id, name: app.name, ref: app.ref, path };
}

/**
 * The one application of the target (other than `exceptId`) whose Git source is exactly this repository, branch and
 * path, when there is exactly one: a binding made without an application could have followed it.
 */
async function sameSourceApplication(
  tx: Tx,
  opts: { targetId: string; key: string; branch: string; path: string; exceptId: string | null },
): Promise<string | null> {
  const rows = await tx.application.findMany({
    where: {
      targetId: opts.targetId,
      mode: "push",
      sourceKind: "git",
      repoKey: opts.key,
      ref: opts.branch,
      path: opts.path,
      ...(opts.exceptId ? { id: { not: opts.exceptId } } : {}),
    },
    select: { name: true },
    take: 2,
  });
  return rows.length === 1 ? rows[0]!.name : null;
}

/**
 * Binds a repository to a target. Wharf generates the webhook secret, seals it with the master key, and returns it in
 * this response only; it is never shown again.
 * - With `application` (push targets): the binding follows that application — a push to its ref deploys its current
 *   source and render options (lib/deployments/webhooks.ts bindingSource). One such binding per application.
 * - Without: the binding's branch and path deploy into the target's default application, as before applications
 *   (one binding per target, repository in any spelling, branch and path); on a pull target it wakes the agent.
 */
export async function createRepoBinding(opts: {
  targetId: string;
  input: TCreateRepoBinding;
  createdById: string;
  actor: Actor;
  request: RequestContext;
}): Promise<CreatedRepoBinding> {
  const secret = randomBytes(32).toString("base64url");
  const key = repoKey(opts.input.repoUrl);
  const keyring = loadKeyring();
  const mode = (await db().target.findUnique({ where: { id: opts.targetId }, select: { mode: true } }))?.mode;
  // A push target's binding is fetched by the dashboard: the server's file:// policy applies now, not at the first push.
  // (A pull target's repositories are fetched by its agent, under the agent's own policy.)
  if (mode === "push") checkFetchableUrl(opts.input.repoUrl, "repoUrl");
  try {
    const { row, note } = await db().$transaction(async (tx) => {
      const target = await tx.target.findUnique({
        where: { id: opts.targetId },
        select: { id: true, name: true, mode: true, archivedAt: true },
      });
      if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
      assertTargetLive(target);
      const named = opts.input.application;
      const followed = named ? await followedApplication(tx, target, { ...opts.input, application: named }, key) : null;
      const branch = followed?.ref ?? opts.input.branch!;
      const path = followed?.path ?? opts.input.path ?? ".";
      // A push that two bindings of one target act on would be requested twice (into two applications, whose objects
      // would then clash): the same source may be bound once, whether by itself or by its application.
      const existing = await tx.repoBinding.findFirst({
        where: followed
          ? {
              OR: [
                { applicationId: followed.id, followsApplication: true },
                { targetId: target.id, followsApplication: false, repoKey: key, branch, path },
              ],
            }
          : { targetId: target.id, followsApplication: false, repoKey: key, branch, path },
        select: { id: true },
      });
      if (existing) {
        throw new AppError(
          "CONFLICT",
          followed
            ? `A binding already deploys ${followed.name}'s source (${branch}, ${path}) to this target.`
            : "This repository, branch and path are already bound to this target.",
          { fields: { [followed ? "application" : "repoUrl"]: ["Already bound to this target."] } },
        );
      }
      // Without an application, a push binding deploys its target's default application (what a push to it always
      // replaced); a pull one belongs to the repository it wakes, when that is registered.
      const applicationId = followed
        ? followed.id
        : target.mode === "push"
          ? (
              await pushApplicationFor(tx, {
                target,
                source: { kind: "git", repoUrl: opts.input.repoUrl, ref: branch, path },
                actor: opts.actor,
                request: opts.request,
                createdById: opts.createdById,
              })
            ).id
          : ((
              await tx.pullRepo.findMany({
                where: { targetId: target.id, repoKey: key, branch, path },
                select: { applicationId: true },
              })
            )[0]?.applicationId ?? null);
      const created = await tx.repoBinding.create({
        data: {
          targetId: opts.targetId,
          applicationId,
          followsApplication: !!followed,
          repoUrl: opts.input.repoUrl,
          repoKey: key,
          branch,
          path,
          secretCiphertext: "",
          createdById: opts.createdById,
        },
      });
      const sealed = await tx.repoBinding.update({
        where: { id: created.id },
        data: { secretCiphertext: seal(secret, keyring, secretContext(created.id)) },
        include: { application: BINDING_APPLICATION },
      });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "repo-binding.created",
        subjectType: "repo-binding",
        subjectId: created.id,
        targetId: opts.targetId,
        details: {
          repoUrl: opts.input.repoUrl,
          branch,
          path,
          ...(followed ? { application: followed.name, followsApplication: true } : {}),
          keyId: keyring.current.id,
        },
        request: opts.request,
      });
      const same =
        !followed && target.mode === "push"
          ? await sameSourceApplication(tx, { targetId: target.id, key, branch, path, exceptId: applicationId })
          : null;
      const note = same
        ? `The application ${same} has exactly this repository, branch and path. This binding deploys into ${sealed.application?.name ?? "the default application"} instead; to deploy ${same} with its render options, and follow changes of its source, remove this binding and bind again with "application": "${same}".`
        : undefined;
      return { row: sealed, note };
    });
    return { binding: toRepoBindingView(row), secret, webhookUrl: webhookUrl(), ...(note ? { note } : {}) };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "This binding already exists.");
    throw err;
  }
}
