import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { SYSTEM_ACTOR, type Actor, type RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { keyIdOf, open, seal } from "../crypto";
import { loadKeyring } from "../keyring";
import { envelopeContext } from "../material";
import { ZCredentialKind } from "../schemas";

export interface RekeyReport {
  currentKeyId: string;
  rekeyed: number;
  alreadyCurrent: number;
  failed: { credentialId: string; keyId: string; code: string }[];
}

/**
 * Re-seals every credential (active and history) that is not under the current master key. One row per
 * transaction, each with its `credential.rekeyed` audit row, so readers never wait long and every row is readable
 * at every moment (by the old key until its row commits, by the new one after). The update only applies when the
 * ciphertext is still the one that was read, so a concurrent replace or rekey is never overwritten.
 */
export async function rekeyCredentials(opts: { actor?: Actor; request?: RequestContext } = {}): Promise<RekeyReport> {
  const keyring = loadKeyring();
  const current = keyring.current.id;
  const report: RekeyReport = { currentKeyId: current, rekeyed: 0, alreadyCurrent: 0, failed: [] };
  report.alreadyCurrent = await db().credential.count({ where: { keyId: current } });
  const stale = await db().credential.findMany({
    where: { keyId: { not: current } },
    select: { id: true },
    orderBy: { id: "asc" },
  });

  for (const { id } of stale) {
    try {
      const done = await db().$transaction(async (tx) => {
        const row = await tx.credential.findUnique({
          where: { id },
          select: { id: true, targetId: true, kind: true, ciphertext: true, keyId: true, fingerprint: true },
        });
        if (!row || row.keyId === current) return false;
        const context = envelopeContext(row.id, ZCredentialKind.parse(row.kind));
        const fromKeyId = keyIdOf(row.ciphertext);
        const resealed = seal(open(row.ciphertext, keyring, context), keyring, context);
        const { count } = await tx.credential.updateMany({
          where: { id: row.id, ciphertext: row.ciphertext },
          data: { ciphertext: resealed, keyId: current },
        });
        if (count !== 1) return false;
        await recordAuditEvent(tx, {
          actor: opts.actor ?? SYSTEM_ACTOR,
          action: "credential.rekeyed",
          subjectType: "credential",
          subjectId: row.id,
          targetId: row.targetId,
          credentialId: row.id,
          details: { fromKeyId, toKeyId: current, fingerprint: row.fingerprint },
          request: opts.request,
        });
        return true;
      });
      if (done) report.rekeyed++;
      else report.alreadyCurrent++;
    } catch (err) {
      const row = await db().credential.findUnique({ where: { id }, select: { keyId: true } });
      report.failed.push({
        credentialId: id,
        keyId: row?.keyId ?? "?",
        code: err instanceof AppError ? err.code : "INTERNAL",
      });
    }
  }
  return report;
}
