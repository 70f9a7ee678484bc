import "server-only";
import { notifyPullRepos } from "@/lib/agents/data/notify";
import { parseJsonBody } from "@/lib/api/read-body";
import { createHash, randomBytes } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { SYSTEM_ACTOR, type Actor, type RequestContext } from "@/lib/audit/schemas";
import { keyIdOf, open, seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, isUniqueViolation } from "@/lib/errors";
import {
  normalizeRepoUrl,
  parsePushEvent,
  verifyWebhook,
  webhookProviderOf,
  type CreatedRepoBinding,
  type PushEvent,
  type RepoBindingView,
  type TCreateRepoBinding,
} from "../webhooks";
import { checkFetchableUrl, comparePushedCommit } from "../git-source";
import { requestDeployment } from "./request-deployment";
import { recordWebhookSignatureFailure } from "./webhook-signature-failures";

/** The envelope context binds a sealed secret to its row: a ciphertext copied onto another binding does not open. */
export function secretContext(bindingId: string): string {
  return `repo-binding:${bindingId}`;
}

function toView(row: {
  id: string;
  targetId: string;
  repoUrl: string;
  branch: string;
  path: string;
  createdById: string;
  createdAt: Date;
}): RepoBindingView {
  return {
    id: row.id,
    targetId: row.targetId,
    repoUrl: row.repoUrl,
    branch: row.branch,
    path: row.path,
    createdById: row.createdById,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The URL a Git host must POST push events to. */
export function webhookUrl(): string {
  return `${env().publicUrl}/api/webhooks/git`;
}

/** A target's repository bindings, newest first. NOT_FOUND when the target does not exist. */
export async function listRepoBindings(opts: {
  targetId: string;
}): Promise<{ bindings: RepoBindingView[]; webhookUrl: string }> {
  const target = await db().target.findUnique({ where: { id: opts.targetId }, select: { id: true } });
  if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
  const rows = await db().repoBinding.findMany({
    where: { targetId: opts.targetId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return { bindings: rows.map(toView), webhookUrl: webhookUrl() };
}

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
        where: { targetId: opts.targetId, branch: opts.input.branch, path: opts.input.path },
      });
      if (existing.some((b) => normalizeRepoUrl(b.repoUrl) === normalizeRepoUrl(opts.input.repoUrl))) {
        throw new AppError("CONFLICT", "This repository, branch and path are already bound to this target.", {
          fields: { repoUrl: ["Already bound to this target for this branch and path."] },
        });
      }
      const created = await tx.repoBinding.create({
        data: {
          targetId: opts.targetId,
          repoUrl: opts.input.repoUrl,
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
    return { binding: toView(row), secret, webhookUrl: webhookUrl() };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "This binding already exists.");
    throw err;
  }
}

/** Removes a binding (its webhook then gets 401). NOT_FOUND unless the binding belongs to the target. */
export async function deleteRepoBinding(opts: {
  targetId: string;
  bindingId: string;
  actor: Actor;
  request: RequestContext;
}): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.repoBinding.findFirst({ where: { id: opts.bindingId, targetId: opts.targetId } });
    if (!row) throw new AppError("NOT_FOUND", "There is no such repository binding on this target.");
    await tx.repoBinding.delete({ where: { id: row.id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "repo-binding.deleted",
      subjectType: "repo-binding",
      subjectId: row.id,
      targetId: row.targetId,
      details: { repoUrl: row.repoUrl, branch: row.branch, path: row.path },
      request: opts.request,
    });
  });
}

/** What the webhook endpoint answers. */
export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookRequestedDeployment {
  targetId: string;
  bindingId: string;
  deploymentId?: string;
  state?: string;
  error?: { code: string; message: string };
}

function webhookActor(event: PushEvent): Actor {
  return { kind: "system", id: null, name: `${event.provider} webhook (push by ${event.pusher})` };
}

/** A push a binding did not act on because it would not move the binding forward. */
interface StalePush {
  bindingId: string;
  targetId: string;
  /** The commit the binding already has from the branch. */
  lastCommitSha: string;
}

/**
 * The commit of the binding's newest webhook request: the ordering base of a binding that has no `lastCommitSha` yet
 * because it predates the column, so an old body replayed right after the upgrade is refused too.
 */
async function lastRequestedCommit(bindingId: string): Promise<string | null> {
  const row = await db().deployment.findFirst({
    where: { requestedById: `webhook:${bindingId}`, commitSha: { not: null } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { commitSha: true },
  });
  return row?.commitSha ?? null;
}

/** Thrown inside the delivery transaction when a binding's commit changed under it: decide again. */
class BindingMoved extends Error {}

type BindingRow = Awaited<ReturnType<typeof findBindings>>[number];
function findBindings() {
  return db().repoBinding.findMany({ include: { target: { select: { mode: true, name: true } } } });
}

/**
 * The ordering rule of push webhooks, per push-target binding: a push is acted on only when it moves the binding
 * forward. The binding's first push is taken as it is; after that the pushed commit must be a strict descendant of
 * the binding's last commit (git ancestry, fetched from the binding's URL, never taken from the payload). A commit
 * that does not descend (a force-push, or an old delivery replayed) is taken only when it is the branch head right
 * now, and on GitHub only when the payload also says `forced: true` (GitLab sends no such flag): that is what Argo CD
 * or Flux would deploy, while a replayed old body fails it because the head has moved on. Equal commits never redeploy.
 */
async function orderPush(
  bindings: BindingRow[],
  event: PushEvent,
  commitSha: string,
): Promise<{ accepted: BindingRow[]; stale: StalePush[]; failed: WebhookRequestedDeployment[] }> {
  const accepted: BindingRow[] = [];
  const stale: StalePush[] = [];
  const failed: WebhookRequestedDeployment[] = [];
  const answers = new Map<string, Promise<{ descends: boolean; branchHead: string | null }>>();
  for (const binding of bindings) {
    const last = binding.lastCommitSha ?? (await lastRequestedCommit(binding.id));
    if (last === null) {
      accepted.push(binding);
      continue;
    }
    if (last === commitSha) {
      stale.push({ bindingId: binding.id, targetId: binding.targetId, lastCommitSha: last });
      continue;
    }
    const key = `${binding.repoUrl}\0${binding.branch}\0${last}`;
    if (!answers.has(key))
      answers.set(
        key,
        comparePushedCommit({ url: binding.repoUrl, branch: binding.branch, current: last, pushed: commitSha }),
      );
    try {
      const order = await answers.get(key)!;
      const forcedToHead = (event.provider === "gitlab" || event.forced) && order.branchHead === commitSha;
      if (order.descends || forcedToHead) accepted.push(binding);
      else stale.push({ bindingId: binding.id, targetId: binding.targetId, lastCommitSha: last });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      failed.push({
        targetId: binding.targetId,
        bindingId: binding.id,
        error: { code: err.code, message: err.message },
      });
    }
  }
  return { accepted, stale, failed };
}

/**
 * Handles one push delivery. Order matters: the signature is checked first (against each binding of the named
 * repository — nothing else is revealed to a caller without it), then the body's digest is recorded once (a replayed
 * body finds it and does nothing, whatever delivery id it carries), then each push binding of the branch applies the
 * ordering rule (`orderPush`: only a commit newer than the binding's last one, by git ancestry) and moves its
 * `lastCommitSha` in the same transaction, then a deployment request of the pushed commit is created for every binding
 * that moved, through the same `requestDeployment` as people use (validation, approvals). The repository
 * is fetched from the binding's URL, never from a URL in the payload.
 */
export async function receiveGitWebhook(opts: {
  headers: Headers;
  rawBody: Buffer;
  request: RequestContext;
}): Promise<WebhookResult> {
  const provider = webhookProviderOf(opts.headers);
  if (!provider) {
    throw new AppError("VALIDATION_FAILED", "Not a GitHub or GitLab webhook: send X-GitHub-Event or X-Gitlab-Event.");
  }
  // Through the one JSON parse of request bodies, before anything of the payload is used: invalid UTF-8 or JSON, NUL
  // and nesting beyond 64 levels are 422, as on every route. Form-encoded GitHub deliveries (payload=…) are not
  // supported: they have no payload here, and the signature decides the status.
  const formEncoded = (opts.headers.get("content-type") ?? "")
    .toLowerCase()
    .includes("application/x-www-form-urlencoded");
  const payload = formEncoded ? null : parseJsonBody(opts.rawBody);
  const event = parsePushEvent(provider, opts.headers, payload);
  const wanted = new Set(event.repoUrls.map(normalizeRepoUrl));
  const bindings =
    wanted.size === 0 ? [] : (await findBindings()).filter((b) => wanted.has(normalizeRepoUrl(b.repoUrl)));

  const keyring = loadKeyring();
  const verified = bindings.filter((b) => {
    try {
      return verifyWebhook(
        provider,
        opts.headers,
        opts.rawBody,
        open(b.secretCiphertext, keyring, secretContext(b.id)),
      );
    } catch {
      return false;
    }
  });
  if (verified.length === 0) {
    const reason =
      bindings.length === 0
        ? "no binding for this repository"
        : opts.headers.get(provider === "github" ? "x-hub-signature-256" : "x-gitlab-token")
          ? "bad signature"
          : "missing signature";
    // Only deliveries naming a bound repository are recorded, so anonymous noise cannot flood the audit trail; those
    // are capped per source (429 beyond) and overall, and the rest summarised.
    if (bindings.length > 0) {
      throw await recordWebhookSignatureFailure({
        actor: { kind: "system", id: null, name: `${provider} webhook` },
        action: "webhook.rejected",
        subjectType: "webhook",
        subjectId: event.deliveryId,
        targetId: bindings.length === 1 ? bindings[0]!.targetId : null,
        outcome: "denied",
        details: { provider, reason, repo: bindings[0]!.repoUrl, event: event.event },
        request: opts.request,
      });
    }
    throw new AppError(
      "WEBHOOK_SIGNATURE_INVALID",
      "The webhook signature is missing or does not match any binding of this repository.",
    );
  }

  if (!event.isPush) return { status: 200, body: { ignored: "event", event: event.event } };
  if (!event.branch) return { status: 200, body: { ignored: "not a branch push" } };
  if (!event.commitSha) return { status: 200, body: { ignored: "branch deleted" } };
  const commitSha = event.commitSha;
  const matching = verified.filter((b) => b.branch === event.branch && b.target.mode === "push");
  const pullMatching = verified.filter((b) => b.branch === event.branch && b.target.mode === "pull");
  if (matching.length === 0 && pullMatching.length === 0)
    return { status: 200, body: { ignored: "no binding for this branch", branch: event.branch } };

  // Replays are recognised by what is signed, the body, together with the bindings whose secret verified it (two
  // webhooks of one repository send the same body, once per binding): a new X-GitHub-Delivery id changes nothing.
  const bodySha256 = createHash("sha256").update(opts.rawBody).digest("hex");
  const verifiedIds = verified.map((b) => b.id).sort();
  const deliveryKey = `${provider}:sha256-${createHash("sha256")
    .update(`${bodySha256}\n${verifiedIds.join(",")}`)
    .digest("hex")}`;
  const deliveryId = `${provider}:${event.deliveryId ?? `sha256-${bodySha256}`}`;
  // The provider's id is kept too: a redelivery it makes is ignored even if the body differs in some byte. Ids are
  // random, so nobody can reserve a future delivery's id with an old body.
  const deliveryKeys = [deliveryKey, ...(event.deliveryId ? [`${provider}:id:${event.deliveryId}`] : [])];
  if (await db().webhookDelivery.findFirst({ where: { id: { in: deliveryKeys } }, select: { id: true } }))
    return { status: 200, body: { ignored: "replay", deliveryId } };

  const actor = webhookActor(event);
  let decided: { accepted: typeof matching; stale: StalePush[]; failed: WebhookRequestedDeployment[] } | undefined;
  try {
    for (let attempt = 0; attempt < 3 && !decided; attempt++) {
      // Read again on a retry: a concurrent delivery moved one of the bindings since the last decision.
      const current =
        attempt === 0
          ? matching
          : await db().repoBinding.findMany({
              where: { id: { in: matching.map((b) => b.id) } },
              include: { target: { select: { mode: true, name: true } } },
            });
      const decision = await orderPush(current, event, commitSha);
      decided = await db()
        .$transaction(async (tx) => {
          for (const id of deliveryKeys) await tx.webhookDelivery.create({ data: { id, provider } });
          // Compare-and-set: the binding still holds the commit the decision was made against, or nothing moves.
          for (const b of decision.accepted) {
            const { count } = await tx.repoBinding.updateMany({
              where: { id: b.id, lastCommitSha: b.lastCommitSha },
              data: { lastCommitSha: commitSha },
            });
            if (count !== 1) throw new BindingMoved();
          }
          // A binding whose repository could not be reached for the check counts as handled, like a failed request.
          const acted = decision.accepted.length + decision.failed.length + pullMatching.length;
          const repo = (matching[0] ?? pullMatching[0])!.repoUrl;
          await recordAuditEvent(tx, {
            actor,
            action: acted > 0 ? "webhook.accepted" : "webhook.rejected",
            subjectType: "webhook",
            subjectId: deliveryId,
            targetId: matching.length + pullMatching.length === 1 ? (matching[0] ?? pullMatching[0])!.targetId : null,
            ...(acted > 0 ? {} : { outcome: "denied" as const }),
            details: {
              provider,
              repo,
              branch: event.branch,
              commitSha,
              forced: event.forced,
              pusher: event.pusher,
              bodySha256,
              targets: [...decision.accepted, ...pullMatching].map((b) => ({ targetId: b.targetId, bindingId: b.id })),
              ...(decision.stale.length ? { notNewer: decision.stale } : {}),
              ...(acted > 0 ? {} : { reason: "not newer than the commit the binding already has" }),
            },
            request: opts.request,
          });
          return decision;
        })
        .catch((err: unknown) => {
          if (err instanceof BindingMoved) return undefined;
          throw err;
        });
    }
  } catch (err) {
    if (isUniqueViolation(err)) return { status: 200, body: { ignored: "replay", deliveryId } };
    throw err;
  }
  if (!decided)
    throw new AppError(
      "CONFLICT",
      "Concurrent pushes moved this repository's bindings; the provider's redelivery will be ordered.",
    );
  if (decided.accepted.length === 0 && decided.failed.length === 0 && pullMatching.length === 0) {
    return {
      status: 200,
      body: { ignored: "not newer", deliveryId, commitSha, branch: event.branch, notNewer: decided.stale },
    };
  }
  const accepted = decided.accepted;

  // Pull targets: wake the agents of the repositories registered there for this URL and branch; they fetch at once.
  let notified = 0;
  for (const binding of pullMatching) {
    notified += await notifyPullRepos({ url: binding.repoUrl, branch: event.branch, targetIds: [binding.targetId] });
  }

  const results: WebhookRequestedDeployment[] = [...decided.failed];
  let unexpected: unknown;
  for (const binding of accepted) {
    try {
      const deployment = await requestDeployment({
        targetId: binding.targetId,
        source: { kind: "git", url: binding.repoUrl, ref: commitSha, path: binding.path },
        reason:
          `Push to ${event.branch} by ${event.pusher} (${commitSha.slice(0, 12)})${event.headCommitMessage ? `: ${event.headCommitMessage}` : ""}`.slice(
            0,
            2000,
          ),
        actor,
        // Webhook requests belong to no person: the id never matches a user, so every human may still approve,
        // while the commit author ban (by email) keeps applying.
        principal: {
          userId: `webhook:${binding.id}`,
          email: `webhook+${binding.id}@wharf.invalid`,
          role: "deployer",
          kind: "api-token",
        },
        request: opts.request,
      });
      results.push({
        targetId: binding.targetId,
        bindingId: binding.id,
        deploymentId: deployment.id,
        state: deployment.state,
      });
    } catch (err) {
      if (!(err instanceof AppError)) unexpected ??= err;
      results.push({
        targetId: binding.targetId,
        bindingId: binding.id,
        error:
          err instanceof AppError
            ? { code: err.code, message: err.message }
            : { code: "INTERNAL", message: "Could not create the deployment request." },
      });
    }
  }
  if (unexpected !== undefined && results.length > 0 && results.every((r) => r.error) && pullMatching.length === 0) {
    // Nothing was created and the cause was on our side: forget the delivery, and put the bindings back where they
    // were (only if nothing moved them since), so the provider's redelivery works.
    await db()
      .$transaction(async (tx) => {
        await tx.webhookDelivery.deleteMany({ where: { id: { in: deliveryKeys } } });
        for (const b of accepted)
          await tx.repoBinding.updateMany({
            where: { id: b.id, lastCommitSha: commitSha },
            data: { lastCommitSha: b.lastCommitSha },
          });
      })
      .catch(() => undefined);
    throw unexpected;
  }
  return {
    status: 202,
    body: {
      accepted: true,
      deliveryId,
      commitSha,
      branch: event.branch,
      deployments: results,
      ...(decided.stale.length ? { notNewer: decided.stale } : {}),
      ...(pullMatching.length ? { pullReposNotified: notified } : {}),
    },
  };
}

/**
 * Re-seals every webhook secret that is not under the current master key (part of `wharf rekey`): one binding per
 * transaction with its audit row, and only if the ciphertext is still the one that was read.
 */
export async function rekeyRepoBindingSecrets(
  opts: { actor?: Actor } = {},
): Promise<{ rekeyed: number; failed: { bindingId: string; keyId: string }[] }> {
  const keyring = loadKeyring();
  const current = keyring.current.id;
  const result = { rekeyed: 0, failed: [] as { bindingId: string; keyId: string }[] };
  const rows = await db().repoBinding.findMany({
    select: { id: true, secretCiphertext: true },
    orderBy: { id: "asc" },
  });
  for (const row of rows) {
    const fromKeyId = keyIdOf(row.secretCiphertext);
    if (fromKeyId === current) continue;
    try {
      const done = await db().$transaction(async (tx) => {
        const resealed = seal(
          open(row.secretCiphertext, keyring, secretContext(row.id)),
          keyring,
          secretContext(row.id),
        );
        const { count } = await tx.repoBinding.updateMany({
          where: { id: row.id, secretCiphertext: row.secretCiphertext },
          data: { secretCiphertext: resealed },
        });
        if (count !== 1) return false;
        await recordAuditEvent(tx, {
          actor: opts.actor ?? SYSTEM_ACTOR,
          action: "repo-binding.rekeyed",
          subjectType: "repo-binding",
          subjectId: row.id,
          details: { fromKeyId, toKeyId: current },
        });
        return true;
      });
      if (done) result.rekeyed++;
    } catch {
      result.failed.push({ bindingId: row.id, keyId: fromKeyId });
    }
  }
  return result;
}
