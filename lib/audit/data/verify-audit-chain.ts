import "server-only";
import { env } from "@/lib/env";
import { verifyChain, type ChainVerdict } from "../chain";
import { checkpointFileIn, readCheckpoints } from "../checkpoint-file";
import { readAuditKeys } from "./audit-keys";
import { streamAuditEvents } from "./list-audit-events";
import { writeAuditCheckpoint } from "./write-audit-checkpoint";

/**
 * Walks the whole audit table in sequence order, a page at a time, checking every link and hash (keyed rows with the
 * audit chain key) and the signed checkpoints of the data directory: a rewritten chain, a removed tail and a forged
 * checkpoint all fail. An intact chain gets a new checkpoint of the head it verified (`checkpoint: false` to skip),
 * so the next verification also covers what this one saw. Memory stays flat however long the trail is.
 */
export async function verifyAuditChain(
  options: { pageSize?: number; checkpoint?: boolean } = {},
): Promise<ChainVerdict & { checkpointWritten: { seq: number; at: string } | null }> {
  const file = checkpointFileIn(env().dataDir);
  const verdict = await verifyChain(streamAuditEvents(options.pageSize), {
    keys: await readAuditKeys(),
    checkpoints: readCheckpoints(file),
    checkpointFile: file,
  });
  const head = verdict.checked.head;
  if (!verdict.intact || !head || options.checkpoint === false) return { ...verdict, checkpointWritten: null };
  const cp = await writeAuditCheckpoint({
    head: { ...head, keyedFrom: verdict.checked.firstKeyedSeq },
    force: true,
  });
  return { ...verdict, checkpointWritten: cp && { seq: cp.seq, at: cp.at } };
}
