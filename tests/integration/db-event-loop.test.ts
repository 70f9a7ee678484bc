import { describe, expect, it } from "vitest";
import { dbFor } from "@/lib/db/client";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();

// better-sqlite3 answers synchronously: without turns between queries, a page's concurrent reads held the whole
// process (no streamed HTML, no other request) until the last one answered.
describe.runIf(t.kind === "sqlite")("SQLite queries", () => {
  it("leave the event loop a turn between each other", async () => {
    const db = dbFor(t.url);
    await db.target.count(); // connected and warm: no file reads of its own to yield on
    const queries = 20;
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const counts = await Promise.all(Array.from({ length: queries }, () => db.target.count()));
    counting = false;
    expect(counts).toEqual(new Array<number>(queries).fill(0));
    expect(turns).toBeGreaterThanOrEqual(queries - 1);
  });
});

// Short keyset pages whose estimated cost passed jit_above_cost spent ~280 ms compiling plans that ran in ~20 ms.
describe.runIf(t.kind === "postgresql")("PostgreSQL connections", () => {
  it("run with JIT compilation off", async () => {
    const db = dbFor(t.url);
    // Two at once: both of the pool's connections answer, not only the first one opened.
    const settings = await Promise.all([db.$queryRaw`SHOW jit`, db.$queryRaw`SHOW jit`]);
    expect(settings).toEqual([[{ jit: "off" }], [{ jit: "off" }]]);
  });
});
