import fs from "node:fs";
import path from "node:path";
import { signCheckpoint, type AuditCheckpoint, type CheckpointLine } from "./chain";

/** The checkpoint file's name in the data directory. */
export const CHECKPOINT_FILE = "audit-checkpoints.jsonl";

/** `<dataDir>/audit-checkpoints.jsonl`. */
export function checkpointFileIn(dataDir: string): string {
  return path.join(dataDir, CHECKPOINT_FILE);
}

/**
 * Every line of a checkpoint file, parsed (signatures are checked by verifyChain, which has the key). A missing file
 * is no checkpoints; a line that is not a checkpoint is kept as a bad line, so a damaged or forged file is reported
 * instead of skipped.
 */
export function readCheckpoints(file: string): CheckpointLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: CheckpointLine[] = [];
  text.split("\n").forEach((raw, i) => {
    if (!raw.trim()) return;
    const line = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      out.push({ line, bad: "not JSON" });
      return;
    }
    const o = v as Record<string, unknown>;
    if (
      !o ||
      o.v !== 1 ||
      !Number.isSafeInteger(o.seq) ||
      typeof o.head !== "string" ||
      !(o.keyedFrom === null || Number.isSafeInteger(o.keyedFrom)) ||
      typeof o.at !== "string" ||
      typeof o.sig !== "string"
    ) {
      out.push({ line, bad: "not a checkpoint (v, seq, head, keyedFrom, at, sig)" });
      return;
    }
    const checkpoint: AuditCheckpoint = {
      v: 1,
      seq: o.seq as number,
      head: o.head,
      keyedFrom: o.keyedFrom as number | null,
      at: o.at,
    };
    out.push({ line, checkpoint, sig: o.sig });
  });
  return out;
}

/**
 * Appends one signed checkpoint as a JSON line and fsyncs it before returning, so a checkpoint that was reported
 * written survives a crash. Append mode: several processes writing the same file add whole lines (each is one
 * small write), never overwrite each other.
 */
export function appendCheckpoint(file: string, cp: AuditCheckpoint, key: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const line = `${JSON.stringify({ ...cp, sig: signCheckpoint(cp, key) })}\n`;
  const fd = fs.openSync(file, "a", 0o600);
  try {
    fs.writeSync(fd, line);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
