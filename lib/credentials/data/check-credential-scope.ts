import "server-only";
import { randomUUID } from "node:crypto";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { TRole } from "@/lib/auth/roles";
import { requireReplaceRole } from "@/lib/credentials/data/require-replace-role";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { targetConnection } from "@/lib/credentials/material";
import { createKubeClient, KubeError, kubeConfigFor, selfSubjectRulesReview } from "@/lib/kube";
import { backoffDelay } from "@/lib/jobs/backoff";
import { acquireSchedulerLease, dropSchedulerLease } from "@/lib/jobs/data/scheduler-lease";
import { isClusterAdminEquivalent, type ScopeSummary } from "../scope";

/** Who checks scopes automatically, as the audit trail names it (the decrypt rows of the scope sweeper). */
export const SCOPE_CHECK_ACTOR: Actor = { kind: "system", id: null, name: "wharf:scope-check" };

/** The re-check interval when WHARF_SCOPE_CHECK_INTERVAL is off (only "Check now" runs then; this just fills the column). */
export const DEFAULT_SCOPE_CHECK_INTERVAL_MS = 24 * 3600_000;

/** How long a claim on one credential's check lasts: far beyond one rules review (a 10 s connect timeout, 2 tries). */
export const SCOPE_CLAIM_MS = 5 * 60_000;

const MAX_ERROR_CHARS = 2000;

/** Retry after failed checks: the rotation's numbers (1 min doubling to 6 h, jittered over the upper half, never below 1 min). */
const RETRY_BACKOFF = { base: 60_000, cap: 6 * 3600_000, jitter: "equal", min: 60_000 } as const;

export interface CredentialScopeResult extends ScopeSummary {
  credentialId: string;
  namespace: string;
  /** The API server said its answer may be incomplete (e.g. a webhook authorizer): cluster-admin is then a lower bound. */
  incomplete: boolean;
}

/** Options of one check. */
export interface RunScopeCheckOptions {
  credentialId: string;
  actor: Actor;
  request: RequestContext;
  now?: Date;
  /** When to check again after a success; defaults to WHARF_SCOPE_CHECK_INTERVAL (24 h when that is off). */
  intervalMs?: number;
  /** Jitter of the retry delay after a failure (tests). */
  random?: () => number;
}

const claimName = (credentialId: string) => `scope-check:${credentialId}`;

/**
 * Claims one credential's check (a SchedulerLease row per credential, lib/jobs' lease code), so two
 * dashboard processes — or the sweeper and a person's "Check now" — never check the same credential at once.
 */
export function claimScopeCheck(opts: { credentialId: string; holder: string; now?: Date }): Promise<boolean> {
  return acquireSchedulerLease({
    name: claimName(opts.credentialId),
    holder: opts.holder,
    leaseMs: SCOPE_CLAIM_MS,
    ...(opts.now ? { now: opts.now } : {}),
  });
}

export function releaseScopeCheck(opts: { credentialId: string; holder: string }): Promise<void> {
  return dropSchedulerLease({ name: claimName(opts.credentialId), holder: opts.holder });
}

function configuredIntervalMs(): number {
  return env().WHARF_SCOPE_CHECK_INTERVAL ?? DEFAULT_SCOPE_CHECK_INTERVAL_MS;
}

/**
 * Asks the cluster what the credential may do (SelfSubjectRulesReview in the target's default namespace, which
 * includes cluster-wide bindings) and stores the verdict on the row — `scopeClusterAdmin`, `scopeCheckedAt`, the
 * details in `scopeSummary` — so the comparison flags cluster-admin-equivalent credentials with an indexed count.
 * The decrypt is audited (`credential.decrypted`, purpose `scope-check`). A failure (cluster unreachable, token
 * refused, key unavailable) is stored instead (`scopeCheckError`, `scopeCheckFailures`) with a retry after a capped
 * backoff, and thrown as SCOPE_CHECK_FAILED; an earlier verdict stays. The caller holds the claim (claimScopeCheck).
 */
export async function runScopeCheck(opts: RunScopeCheckOptions): Promise<CredentialScopeResult> {
  const row = await db().credential.findUnique({
    where: { id: opts.credentialId },
    select: {
      id: true,
      state: true,
      scopeCheckFailures: true,
      target: {
        select: { name: true, serverUrl: true, caBundle: true, insecureSkipTlsVerify: true, defaultNamespace: true },
      },
    },
  });
  if (!row) throw new AppError("NOT_FOUND", "There is no credential with this id.");
  if (row.state !== "active")
    throw new AppError(
      "CREDENTIAL_NOT_ACTIVE",
      "This credential was replaced; only a target's active credential is checked.",
    );
  const now = opts.now ?? new Date();
  const intervalMs = opts.intervalMs ?? configuredIntervalMs();
  const target = row.target;
  let review: Awaited<ReturnType<typeof selfSubjectRulesReview>>;
  try {
    review = await withDecryptedCredential(
      row.id,
      { actor: opts.actor, purpose: { kind: "scope-check", id: row.id }, request: opts.request },
      async (material) => {
        const client = createKubeClient(kubeConfigFor(targetConnection(target, material)), {
          clusterName: target.name,
          retry: { attempts: 2, maxDelayMs: 1000 },
        });
        try {
          return await selfSubjectRulesReview(client, target.defaultNamespace);
        } finally {
          await client.close().catch(() => undefined);
        }
      },
    );
  } catch (err) {
    // Replaced meanwhile, or gone: nothing to record on a row that no longer counts.
    if (err instanceof AppError && (err.code === "NOT_FOUND" || err.code === "CREDENTIAL_NOT_ACTIVE")) throw err;
    const message = (
      err instanceof AppError
        ? `The credential could not be decrypted: ${err.message}`
        : `The cluster did not answer the rules review: ${err instanceof KubeError ? err.serverMessage : err instanceof Error ? err.message : String(err)}`
    ).slice(0, MAX_ERROR_CHARS);
    const failures = row.scopeCheckFailures + 1;
    const retryMs = Math.min(
      intervalMs,
      backoffDelay(failures - 1, { ...RETRY_BACKOFF, ...(opts.random ? { random: opts.random } : {}) }),
    );
    await db().credential.updateMany({
      where: { id: row.id, state: "active" },
      data: {
        scopeCheckError: message,
        scopeCheckFailures: failures,
        scopeCheckNextAt: new Date(now.getTime() + retryMs),
      },
    });
    throw new AppError("SCOPE_CHECK_FAILED", message);
  }
  const summary: ScopeSummary & { namespace: string; incomplete: boolean } = {
    clusterAdmin: isClusterAdminEquivalent(review.resourceRules),
    checkedAt: now.toISOString(),
    namespace: target.defaultNamespace,
    incomplete: review.incomplete,
  };
  await db().credential.updateMany({
    where: { id: row.id },
    data: {
      scopeSummary: JSON.stringify(summary),
      scopeClusterAdmin: summary.clusterAdmin,
      scopeCheckedAt: now,
      scopeCheckError: null,
      scopeCheckFailures: 0,
      scopeCheckNextAt: new Date(now.getTime() + intervalMs),
    },
  });
  return { credentialId: row.id, ...summary };
}

const PREVIEW_CHECK_TIMEOUT_MS = 5_000;

/** Asks a cluster for a rules review with one connection (credential included); tests replace it. */
export type RulesReviewer = (
  connection: ReturnType<typeof targetConnection>,
) => Promise<Awaited<ReturnType<typeof selfSubjectRulesReview>>>;

const reviewWithConnection: RulesReviewer = async (connection) => {
  const client = createKubeClient(kubeConfigFor(connection), {
    clusterName: connection.name,
    retry: { attempts: 1, maxDelayMs: 0 },
  });
  try {
    return await selfSubjectRulesReview(client, connection.namespace ?? "default");
  } finally {
    await client.close().catch(() => undefined);
  }
};

/**
 * The cluster-admin check of a credential that is not stored yet (the kubeconfig import preview): the same rules
 * review and the same verdict (isClusterAdminEquivalent) as runScopeCheck, with the pasted material and nothing
 * written. A cluster that does not answer gives `clusterAdmin: null` and its message.
 */
export async function checkUnstoredScope(
  connection: ReturnType<typeof targetConnection>,
  review: RulesReviewer = reviewWithConnection,
): Promise<{ clusterAdmin: boolean | null; error: string | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // A person waits on the preview: a cluster that does not answer soon is reported, not waited for.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PREVIEW_CHECK_TIMEOUT_MS / 1000} s`)),
        PREVIEW_CHECK_TIMEOUT_MS,
      );
    });
    const result = await Promise.race([review(connection), timeout]);
    return { clusterAdmin: isClusterAdminEquivalent(result.resourceRules), error: null };
  } catch (err) {
    const message = err instanceof KubeError ? err.serverMessage : err instanceof Error ? err.message : String(err);
    return { clusterAdmin: null, error: `The cluster did not answer the rules review: ${message}`.slice(0, 500) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * "Check now" (the comparison's button, POST /api/credentials/:id/scope-check): one check by a person, under the same
 * claim as the sweeper's; while another check of this credential runs, 409 CONFLICT. The check decrypts the
 * credential, so only the roles that may replace (or rotate) it may ask for one (requireReplaceRole: the policy's
 * `minReplaceRole`, admin without a policy); others get 403 and a `credential.denied` row, and nothing is decrypted.
 */
export async function checkCredentialScope(
  opts: RunScopeCheckOptions & { actorRole: TRole },
): Promise<CredentialScopeResult> {
  await requireReplaceRole({
    credentialId: opts.credentialId,
    use: "scope-check",
    actor: opts.actor,
    actorRole: opts.actorRole,
    request: opts.request,
  });
  const holder = `request:${randomUUID()}`;
  if (!(await claimScopeCheck({ credentialId: opts.credentialId, holder, ...(opts.now ? { now: opts.now } : {}) }))) {
    throw new AppError("CONFLICT", "This credential's scope is being checked right now; the result shows in a moment.");
  }
  try {
    return await runScopeCheck(opts);
  } finally {
    await releaseScopeCheck({ credentialId: opts.credentialId, holder }).catch(() => undefined);
  }
}

/**
 * Active credentials due for a scope check at `now`, for the sweeper: never checked (no `scopeCheckNextAt`: new,
 * stored or rotated since) first, longest waiting first, then those whose next check has come, most overdue first.
 * Indexed on (state, scopeCheckNextAt).
 */
export async function findDueScopeChecks(opts: { now: Date; limit: number }): Promise<string[]> {
  const fresh = await db().credential.findMany({
    where: { state: "active", scopeCheckNextAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: opts.limit,
    select: { id: true },
  });
  const left = opts.limit - fresh.length;
  const again =
    left > 0
      ? await db().credential.findMany({
          where: { state: "active", scopeCheckNextAt: { lte: opts.now } },
          orderBy: { scopeCheckNextAt: "asc" },
          take: left,
          select: { id: true },
        })
      : [];
  return [...fresh, ...again].map((r) => r.id);
}

/** Whether one credential is still due (re-read after claiming it: another process may have just checked it). */
export async function isScopeCheckDue(opts: { credentialId: string; now: Date }): Promise<boolean> {
  const row = await db().credential.findUnique({
    where: { id: opts.credentialId },
    select: { state: true, scopeCheckNextAt: true },
  });
  return (
    !!row &&
    row.state === "active" &&
    (row.scopeCheckNextAt === null || row.scopeCheckNextAt.getTime() <= opts.now.getTime())
  );
}
