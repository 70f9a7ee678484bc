import "server-only";
import { createHash } from "node:crypto";
import { notifyPullRepos } from "@/lib/agents/data/notify";
import { parseJsonBody } from "@/lib/api/read-body";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { open } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { repoKey } from "@/lib/repos/url";
import { comparePushedCommit } from "../git-source";
import {
  bindingSource,
  parsePushEvent,
  secretContext,
  verifyWebhook,
  webhookProviderOf,
  type PushEvent,
} from "../webhooks";
import { requestDeployment } from "./request-deployment";
import { recordWebhookSignatureFailure } from "./webhook-signature-failures";

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

const BINDING_READ = {
  target: { select: { mode: true, name: true } },
  application: { select: { id: true, name: true, repoUrl: true, ref: true, path: true } },
} as const;

/**
 * A binding as a delivery sees it: `repoUrl`, `branch` and `path` are the source it deploys now — its application's
 * current one when it follows it (lib/deployments/webhooks.ts bindingSource), else its own.
 */
type BindingRow = Awaited<ReturnType<typeof readBindings>>[number];

async function readBindings(where: Prisma.RepoBindingWhereInput) {
  const rows = await db().repoBinding.findMany({ where, include: BINDING_READ });
  return rows.flatMap((row) => {
    const source = bindingSource(row);
    return source ? [{ ...row, ...source }] : [];
  });
}

/**
 * The bindings of the repository the payload names, by its key (lib/repos/url.ts repoKey) in any of its spellings:
 * a binding that follows its application by the application's repository (what it deploys now), any other by its own.
 */
function findBindings(repoKeys: string[]) {
  return readBindings({
    OR: [
      { followsApplication: false, repoKey: { in: repoKeys } },
      { followsApplication: true, application: { sourceKind: "git", repoKey: { in: repoKeys } } },
    ],
  });
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
    // A binding that follows its application is newer than the column, and its ordering base is reset (null) when the
    // application's repository or ref changes: requests it made from the old branch are no base for the new one.
    const last = binding.lastCommitSha ?? (binding.followsApplication ? null : await lastRequestedCommit(binding.id));
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
 * is fetched from the binding's URL, never from a URL in the payload. A binding that follows its application deploys
 * the application's current URL, ref and path, into it, with its render options.
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
  const wanted = [...new Set(event.repoUrls.map(repoKey))];
  const bindings = wanted.length === 0 ? [] : await findBindings(wanted);

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
          : (await readBindings({ id: { in: matching.map((b) => b.id) } })).filter(
              (b) => b.branch === event.branch && b.target.mode === "push",
            );
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
        ...(binding.applicationId ? { applicationId: binding.applicationId } : {}),
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
