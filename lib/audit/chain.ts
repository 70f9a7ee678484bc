import { createHash, createHmac, hkdfSync } from "node:crypto";

/** The fields of an audit row that its hash covers: everything but the database's own sequence number. */
export interface ChainedFields {
  id: string;
  at: Date;
  actorKind: string;
  actorId: string | null;
  actorName: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  targetId: string | null;
  credentialId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: string;
  prevHash: string;
  /** The names the row is about (JSON) and their indexed copies; hashed only by the "hmac-sha256+names" scheme. */
  names?: string | null;
  targetName?: string | null;
  credentialLabel?: string | null;
  applicationName?: string | null;
}

/** The chain starts from this value, so the first row's link is checked like every other. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * How a row's hash was computed. `sha256`: plain, rows written before the chain was keyed (anyone can recompute it).
 * `hmac-sha256`: keyed with the audit chain key, which a database-only attacker does not have. `hmac-sha256+names`:
 * keyed, and the input also covers the names the row stores (names JSON, target name, credential label, application
 * name); rows written before names were kept keep their scheme and their hash input, so they still verify.
 */
export const CHAIN_SCHEMES = { plain: "sha256", keyed: "hmac-sha256", keyedNames: "hmac-sha256+names" } as const;

/** The schemes whose hash needs the audit chain key. */
export const KEYED_CHAIN_SCHEMES: readonly string[] = [CHAIN_SCHEMES.keyed, CHAIN_SCHEMES.keyedNames];

/** The keys of the keyed chain and its checkpoints, both derived from the audit root secret (never used directly). */
export interface AuditKeys {
  chain: Buffer;
  checkpoint: Buffer;
}

/**
 * HKDF-SHA256 with a distinct info label per use, so the chain key, the checkpoint key and the credential encryption
 * key are independent: knowing one says nothing about another.
 */
function derive(ikm: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, "wharf-audit", info, 32));
}

/** The audit root secret as first derived from a master key; stored sealed afterwards (lib/audit/data/audit-keys.ts). */
export function deriveAuditRoot(masterKey: Buffer): Buffer {
  return derive(masterKey, "wharf/audit-root/v1");
}

/** The chain (row HMAC) and checkpoint (signature) keys of an audit root secret. */
export function deriveAuditKeys(root: Buffer): AuditKeys {
  return { chain: derive(root, "wharf/audit-chain/v1"), checkpoint: derive(root, "wharf/audit-checkpoint/v1") };
}

/**
 * The hash of a row over a fixed-order JSON encoding of its fields, including the previous row's hash, so editing any
 * field of any row, or removing a row, breaks the link of that row or the next one. With `key`, HMAC-SHA256 (the
 * keyed scheme: recomputing it needs the key); without, plain SHA-256 (rows from before the chain was keyed). With
 * `withNames` (scheme "hmac-sha256+names"), the stored names are appended to the input, so editing them is noticed.
 */
export function hashAuditRow(row: ChainedFields, key?: Buffer | null, withNames = false): string {
  const fields: unknown[] = [
    row.id,
    row.at.toISOString(),
    row.actorKind,
    row.actorId,
    row.actorName,
    row.action,
    row.subjectType,
    row.subjectId,
    row.targetId,
    row.credentialId,
    row.outcome,
    row.ip,
    row.userAgent,
    row.requestId,
    row.details,
    row.prevHash,
  ];
  if (withNames) {
    fields.push(row.names ?? null, row.targetName ?? null, row.credentialLabel ?? null, row.applicationName ?? null);
  }
  const canonical = JSON.stringify(fields);
  return (key ? createHmac("sha256", key) : createHash("sha256")).update(canonical).digest("hex");
}

/** A signed statement, kept outside the database, that the chain had head `head` at sequence `seq` at time `at`. */
export interface AuditCheckpoint {
  v: 1;
  seq: number;
  head: string;
  /** The first keyed row's sequence number (null while none exists), so a keyed chain cannot be passed off as plain. */
  keyedFrom: number | null;
  at: string;
}

function checkpointPayload(cp: AuditCheckpoint): string {
  return JSON.stringify(["wharf-audit-checkpoint", cp.v, cp.seq, cp.head, cp.keyedFrom, cp.at]);
}

/** The signature of a checkpoint: HMAC-SHA256 under the checkpoint key, hex. */
export function signCheckpoint(cp: AuditCheckpoint, key: Buffer): string {
  return createHmac("sha256", key).update(checkpointPayload(cp)).digest("hex");
}

/** What a verification checked, so "intact" says against what: rows, keyed rows, the checkpoints it compared. */
export interface ChainChecked {
  rows: number;
  keyedRows: number;
  firstKeyedSeq: number | null;
  head: { seq: number; hash: string } | null;
  checkpoints: {
    /** Where they are read from (the data directory's file). */
    file: string;
    /** Valid (signature verified) checkpoint lines read. */
    valid: number;
    /** The newest valid checkpoint: the chain must reach its sequence with its head. */
    last: { seq: number; at: string } | null;
  };
}

/** Where verification failed: a row (seq, id, time) or, for a missing tail or a bad checkpoint, no row. */
export interface BrokenAt {
  seq: number | null;
  id: string | null;
  at: Date | null;
  reason: string;
}

export type ChainVerdict =
  | { intact: true; rows: number; checked: ChainChecked }
  | { intact: false; rows: number; brokenAt: BrokenAt; checked: ChainChecked };

/** A checkpoint line as read from the file, or why it is unusable. */
export type CheckpointLine = { line: number; checkpoint: AuditCheckpoint; sig: string } | { line: number; bad: string };

export interface VerifyChainOptions {
  /** The audit chain's keys; null when none exists (a chain with no keyed rows and no checkpoints). */
  keys?: AuditKeys | null;
  /** Every checkpoint line in file order. */
  checkpoints?: CheckpointLine[];
  checkpointFile?: string;
}

type VerifiedRow = ChainedFields & { seq: number; hash: string; chainScheme?: string };

/**
 * Walks rows in sequence order and reports the first broken link, then compares the chain with the signed
 * checkpoints: every checkpoint's sequence must be in the chain with the head it recorded (else the chain was
 * rewritten, or its newest rows removed), and its keyed boundary must match. A keyed row needs the key; once one
 * keyed row is seen, an unkeyed row after it is a downgrade, whatever its marker says. Takes an async iterable so a
 * caller can stream a million rows in pages without holding them.
 */
export async function verifyChain(
  rows: AsyncIterable<VerifiedRow>,
  opts: VerifyChainOptions = {},
): Promise<ChainVerdict> {
  const keys = opts.keys ?? null;
  const lines = opts.checkpoints ?? [];
  const valid: AuditCheckpoint[] = [];
  let badLine: { line: number; reason: string; seq: number | null } | null = null;
  for (const l of lines) {
    if ("bad" in l) {
      badLine ??= { line: l.line, reason: l.bad, seq: null };
    } else if (!keys) {
      badLine ??= {
        line: l.line,
        reason: "it cannot be checked: the audit chain key is missing from the database",
        seq: l.checkpoint.seq,
      };
    } else if (!timingSafeHexEqual(signCheckpoint(l.checkpoint, keys.checkpoint), l.sig)) {
      badLine ??= { line: l.line, reason: "its signature does not verify (forged or altered)", seq: l.checkpoint.seq };
    } else {
      valid.push(l.checkpoint);
    }
  }
  const bySeq = new Map<number, AuditCheckpoint[]>();
  for (const cp of valid) bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp]);
  const last = valid.reduce<AuditCheckpoint | null>((a, cp) => (!a || cp.seq > a.seq ? cp : a), null);

  const checked: ChainChecked = {
    rows: 0,
    keyedRows: 0,
    firstKeyedSeq: null,
    head: null,
    checkpoints: { file: opts.checkpointFile ?? "", valid: valid.length, last: last && { seq: last.seq, at: last.at } },
  };
  const broken = (row: VerifiedRow | null, reason: string, seq?: number): ChainVerdict => ({
    intact: false,
    rows: checked.rows,
    brokenAt: { seq: row?.seq ?? seq ?? null, id: row?.id ?? null, at: row?.at ?? null, reason },
    checked,
  });

  let prev = GENESIS_HASH;
  for await (const row of rows) {
    checked.rows++;
    const scheme = row.chainScheme ?? CHAIN_SCHEMES.plain;
    if (row.prevHash !== prev) {
      return broken(row, "link to the previous row does not match (a row was removed or reordered)");
    }
    if (scheme === CHAIN_SCHEMES.keyed || scheme === CHAIN_SCHEMES.keyedNames) {
      if (!keys) return broken(row, "the row is keyed but the audit chain key is missing from the database");
      checked.keyedRows++;
      checked.firstKeyedSeq ??= row.seq;
      // Relabelling a names row "hmac-sha256" changes its hash input too, so it fails here like any other edit.
      if (hashAuditRow(row, keys.chain, scheme === CHAIN_SCHEMES.keyedNames) !== row.hash) {
        return broken(
          row,
          "row content does not match its keyed hash (the row was edited, or rehashed without the key)",
        );
      }
    } else if (scheme === CHAIN_SCHEMES.plain) {
      if (checked.firstKeyedSeq !== null) {
        return broken(
          row,
          `unkeyed row after the chain became keyed at seq ${checked.firstKeyedSeq} (rehashed with plain SHA-256)`,
        );
      }
      if (hashAuditRow(row) !== row.hash) {
        return broken(row, "row content does not match its hash (the row was edited)");
      }
    } else {
      return broken(row, `unknown chain scheme ${JSON.stringify(scheme)}`);
    }
    for (const cp of bySeq.get(row.seq) ?? []) {
      if (cp.head !== row.hash) {
        return broken(row, `the row's hash differs from the signed checkpoint of ${cp.at} (the chain was rewritten)`);
      }
      if (cp.keyedFrom !== null && cp.keyedFrom !== checked.firstKeyedSeq) {
        return broken(
          row,
          `the chain became keyed at ${checked.firstKeyedSeq === null ? "no row" : `seq ${checked.firstKeyedSeq}`}, the signed checkpoint of ${cp.at} says seq ${cp.keyedFrom} (the chain was rewritten)`,
        );
      }
      bySeq.delete(row.seq);
    }
    prev = row.hash;
    checked.head = { seq: row.seq, hash: row.hash };
  }
  const missing = [...bySeq.values()].flat().sort((a, b) => b.seq - a.seq)[0];
  if (missing) {
    const head = checked.head;
    return broken(
      null,
      head && missing.seq > head.seq
        ? `the newest row is seq ${head.seq} but the signed checkpoint of ${missing.at} recorded seq ${missing.seq} (newest rows were deleted)`
        : `seq ${missing.seq}, recorded by the signed checkpoint of ${missing.at}, is not in the chain (rows were deleted)`,
      missing.seq,
    );
  }
  if (badLine) {
    return broken(
      null,
      `checkpoint line ${badLine.line}${opts.checkpointFile ? ` of ${opts.checkpointFile}` : ""} is not valid: ${badLine.reason}`,
      badLine.seq ?? undefined,
    );
  }
  return { intact: true, rows: checked.rows, checked };
}

function timingSafeHexEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
