import { describe, expect, it } from "vitest";
import {
  CHAIN_SCHEMES,
  GENESIS_HASH,
  deriveAuditKeys,
  deriveAuditRoot,
  hashAuditRow,
  signCheckpoint,
  verifyChain,
  type AuditCheckpoint,
  type CheckpointLine,
  type ChainedFields,
} from "@/lib/audit/chain";

type Row = ChainedFields & { seq: number; hash: string; chainScheme?: string };

const keys = deriveAuditKeys(deriveAuditRoot(Buffer.alloc(32, 7)));

/** Builds a correctly linked chain of `n` rows, as recordAuditEvent would; rows from `keyedFrom` on are keyed. */
function chain(n: number, keyedFrom = Infinity): Row[] {
  const rows: Row[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields: ChainedFields = {
      id: `row-${i}`,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorKind: "user",
      actorId: "u1",
      actorName: "alice@example.com",
      action: "target.created",
      subjectType: "target",
      subjectId: `t${i}`,
      targetId: `t${i}`,
      credentialId: null,
      outcome: "success",
      ip: "10.0.0.1",
      userAgent: "vitest",
      requestId: `req-${i}`,
      details: JSON.stringify({ i }),
      prevHash: prev,
    };
    const keyed = i >= keyedFrom;
    const hash = hashAuditRow(fields, keyed ? keys.chain : null);
    rows.push({ ...fields, seq: i, hash, chainScheme: keyed ? CHAIN_SCHEMES.keyed : CHAIN_SCHEMES.plain });
    prev = hash;
  }
  return rows;
}

async function* stream(rows: Row[]): AsyncIterable<Row> {
  for (const r of rows) yield r;
}

describe("verifyChain", () => {
  it("reports an intact chain with its row count", async () => {
    expect(await verifyChain(stream(chain(5)))).toMatchObject({ intact: true, rows: 5, checked: { keyedRows: 0 } });
  });

  it("treats an empty trail as intact with zero rows", async () => {
    expect(await verifyChain(stream([]))).toMatchObject({ intact: true, rows: 0, checked: { head: null } });
  });

  it("detects an edited field at the edited row", async () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, actorName: "mallory@example.com" };
    const verdict = await verifyChain(stream(rows));
    expect(verdict.intact).toBe(false);
    if (verdict.intact) return;
    expect(verdict.brokenAt).toMatchObject({ seq: 3, id: "row-3", reason: expect.stringMatching(/edited/) });
    expect(verdict.brokenAt.at).toEqual(rows[2]!.at);
    expect(verdict.rows).toBe(3);
  });

  it("detects an edit that also recomputes the row's own hash, at the next row", async () => {
    const rows = chain(5);
    const forged = { ...rows[1]!, outcome: "denied" };
    rows[1] = { ...forged, hash: hashAuditRow(forged) };
    const verdict = await verifyChain(stream(rows));
    expect(verdict).toMatchObject({
      intact: false,
      brokenAt: { seq: 3, reason: expect.stringMatching(/removed or reordered/) },
    });
  });

  it("detects a removed middle row at the row after the gap", async () => {
    const rows = chain(5);
    rows.splice(2, 1);
    expect(await verifyChain(stream(rows))).toMatchObject({ intact: false, brokenAt: { seq: 4, id: "row-4" } });
  });

  it("detects a removed first row", async () => {
    expect(await verifyChain(stream(chain(3).slice(1)))).toMatchObject({ intact: false, brokenAt: { seq: 2 } });
  });

  it("detects reordered rows", async () => {
    const rows = chain(4);
    [rows[1], rows[2]] = [rows[2]!, rows[1]!];
    expect(await verifyChain(stream(rows))).toMatchObject({ intact: false, brokenAt: { seq: 3 } });
  });

  it("does not detect a removed last row without a checkpoint (the chain alone has no external anchor)", async () => {
    // Truncating the tail leaves a valid, shorter chain; only a checkpoint kept outside the database tells.
    expect(await verifyChain(stream(chain(4).slice(0, 3)))).toMatchObject({ intact: true, rows: 3 });
  });
});

function line(cp: AuditCheckpoint, n = 1, key = keys.checkpoint): CheckpointLine {
  return { line: n, checkpoint: cp, sig: signCheckpoint(cp, key) };
}

describe("verifyChain with a keyed chain and checkpoints", () => {
  const at = "2026-01-01T00:10:00.000Z";

  it("verifies plain rows before the keyed ones and reports what it checked", async () => {
    const rows = chain(6, 3);
    const cp: AuditCheckpoint = { v: 1, seq: 5, head: rows[4]!.hash, keyedFrom: 3, at };
    expect(await verifyChain(stream(rows), { keys, checkpoints: [line(cp)], checkpointFile: "cp.jsonl" })).toEqual({
      intact: true,
      rows: 6,
      checked: {
        rows: 6,
        keyedRows: 4,
        firstKeyedSeq: 3,
        head: { seq: 6, hash: rows[5]!.hash },
        checkpoints: { file: "cp.jsonl", valid: 1, last: { seq: 5, at } },
      },
    });
  });

  it("fails a keyed row recomputed with plain SHA-256, whether or not its marker is flipped", async () => {
    const rows = chain(5, 1);
    const forged = { ...rows[2]!, actorName: "mallory" };
    rows[2] = { ...forged, hash: hashAuditRow(forged) };
    expect(await verifyChain(stream(rows), { keys })).toMatchObject({
      intact: false,
      brokenAt: { seq: 3, reason: expect.stringMatching(/keyed hash/) },
    });
    rows[2] = { ...rows[2], chainScheme: CHAIN_SCHEMES.plain };
    expect(await verifyChain(stream(rows), { keys })).toMatchObject({
      intact: false,
      brokenAt: { seq: 3, reason: expect.stringMatching(/unkeyed row after the chain became keyed at seq 1/) },
    });
  });

  it("fails a keyed row when the key is missing", async () => {
    expect(await verifyChain(stream(chain(2, 1)))).toMatchObject({
      intact: false,
      brokenAt: { seq: 1, reason: expect.stringMatching(/key is missing/) },
    });
  });

  it("fails a chain downgraded to plain SHA-256 from the start against a checkpoint's head and boundary", async () => {
    const keyed = chain(4, 2);
    const plain = chain(4);
    const cp: AuditCheckpoint = { v: 1, seq: 4, head: keyed[3]!.hash, keyedFrom: 2, at };
    expect(await verifyChain(stream(plain), { keys, checkpoints: [line(cp)] })).toMatchObject({
      intact: false,
      brokenAt: { seq: 4, reason: expect.stringMatching(/differs from the signed checkpoint/) },
    });
    const sameHead: AuditCheckpoint = { ...cp, head: plain[3]!.hash };
    expect(await verifyChain(stream(plain), { keys, checkpoints: [line(sameHead)] })).toMatchObject({
      intact: false,
      brokenAt: { seq: 4, reason: expect.stringMatching(/became keyed at no row.*says seq 2/) },
    });
  });

  it("fails a tail removed below the last checkpoint, with no row to point at", async () => {
    const rows = chain(6, 1);
    const cp: AuditCheckpoint = { v: 1, seq: 6, head: rows[5]!.hash, keyedFrom: 1, at };
    expect(await verifyChain(stream(rows.slice(0, 4)), { keys, checkpoints: [line(cp)] })).toMatchObject({
      intact: false,
      rows: 4,
      brokenAt: { seq: 6, id: null, at: null, reason: expect.stringMatching(/newest row is seq 4.*recorded seq 6/) },
    });
  });

  it("fails a checkpoint line with a bad signature or shape, and ignores what it claims", async () => {
    const rows = chain(3, 1);
    const claim: AuditCheckpoint = { v: 1, seq: 99, head: "f".repeat(64), keyedFrom: 1, at };
    const other = deriveAuditKeys(deriveAuditRoot(Buffer.alloc(32, 8)));
    for (const bad of [line(claim, 2, other.checkpoint), { line: 2, bad: "not JSON" }]) {
      const good = line({ v: 1, seq: 3, head: rows[2]!.hash, keyedFrom: 1, at }, 1);
      expect(await verifyChain(stream(rows), { keys, checkpoints: [good, bad] })).toMatchObject({
        intact: false,
        rows: 3,
        brokenAt: { id: null, reason: expect.stringMatching(/checkpoint line 2 is not valid/) },
        checked: { checkpoints: { valid: 1, last: { seq: 3 } } },
      });
    }
  });
});
