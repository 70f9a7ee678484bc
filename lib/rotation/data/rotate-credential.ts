import "server-only";
import { randomUUID } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { TRole } from "@/lib/auth/roles";
import { requireReplaceRole } from "@/lib/credentials/data/require-replace-role";
import { lockTarget, sealCredential } from "@/lib/credentials/data/store-credential";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { parseCredentialMaterial, readJwtClaims, targetConnection } from "@/lib/credentials/material";
import { lockStatusColumns, recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { resolvePolicyFrom } from "@/lib/credentials/views";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import {
  createKubeClient,
  KubeError,
  kubeConfigFor,
  requestServiceAccountToken,
  selfSubjectAccessReview,
  type KubeClient,
} from "@/lib/kube";
import { enqueueNotification } from "@/lib/notifications/data/enqueue-notification";
import type { TRotationReason } from "@/lib/credentials/rotation-due";
import { requestedLifetimeSeconds, rotationRetryDelayMs, serviceAccountOf } from "../schedule";

/** Who rotates automatically, as the audit trail names it. */
export const ROTATION_ACTOR: Actor = { kind: "system", id: null, name: "wharf:rotation" };

export type RotationTrigger = TRotationReason | "manual";

export type RotationOutcome =
  | {
      kind: "rotated";
      credentialId: string;
      newCredentialId: string;
      fromFingerprint: string;
      toFingerprint: string;
      expiresAt: string | null;
    }
  | { kind: "failed"; credentialId: string; message: string; attempts: number; nextAttemptAt: string };

export interface RotateCredentialOptions {
  credentialId: string;
  /** Why: the schedule's reason (`max-age`, `lifetime`) or a person's "Rotate now" (`manual`). */
  reason: RotationTrigger;
  actor: Actor;
  request: RequestContext;
  now?: Date;
  /** Jitter source for the retry delay (tests). */
  random?: () => number;
}

/** A failure in one step of a rotation, carrying the message people are shown (the API server's own words). */
class RotationStepError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

const MAX_ERROR_CHARS = 2000;

function describe(err: unknown): { message: string; status: number | null } {
  if (err instanceof RotationStepError) return { message: err.message, status: err.status };
  if (err instanceof KubeError) return { message: err.serverMessage, status: err.code || null };
  if (err instanceof AppError) return { message: err.message, status: null };
  return { message: err instanceof Error ? err.message : String(err), status: null };
}

async function loadForRotation(credentialId: string) {
  const row = await db().credential.findUnique({
    where: { id: credentialId },
    select: {
      id: true,
      kind: true,
      state: true,
      fingerprint: true,
      subject: true,
      issuedAt: true,
      expiresAt: true,
      lastRotatedAt: true,
      rotationAttempts: true,
      target: {
        select: {
          id: true,
          name: true,
          mode: true,
          serverUrl: true,
          caBundle: true,
          insecureSkipTlsVerify: true,
          defaultNamespace: true,
          environment: true,
          credentialPolicyId: true,
        },
      },
    },
  });
  if (!row) throw new AppError("NOT_FOUND", "There is no credential with this id.");
  if (row.state !== "active")
    throw new AppError(
      "CREDENTIAL_NOT_ACTIVE",
      "This credential was already replaced; only a target's active credential is rotated.",
    );
  if (row.kind !== "service-account-token") {
    throw new AppError(
      "ROTATION_NOT_AUTOMATIC",
      "Only service account tokens are rotated by Wharf (through the TokenRequest API). Paste new material with Replace credential.",
    );
  }
  return row;
}

type RotationRow = Awaited<ReturnType<typeof loadForRotation>>;

function clientWith(target: RotationRow["target"], token: string): KubeClient {
  // Few retries: the scheduler retries the whole rotation with its own (much longer) backoff.
  return createKubeClient(kubeConfigFor(targetConnection(target, { kind: "service-account-token", token })), {
    clusterName: target.name,
    retry: { attempts: 2, maxDelayMs: 1000 },
  });
}

/**
 * Rotates one service-account-token credential: decrypts it (audited, purpose `rotation`), asks the cluster for a
 * fresh token for the same ServiceAccount through the TokenRequest API with the current token, verifies the new
 * token with a SelfSubjectAccessReview made with it, and then in one transaction stores it (origin `rotated`),
 * supersedes the old one and writes `credential.rotated`. Any failure leaves the old credential active and records
 * `rotation-failed` with the server's message and a backoff (see recordRotationFailure). The old token is not
 * revoked: it keeps working until its own expiry, so deployments in flight are not cut off.
 */
export async function rotateCredential(opts: RotateCredentialOptions): Promise<RotationOutcome> {
  const row = await loadForRotation(opts.credentialId);
  const now = opts.now ?? new Date();
  const rotationId = randomUUID();
  const policy = resolvePolicyFrom(row.target, await db().credentialPolicy.findMany());
  try {
    if (row.target.mode !== "push") throw new RotationStepError(`${row.target.name} is not a push target.`, null);
    const sa = serviceAccountOf(row.subject);
    if (!sa) {
      throw new RotationStepError(
        `The token's subject (${row.subject ?? "none"}) is not a ServiceAccount (system:serviceaccount:NAMESPACE:NAME), so Wharf cannot request a new one.`,
        null,
      );
    }
    const seconds = requestedLifetimeSeconds({
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      maxAgeDays: policy?.maxAgeDays ?? null,
    });
    return await withDecryptedCredential(
      row.id,
      { actor: opts.actor, purpose: { kind: "rotation", id: rotationId }, request: opts.request },
      async (material) => {
        if (material.kind === "client-certificate")
          throw new RotationStepError("The stored material is not a token.", null);
        const current = clientWith(row.target, material.token);
        let issued: { token: string; expiresAt: Date };
        try {
          issued = await requestServiceAccountToken(current, sa.namespace, sa.name, seconds);
        } finally {
          await current.close().catch(() => undefined);
        }
        await verifyNewToken(row, issued.token);
        return commitRotation({
          row,
          token: issued.token,
          serverExpiresAt: issued.expiresAt,
          reason: opts.reason,
          rotationId,
          actor: opts.actor,
          request: opts.request,
          now,
        });
      },
    );
  } catch (err) {
    if (
      err instanceof AppError &&
      (err.code === "CONFLICT" || err.code === "CREDENTIAL_NOT_ACTIVE" || err.code === "NOT_FOUND")
    )
      throw err;
    return recordRotationFailure({
      row,
      error: err,
      reason: opts.reason,
      rotationId,
      actor: opts.actor,
      request: opts.request,
      now,
      ...(opts.random ? { random: opts.random } : {}),
    });
  }
}

/**
 * The new token must work before Wharf switches to it: the API server must accept it (a SelfSubjectAccessReview
 * made with it; 401 means it is not valid) and it must name the same ServiceAccount as the old one.
 */
async function verifyNewToken(row: RotationRow, token: string): Promise<void> {
  const claims = readJwtClaims(token);
  if (claims?.sub !== row.subject) {
    throw new RotationStepError(
      `The new token names ${claims?.sub ?? "no subject"}, not ${row.subject ?? "the old subject"}; it was not stored.`,
      null,
    );
  }
  const sa = serviceAccountOf(row.subject);
  const client = clientWith(row.target, token);
  try {
    await selfSubjectAccessReview(client, {
      verb: "create",
      resource: "serviceaccounts",
      subresource: "token",
      ...(sa ? { namespace: sa.namespace, name: sa.name } : {}),
    });
  } catch (err) {
    const { message, status } = describe(err);
    throw new RotationStepError(
      `The new token failed verification (SelfSubjectAccessReview${status ? `, HTTP ${status}` : ""}): ${message}`,
      status,
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function commitRotation(opts: {
  row: RotationRow;
  token: string;
  serverExpiresAt: Date;
  reason: RotationTrigger;
  rotationId: string;
  actor: Actor;
  request: RequestContext;
  now: Date;
}): Promise<RotationOutcome> {
  const parsed = parseCredentialMaterial({ kind: "service-account-token", token: opts.token });
  const newId = randomUUID();
  const { ciphertext, keyId } = sealCredential(newId, parsed);
  const expiresAt = parsed.metadata.expiresAt ?? opts.serverExpiresAt;
  await db().$transaction(async (tx) => {
    await lockStatusColumns(tx);
    await lockTarget(tx, opts.row.target.id);
    const { count } = await tx.credential.updateMany({
      where: { id: opts.row.id, state: "active" },
      data: {
        state: "superseded",
        supersededAt: opts.now,
        supersededById: newId,
        rotationError: null,
        nextRotationAttemptAt: null,
      },
    });
    if (count !== 1)
      throw new AppError(
        "CONFLICT",
        "The credential was replaced or rotated while this rotation ran; the new token was discarded.",
      );
    // A rotated token is the same credential to the people who named it: it keeps its label.
    const previous = await tx.credential.findUnique({ where: { id: opts.row.id }, select: { label: true } });
    await tx.credential.create({
      data: {
        id: newId,
        targetId: opts.row.target.id,
        label: previous?.label ?? null,
        kind: "service-account-token",
        state: "active",
        ciphertext,
        keyId,
        fingerprint: parsed.metadata.fingerprint,
        subject: parsed.metadata.subject,
        issuedAt: parsed.metadata.issuedAt ?? opts.now,
        expiresAt,
        lastRotatedAt: opts.now,
        origin: "rotated",
      },
    });
    await recomputeCredentialStatusColumns(tx, { where: { id: newId } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "credential.rotated",
      subjectType: "credential",
      subjectId: newId,
      targetId: opts.row.target.id,
      credentialId: newId,
      details: {
        rotationId: opts.rotationId,
        reason: opts.reason,
        fromCredentialId: opts.row.id,
        fromFingerprint: opts.row.fingerprint,
        toFingerprint: parsed.metadata.fingerprint,
        expiresAt: expiresAt.toISOString(),
        keyId,
      },
      request: opts.request,
    });
  });
  return {
    kind: "rotated",
    credentialId: opts.row.id,
    newCredentialId: newId,
    fromFingerprint: opts.row.fingerprint,
    toFingerprint: parsed.metadata.fingerprint,
    expiresAt: expiresAt.toISOString(),
  };
}

/**
 * Records a failed rotation on the (still active) credential: the server's message, when, the attempt count and the
 * next attempt after a capped exponential backoff with jitter; writes `credential.rotation-failed` (outcome failure)
 * in the same transaction, then notifies `rotation.failed` once per credential.
 */
async function recordRotationFailure(opts: {
  row: RotationRow;
  error: unknown;
  reason: RotationTrigger;
  rotationId: string;
  actor: Actor;
  request: RequestContext;
  now: Date;
  random?: () => number;
}): Promise<RotationOutcome> {
  const { message: raw, status } = describe(opts.error);
  const message = raw.slice(0, MAX_ERROR_CHARS) || "Rotation failed without a message.";
  const attempts = opts.row.rotationAttempts + 1;
  const nextAttemptAt = new Date(opts.now.getTime() + rotationRetryDelayMs(attempts, opts.random));
  await db().$transaction(async (tx) => {
    await tx.credential.updateMany({
      where: { id: opts.row.id, state: "active" },
      data: {
        rotationError: message,
        rotationFailing: true,
        rotationFailedAt: opts.now,
        rotationAttempts: { increment: 1 },
        nextRotationAttemptAt: nextAttemptAt,
      },
    });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "credential.rotation-failed",
      subjectType: "credential",
      subjectId: opts.row.id,
      targetId: opts.row.target.id,
      credentialId: opts.row.id,
      outcome: "failure",
      details: {
        rotationId: opts.rotationId,
        reason: opts.reason,
        fingerprint: opts.row.fingerprint,
        error: message,
        status,
        attempts,
        nextAttemptAt: nextAttemptAt.toISOString(),
      },
      request: opts.request,
    });
  });
  await enqueueNotification({
    input: {
      event: "rotation.failed",
      data: {
        credentialId: opts.row.id,
        targetId: opts.row.target.id,
        targetName: opts.row.target.name,
        fingerprint: opts.row.fingerprint,
        expiresAt: opts.row.expiresAt?.toISOString() ?? null,
        error: message,
        attempts,
        nextAttemptAt: nextAttemptAt.toISOString(),
      },
    },
    dedupKey: `rotation.failed:${opts.row.id}`,
    now: opts.now,
  }).catch((err: unknown) =>
    console.error(`[wharf] could not queue the rotation.failed notification for credential ${opts.row.id}:`, err),
  );
  return { kind: "failed", credentialId: opts.row.id, message, attempts, nextAttemptAt: nextAttemptAt.toISOString() };
}

/**
 * "Rotate now" by a person: the same rotation the scheduler does, at once and regardless of backoff. Allowed to the
 * roles that may replace the credential (the governing policy's `minReplaceRole`, admin without a policy); a refusal
 * is audited (`credential.denied`). Throws ROTATION_NOT_AUTOMATIC for kinds Wharf cannot rotate (paste new material
 * instead) and ROTATION_FAILED with the server's message when the rotation fails (the failure is recorded first).
 */
export async function rotateCredentialNow(opts: {
  credentialId: string;
  actor: Actor;
  actorRole: TRole;
  request: RequestContext;
  now?: Date;
}): Promise<RotationOutcome & { kind: "rotated" }> {
  await requireReplaceRole({
    credentialId: opts.credentialId,
    use: "rotate",
    actor: opts.actor,
    actorRole: opts.actorRole,
    request: opts.request,
  });
  const outcome = await rotateCredential({
    credentialId: opts.credentialId,
    reason: "manual",
    actor: opts.actor,
    request: opts.request,
    ...(opts.now ? { now: opts.now } : {}),
  });
  if (outcome.kind === "failed")
    throw new AppError("ROTATION_FAILED", `Rotation failed; the current credential stays in use. ${outcome.message}`);
  return outcome;
}
