import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { SYSTEM_ACTOR, type Actor } from "@/lib/audit/schemas";
import { keyIdOf, open, seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { db } from "@/lib/db";
import { secretContext } from "../webhooks";

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
