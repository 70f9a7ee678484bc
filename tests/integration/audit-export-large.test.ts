import { randomUUID } from "node:crypto";
import v8 from "node:v8";
import vm from "node:vm";
import Database from "better-sqlite3";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import * as auditExportRoute from "@/app/api/audit/export/route";
import * as accessExportRoute from "@/app/api/credential-access/export/route";
import { GENESIS_HASH, hashAuditRow, type ChainedFields } from "@/lib/audit/chain";
import { dbFor } from "@/lib/db/client";
import { sqlitePath } from "@/lib/db/url";
import { createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const ROWS = 100_000;
const CHUNK = 1_000;
const MiB = 1024 * 1024;
/**
 * Generous against what streaming holds (one page of 1000 rows and its chunk, about 1 MiB), tight against what
 * buffering would: 100k row views alone take over 30 MiB, the body 40–85 MB.
 */
const HELD_LIMIT = 16 * MiB;
let approver: Caller;
let credentialId: string;

// A collectable heap is what "flat" means: force a collection before each sample so garbage does not count.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const COLUMNS = [
  "id",
  "at",
  "actorKind",
  "actorId",
  "actorName",
  "action",
  "subjectType",
  "subjectId",
  "targetId",
  "credentialId",
  "outcome",
  "ip",
  "userAgent",
  "requestId",
  "details",
  "prevHash",
  "hash",
] as const;

/**
 * Inserts ROWS valid, chained credential.decrypted rows straight through the database driver, CHUNK rows per
 * INSERT. Not through Prisma: the per-row writer or createMany would take minutes, and Prisma keeps recent raw
 * statements (with their values) in a cache that would then be freed page by page during the export, hiding what
 * the export itself holds.
 */
async function insertDecryptRows(targetId: string): Promise<void> {
  let prev = GENESIS_HASH;
  const start = Date.now() - ROWS * 1000;
  const chunks: unknown[][][] = [];
  for (let offset = 0; offset < ROWS; offset += CHUNK) {
    const chunk: unknown[][] = [];
    for (let i = offset; i < Math.min(ROWS, offset + CHUNK); i++) {
      const fields: ChainedFields = {
        id: randomUUID(),
        at: new Date(start + i * 1000),
        actorKind: "system",
        actorId: null,
        actorName: "wharf executor",
        action: "credential.decrypted",
        subjectType: "credential",
        subjectId: credentialId,
        targetId,
        credentialId,
        outcome: "success",
        ip: null,
        userAgent: null,
        requestId: randomUUID(),
        details: JSON.stringify({
          purpose: "deployment",
          purposeId: `dep-${i}`,
          fingerprint: "0123456789ab",
          keyId: "k1",
        }),
        prevHash: prev,
      };
      const row = { ...fields, hash: hashAuditRow(fields) };
      prev = row.hash;
      chunk.push(COLUMNS.map((c) => row[c]));
    }
    chunks.push(chunk);
  }
  const columnList = COLUMNS.map((c) => `"${c}"`).join(", ");
  if (t.kind === "sqlite") {
    const sqlite = new Database(sqlitePath(t.url));
    // Prisma's SQLite adapter stores instants as ISO 8601 with an explicit offset.
    const insert = sqlite.prepare(
      `INSERT INTO "AuditEvent" (${columnList}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
    );
    sqlite.transaction(() => {
      for (const chunk of chunks)
        for (const values of chunk)
          insert.run(values.map((v) => (v instanceof Date ? v.toISOString().replace("Z", "+00:00") : v)));
    })();
    sqlite.close();
    return;
  }
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    for (const chunk of chunks) {
      let n = 0;
      const tuples = chunk.map(() => `(${COLUMNS.map(() => `$${++n}`).join(", ")})`);
      await client.query(`INSERT INTO "AuditEvent" (${columnList}) VALUES ${tuples.join(", ")}`, chunk.flat());
    }
  } finally {
    await client.end();
  }
}

/**
 * Collects until the heap stops shrinking for a few cycles in a row. Some earlier work is released only through
 * finalizers (one level per collection, each needing a turn of the event loop), so one `gc()` is not enough.
 */
async function settle(): Promise<void> {
  let last = Infinity;
  let steady = 0;
  for (let i = 0; i < 100 && steady < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const now = process.memoryUsage().heapUsed;
    steady = now >= last - MiB ? steady + 1 : 0;
    last = Math.min(last, now);
  }
}

/**
 * The live JS heap after a full collection. ArrayBuffers are left out: their backing stores are released lazily,
 * after the collection, so they read as held long after nothing refers to them.
 */
async function liveBytes(): Promise<number> {
  await settle();
  return process.memoryUsage().heapUsed;
}

/**
 * Reads a streamed response body chunk by chunk, counting bytes and lines. Every fifth chunk (holding no earlier
 * chunk) it measures live memory; "held" is the most the export held at once, measured against the lower of the
 * heap before the first row and after the stream ended (whatever unrelated state the process frees meanwhile
 * would otherwise hide memory the export holds).
 */
async function consume(res: Response): Promise<{ bytes: number; lines: number; firstLine: string; held: number }> {
  expect(res.body).not.toBeNull();
  const before = await liveBytes();
  let peak = 0;
  let bytes = 0;
  let lines = 0;
  let chunks = 0;
  let head = "";
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (const b of value) if (b === 10) lines++;
    if (head.length < 2000) head += decoder.decode(value.subarray(0, 2000));
    if (++chunks % 5 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  const after = await liveBytes();
  return { bytes, lines, firstLine: head.split(/\r?\n/)[0] ?? "", held: peak - Math.min(before, after) };
}

function call(
  handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>,
  path: string,
): Promise<Response> {
  return handler(
    new Request(`http://localhost:3000${path}`, {
      headers: { host: "localhost:3000", authorization: `Bearer ${approver.token}` },
    }),
    { params: Promise.resolve({}) },
  );
}

beforeAll(async () => {
  approver = await createCaller("approver");
  const target = await dbFor(t.url).target.create({
    data: { name: "bulk-push", environment: "prod", mode: "push", serverUrl: "https://127.0.0.1:6443" },
  });
  credentialId = `bulk-${randomUUID()}`;
  await insertDecryptRows(target.id);
  // Warm up once (modules, query plans, the inserts' leftovers) so the measured runs start from a settled heap.
  await (
    await call(
      accessExportRoute.GET,
      `/api/credential-access/export?format=csv&credentialId=${credentialId}&to=${new Date(Date.now() - (ROWS - 5000) * 1000).toISOString()}`,
    )
  ).text();
}, 180_000);

describe("exporting 100k audit rows", () => {
  it("streams the credential access CSV with flat memory: header + one line per row", async () => {
    const res = await call(
      accessExportRoute.GET,
      `/api/credential-access/export?format=csv&credentialId=${credentialId}`,
    );
    expect(res.status).toBe(200);
    const out = await consume(res);
    expect(out.firstLine.startsWith("time,seq,id,actor_kind")).toBe(true);
    expect(out.lines).toBe(ROWS + 1);
    expect(out.bytes).toBeGreaterThan(10 * MiB);
    expect(out.held).toBeLessThan(HELD_LIMIT);
  }, 180_000);

  it("streams the general audit log as JSON Lines with flat memory: one line per row", async () => {
    const res = await call(auditExportRoute.GET, "/api/audit/export?format=jsonl");
    expect(res.status).toBe(200);
    const out = await consume(res);
    expect(out.lines).toBe(ROWS);
    expect(out.bytes).toBeGreaterThan(10 * MiB);
    expect(out.held).toBeLessThan(HELD_LIMIT);
  }, 180_000);
});
