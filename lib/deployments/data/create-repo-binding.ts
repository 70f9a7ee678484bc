import "server-only";
import { randomBytes } from "node:crypto";
import { pushApplicationFor } from "@/lib/applications/data/ensure-application";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { repoKey } from "@/lib/repos/url";
import { checkFetchableUrl } from "../git-source";
import { secretContext, toRepoBindingView, type CreatedRepoBinding, type TCreateRepoBinding } from "../webhooks";
import { webhookUrl } from "./list-repo-bindings";

/**
 * Binds a repository branch (and path) to a push target. Wharf generates the webhook secret, seals it with the
 * master key, and returns it in this response only; it is never shown again. One binding per target, repository
 * (in any spelling), branch and path.
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
    const row = await db().$transaction(async (tx) => {
      const target = await tx.target.findUnique({
        where: { id: opts.targetId },
        select: { id: true, name: true, mode: true },
      });
      if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
      // On a pull target the binding only holds the webhook secret: verified pushes wake its agent (notifyPullRepos).
      const existing = await tx.repoBinding.findMany({
        where: { targetId: opts.targetId, repoKey: key, branch: opts.input.branch, path: opts.input.path },
        select: { id: true },
      });
      if (existing.length > 0) {
        throw new AppError("CONFLICT", "This repository, branch and path are already bound to this target.", {
          fields: { repoUrl: ["Already bound to this target for this branch and path."] },
        });
      }
      // A push binding deploys its target's default application (what a push to it always replaced); a pull one
      // belongs to the repository it wakes, when that is registered.
      const applicationId =
        target.mode === "push"
          ? (
              await pushApplicationFor(tx, {
                target,
                source: { kind: "git", repoUrl: opts.input.repoUrl, ref: opts.input.branch, path: opts.input.path },
                actor: opts.actor,
                request: opts.request,
                createdById: opts.createdById,
              })
            ).id
          : ((
              await tx.pullRepo.findMany({
                where: { targetId: target.id, repoKey: key, branch: opts.input.branch, path: opts.input.path },
                select: { applicationId: true },
              })
            )[0]?.applicationId ?? null);
      const created = await tx.repoBinding.create({
        data: {
          targetId: opts.targetId,
          applicationId,
          repoUrl: opts.input.repoUrl,
          repoKey: key,
          branch: opts.input.branch,
          path: opts.input.path,
          secretCiphertext: "",
          createdById: opts.createdById,
        },
      });
      const sealed = await tx.repoBinding.update({
        where: { id: created.id },
        data: { secretCiphertext: seal(secret, keyring, secretContext(created.id)) },
      });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "repo-binding.created",
        subjectType: "repo-binding",
        subjectId: created.id,
        targetId: opts.targetId,
        details: {
          repoUrl: opts.input.repoUrl,
          branch: opts.input.branch,
          path: opts.input.path,
          keyId: keyring.current.id,
        },
        request: opts.request,
      });
      return sealed;
    });
    return { binding: toRepoBindingView(row), secret, webhookUrl: webhookUrl() };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "This binding already exists.");
    throw err;
  }
}
