import "server-only";
import { keyIdOf, open, seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { db } from "@/lib/db";
import { sinkEnvelopeContext } from "../signing";

/**
 * Re-seals every notification sink's signing secret that is not under the current master key (part of
 * `npm run wharf -- rekey`). Each update applies only if the ciphertext is still the one read, so a concurrent
 * secret rotation is never overwritten. Sinks whose key is missing are reported, not changed.
 */
export async function rekeyNotificationSinkSecrets(): Promise<{
  rekeyed: number;
  failed: { sinkId: string; keyId: string }[];
}> {
  const keyring = loadKeyring();
  const result = { rekeyed: 0, failed: [] as { sinkId: string; keyId: string }[] };
  const sinks = await db().notificationSink.findMany({
    select: { id: true, secretCiphertext: true },
    orderBy: { id: "asc" },
  });
  for (const sink of sinks) {
    let keyId = "?";
    try {
      keyId = keyIdOf(sink.secretCiphertext);
      if (keyId === keyring.current.id) continue;
      const context = sinkEnvelopeContext(sink.id);
      const resealed = seal(open(sink.secretCiphertext, keyring, context), keyring, context);
      const { count } = await db().notificationSink.updateMany({
        where: { id: sink.id, secretCiphertext: sink.secretCiphertext },
        data: { secretCiphertext: resealed },
      });
      result.rekeyed += count;
    } catch {
      result.failed.push({ sinkId: sink.id, keyId });
    }
  }
  return result;
}
