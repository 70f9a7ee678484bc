import "server-only";
import { recordAuditEvent, recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import { countAuditEvent, type UseWindowMs } from "@/lib/audit/data/record-capped-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { open } from "../crypto";
import { loadKeyring } from "../keyring";
import { deserializeMaterial, envelopeContext, type CredentialMaterial } from "../material";
import { ZCredentialKind, type TCredentialKind } from "../schemas";

/** Why a credential is being decrypted; recorded on the audit row so "who used this and for what" has an answer. */
export interface DecryptPurpose {
  /** `status`: reading a push application's live state (lib/applications/data/read-push-live-state.ts). */
  kind: "deployment" | "preview" | "render" | "rotation" | "rekey" | "scope-check" | "status";
  id: string;
}

/**
 * Purposes whose decrypts are counted per credential and window instead of a row each (their summary row says how
 * many, lib/audit/data/record-capped-audit-event.ts countAuditEvent): live-status reads happen every few seconds while
 * someone looks, and a row each would bury every other use of the credential. Still accounted for in the decrypt's
 * own transaction.
 */
export const AGGREGATED_PURPOSES: Partial<Record<DecryptPurpose["kind"], UseWindowMs>> = { status: 5 * 60_000 };

export interface DecryptedCredentialInfo {
  id: string;
  targetId: string;
  kind: TCredentialKind;
  fingerprint: string;
}

/**
 * The only way to use a credential's secret. One transaction writes the `credential.decrypted` audit row and then
 * decrypts; if the audit row cannot be written, nothing is decrypted. The material is handed to `fn` only and is
 * not returned (whatever `fn` returns is). `fn` runs after the commit, so a slow cluster call does not hold the
 * database's write lock (SQLite has one writer); the audit row therefore records access, whatever `fn` then does.
 * A failed decrypt (unknown key, tampered row) rolls its audit row back and records a `failure` row instead.
 */
export async function withDecryptedCredential<T>(
  credentialId: string,
  opts: {
    actor: Actor;
    purpose: DecryptPurpose;
    request: RequestContext;
    /** The clock of an aggregated purpose's window (tests move it); defaults to the wall clock. */
    now?: Date;
  },
  fn: (material: CredentialMaterial, credential: DecryptedCredentialInfo) => Promise<T> | T,
): Promise<T> {
  // Known once the row is read, so a failed decrypt can still be recorded against the right credential.
  const seen: { info: DecryptedCredentialInfo | null } = { info: null };
  let opened: { material: CredentialMaterial; info: DecryptedCredentialInfo };
  try {
    opened = await db().$transaction(async (tx) => {
      const row = await tx.credential.findUnique({ where: { id: credentialId } });
      if (!row) throw new AppError("NOT_FOUND", "There is no credential with this id.");
      const info: DecryptedCredentialInfo = {
        id: row.id,
        targetId: row.targetId,
        kind: ZCredentialKind.parse(row.kind),
        fingerprint: row.fingerprint,
      };
      seen.info = info;
      if (row.state !== "active")
        throw new AppError(
          "CREDENTIAL_NOT_ACTIVE",
          "This credential was replaced; only a target's active credential can be used.",
        );
      const aggregateMs = AGGREGATED_PURPOSES[opts.purpose.kind];
      if (aggregateMs) {
        // One summary per credential and window: the purpose id (which application) varies within it, so it is left
        // out; the live state row names the credential it was read with.
        await countAuditEvent(tx, {
          entry: {
            action: "credential.decrypted",
            subjectType: "credential",
            subjectId: row.id,
            targetId: row.targetId,
            credentialId: row.id,
            details: { purpose: opts.purpose.kind, fingerprint: row.fingerprint, keyId: row.keyId },
          },
          windowMs: aggregateMs,
          ...(opts.now ? { now: opts.now } : {}),
        });
      } else {
        await recordAuditEvent(tx, {
          actor: opts.actor,
          action: "credential.decrypted",
          subjectType: "credential",
          subjectId: row.id,
          targetId: row.targetId,
          credentialId: row.id,
          details: {
            purpose: opts.purpose.kind,
            purposeId: opts.purpose.id,
            fingerprint: row.fingerprint,
            keyId: row.keyId,
          },
          request: opts.request,
        });
      }
      return {
        material: deserializeMaterial(open(row.ciphertext, loadKeyring(), envelopeContext(row.id, info.kind))),
        info,
      };
    });
  } catch (err) {
    const known = seen.info;
    if (
      known &&
      err instanceof AppError &&
      (err.code === "MASTER_KEY_UNAVAILABLE" ||
        err.code === "CREDENTIAL_UNREADABLE" ||
        err.code === "CREDENTIAL_NOT_ACTIVE")
    ) {
      await recordStandaloneAuditEvent({
        actor: opts.actor,
        action: "credential.decrypted",
        subjectType: "credential",
        subjectId: known.id,
        targetId: known.targetId,
        credentialId: known.id,
        outcome: err.code === "CREDENTIAL_NOT_ACTIVE" ? "denied" : "failure",
        details: {
          purpose: opts.purpose.kind,
          purposeId: opts.purpose.id,
          fingerprint: known.fingerprint,
          error: err.code,
        },
        request: opts.request,
      }).catch(() => undefined);
    }
    throw err;
  }
  return fn(opened.material, opened.info);
}
