import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as verifyRoute from "@/app/api/audit/verify/route";
import * as usersRoute from "@/app/api/users/route";
import { CHAIN_SCHEMES, GENESIS_HASH, hashAuditRow, type ChainedFields } from "@/lib/audit/chain";
import { checkpointFileIn } from "@/lib/audit/checkpoint-file";
import { startAuditCheckpoints } from "@/lib/audit/checkpoints";
import { rekeyAuditChainKey } from "@/lib/audit/data/audit-keys";
import { writeAuditCheckpoint } from "@/lib/audit/data/write-audit-checkpoint";
import { dbFor } from "@/lib/db/client";
import { keyIdOf } from "@/lib/keys/crypto";
import { keyIdFor } from "@/lib/keys/keyring";
import { env, resetEnvCache } from "@/lib/env";
import { callRoute, createCaller, type Caller } from "../support/api";
import { auditVerifyCli, dropAuditTriggers, legacyAuditFields } from "../support/audit-chain";
import { useTestDatabase } from "../support/test-db";

// Issue 16, Must 6: the attacks a database administrator can make on the audit trail, done for real on each database
// (triggers dropped with raw SQL, rows edited and rehashed, the newest rows deleted), and what `audit verify` says.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
const LEGACY_ROWS = 3;

const cli = auditVerifyCli;

async function addUsers(n: number, tag: string) {
  for (let i = 0; i < n; i++) {
    const res = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      as: admin,
      body: {
        email: `${tag}-${i}@example.com`,
        name: `${tag} ${i}`,
        role: "viewer",
        password: "correct horse battery",
      },
    });
    expect(res.status).toBe(201);
  }
}

const dropTriggers = () => dropAuditTriggers(db(), t.kind);

const allRows = () => db().auditEvent.findMany({ orderBy: { seq: "asc" } });
type Row = Awaited<ReturnType<typeof allRows>>[number];

/** Writes rows back column by column (the triggers are dropped), to undo an attack before the next one. */
async function restore(rows: Row[]) {
  for (const r of rows) {
    await db()
      .$executeRaw`UPDATE "AuditEvent" SET "actorName" = ${r.actorName}, "ip" = ${r.ip}, "prevHash" = ${r.prevHash}, "hash" = ${r.hash}, "chainScheme" = ${r.chainScheme} WHERE "seq" = ${r.seq}`;
  }
}

/**
 * The attack of the issue: edit one row's actor and address, then recompute its hash and every later one with plain
 * SHA-256 (all the attacker can compute), optionally also marking the rewritten rows unkeyed.
 */
async function rewriteFrom(seq: number, opts: { markPlain: boolean }) {
  const rows = await allRows();
  let prev = rows.filter((x) => x.seq < seq).pop()?.hash ?? GENESIS_HASH;
  for (const r of rows.filter((x) => x.seq >= seq)) {
    const fields: ChainedFields = { ...r, prevHash: prev };
    if (r.seq === seq) Object.assign(fields, { actorName: "mallory", ip: "203.0.113.66" });
    const hash = hashAuditRow(fields);
    const scheme = opts.markPlain ? CHAIN_SCHEMES.plain : r.chainScheme;
    await db()
      .$executeRaw`UPDATE "AuditEvent" SET "actorName" = ${fields.actorName}, "ip" = ${fields.ip}, "prevHash" = ${prev}, "hash" = ${hash}, "chainScheme" = ${scheme} WHERE "seq" = ${r.seq}`;
    prev = hash;
  }
}

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  // Rows written before the chain was keyed: plain SHA-256, as the previous version of Wharf wrote them.
  let prev = GENESIS_HASH;
  for (let i = 0; i < LEGACY_ROWS; i++) {
    const fields = legacyAuditFields(i, prev);
    prev = hashAuditRow(fields);
    await db().auditEvent.create({ data: { ...fields, hash: prev } });
  }
  admin = await createCaller("admin");
  await addUsers(30, "anchored");
});

describe("audit chain anchored outside the database", () => {
  it("keeps legacy rows on plain SHA-256, keys every new row, and says what it checked against", async () => {
    const rows = await allRows();
    expect(rows.slice(0, LEGACY_ROWS).every((r) => r.chainScheme === "sha256")).toBe(true);
    const keyed = rows.slice(LEGACY_ROWS);
    expect(keyed.length).toBeGreaterThanOrEqual(25);
    // Keyed, and since issue 16 Must 1 also covering the names the row stores.
    expect(keyed.every((r) => r.chainScheme === "hmac-sha256+names")).toBe(true);
    // A keyed row's hash is not what plain SHA-256 gives: a database-only attacker cannot recompute it.
    expect(hashAuditRow(keyed[0]!)).not.toBe(keyed[0]!.hash);
    // The root secret is stored sealed under the master key, not in the clear and not the master key itself.
    const stored = await db().auditChainKey.findUniqueOrThrow({ where: { id: "audit-chain" } });
    expect(stored.sealed).toMatch(/^v1\./);
    expect(stored.sealed).not.toContain(env().WHARF_MASTER_KEY);

    const file = checkpointFileIn(env().dataDir);
    expect(fs.existsSync(file)).toBe(false);
    const first = await cli();
    expect(first.code).toBe(0);
    expect(first.out).toContain(`intact, ${rows.length} rows`);
    expect(first.out).toContain(
      `checked: ${rows.length} rows, ${keyed.length} keyed rows (HMAC) from seq ${keyed[0]!.seq}; 0 signed checkpoints`,
    );
    const head = rows[rows.length - 1]!;
    expect(first.out).toContain(`wrote checkpoint seq ${head.seq}`);
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ v: 1, seq: head.seq, head: head.hash, keyedFrom: keyed[0]!.seq });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const res = await callRoute(verifyRoute.POST, { method: "POST", path: "/api/audit/verify", as: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      intact: true,
      rows: rows.length,
      checked: {
        rows: rows.length,
        keyedRows: keyed.length,
        firstKeyedSeq: keyed[0]!.seq,
        head: { seq: head.seq, hash: head.hash },
        checkpoints: { file, valid: 1, last: { seq: head.seq } },
      },
      checkpointWritten: { seq: head.seq },
    });
  });

  it("writes periodic checkpoints only when the head moved, from the leased loop", async () => {
    expect(await writeAuditCheckpoint()).toBeNull(); // verify just wrote this head
    await addUsers(1, "periodic");
    const head = await db().auditEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
    const loop = startAuditCheckpoints({ intervalMs: 60_000 });
    try {
      await vi.waitFor(
        () => {
          const last = fs.readFileSync(checkpointFileIn(env().dataDir), "utf8").trim().split("\n").pop()!;
          expect(JSON.parse(last)).toMatchObject({ seq: head.seq, head: head.hash });
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      await loop.stop();
    }
    expect(await writeAuditCheckpoint()).toBeNull();
  });

  it("reports a rewritten chain: trigger dropped, a row edited, later hashes recomputed with plain SHA-256", async () => {
    const before = await allRows();
    const victim = before[LEGACY_ROWS + 5]!;
    await dropTriggers();

    await rewriteFrom(victim.seq, { markPlain: false });
    let out = await cli();
    expect(out.code).toBe(1);
    expect(out.out).toContain(`BROKEN at seq ${victim.seq} (id ${victim.id}`);
    expect(out.out).toMatch(/does not match its keyed hash/);

    // Marking the rewritten rows as plain SHA-256 rows does not help: they come after keyed ones.
    await restore(before);
    await rewriteFrom(victim.seq, { markPlain: true });
    out = await cli();
    expect(out.code).toBe(1);
    expect(out.out).toContain(`BROKEN at seq ${victim.seq}`);
    expect(out.out).toMatch(/unkeyed row after the chain became keyed/);

    // Nor does rewriting the whole trail as plain SHA-256 from the first row and removing the key: the signed
    // checkpoints outside the database hold the old head and the keyed boundary.
    await restore(before);
    await rewriteFrom(before[0]!.seq, { markPlain: true });
    await db().auditChainKey.deleteMany({});
    out = await cli();
    expect(out.code).toBe(1);
    expect(out.out).toMatch(/checkpoint line 1 .*is not valid: it cannot be checked: the audit chain key is missing/);

    await restore(before);
    const sealedBack = await db().auditChainKey.count();
    expect(sealedBack).toBe(0);
    // The key comes back the same while the master key is unchanged (derived from it), so the chain verifies again.
    await addUsers(1, "rekeyed");
    expect((await cli()).code).toBe(0);
  });

  it("reports a truncated tail: the newest 20 rows deleted below the last checkpoint", async () => {
    expect((await cli()).code).toBe(0); // a checkpoint of the current head
    const before = await allRows();
    const head = before[before.length - 1]!;
    const kept = before[before.length - 21]!;
    await dropTriggers();
    await db().$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" > ${kept.seq}`);

    const out = await cli();
    expect(out.code).toBe(1);
    expect(out.out).toContain(`BROKEN at seq ${head.seq}:`);
    expect(out.out).toMatch(
      new RegExp(`the newest row is seq ${kept.seq} but the signed checkpoint of .* recorded seq ${head.seq}`),
    );
    const res = await callRoute(verifyRoute.POST, { method: "POST", path: "/api/audit/verify", as: admin });
    expect(res.body).toMatchObject({
      intact: false,
      brokenAt: { seq: head.seq, id: null, at: null },
      checked: { head: { seq: kept.seq }, checkpoints: { last: { seq: head.seq } } },
      checkpointWritten: null,
    });

    // Put back exactly what was there (same sequence numbers): intact again.
    for (const r of before.filter((x) => x.seq > kept.seq)) await db().auditEvent.create({ data: r });
    expect((await cli()).code).toBe(0);
  });

  it("reports a forged checkpoint line, and what it claims does not count", async () => {
    const file = checkpointFileIn(env().dataDir);
    const good = fs.readFileSync(file, "utf8");
    const last = JSON.parse(good.trim().split("\n").pop()!) as Record<string, unknown>;
    const count = good.trim().split("\n").length;
    // A checkpoint claiming a longer chain, signed with a key the forger made up.
    const forged = { ...last, seq: (last.seq as number) + 50, sig: randomBytes(32).toString("hex") };
    fs.appendFileSync(file, `${JSON.stringify(forged)}\n`);

    const out = await cli();
    expect(out.code).toBe(1);
    expect(out.out).toMatch(
      new RegExp(`checkpoint line ${count + 1} of .* is not valid: its signature does not verify`),
    );
    expect(out.out).toContain(`${count} signed checkpoints`);

    fs.writeFileSync(file, good);
    expect((await cli()).code).toBe(0);
  });

  it("keeps verifying after the master key changes and the old key is gone (the root is resealed)", async () => {
    const oldKey = process.env.WHARF_MASTER_KEY!;
    const newKey = randomBytes(32).toString("base64");
    process.env.WHARF_MASTER_KEY = newKey;
    process.env.WHARF_PREVIOUS_MASTER_KEYS = oldKey;
    resetEnvCache();
    try {
      expect(await rekeyAuditChainKey()).toEqual({ rekeyed: true, missingKeyId: null });
      const stored = await db().auditChainKey.findUniqueOrThrow({ where: { id: "audit-chain" } });
      expect(keyIdOf(stored.sealed)).toBe(keyIdFor(Buffer.from(newKey, "base64")));
      expect(await rekeyAuditChainKey()).toEqual({ rekeyed: false, missingKeyId: null });
      delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
      resetEnvCache();
      await addUsers(1, "after-rekey");
      const out = await cli();
      expect(out.code).toBe(0);
      expect(out.out).toMatch(/signed checkpoints/);
    } finally {
      process.env.WHARF_MASTER_KEY = newKey;
      delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
      resetEnvCache();
    }
  });
});
