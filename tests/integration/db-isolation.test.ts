import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dbFor } from "@/lib/db/client";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();

/** An interactive transaction that has written a row and stays open until `finish` is called, then rolls back. */
function openTransactionWithRow(key: string) {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let wrote!: () => void;
  const written = new Promise<void>((resolve) => (wrote = resolve));
  const settled = dbFor(t.url)
    .$transaction(async (tx) => {
      await tx.signInFailure.create({ data: { key } });
      wrote();
      await finished;
      throw new Error("rolled back on purpose");
    })
    .then(
      () => "committed",
      () => "rolled back",
    );
  return { written, finish, settled };
}

// On SQLite the adapter shares one connection between every request: its lock covered only transactions, so another
// request's query sent meanwhile ran inside the open transaction. Both databases must give what PostgreSQL gives.
describe("queries outside an open interactive transaction", () => {
  it("read only committed rows", async () => {
    const key = `read-${randomUUID()}`;
    const open = openTransactionWithRow(key);
    await open.written;
    const seen = await dbFor(t.url).signInFailure.count({ where: { key } });
    open.finish();
    expect(await open.settled).toBe("rolled back");
    expect(seen).toBe(0);
  });

  it("write changes that stay when that transaction rolls back", async () => {
    const key = `write-${randomUUID()}`;
    await dbFor(t.url).signInFailure.createMany({ data: [{ key }, { key }] });
    const open = openTransactionWithRow(key);
    await open.written;
    // A raw statement, sent while the other transaction is open (Prisma holds its model writes back itself; a raw
    // one, like the credential status sweep's UPDATE, reached the shared connection and ran inside the transaction).
    const write = dbFor(t.url).$executeRaw`DELETE FROM "SignInFailure" WHERE "key" = ${key}`.then((count) => ({
      count,
    }));
    // Let it reach the database (or start waiting for it) before the transaction ends.
    await new Promise((resolve) => setTimeout(resolve, 50));
    open.finish();
    expect(await open.settled).toBe("rolled back");
    // Only the two committed rows: the open transaction's own row was never committed.
    expect(await write).toEqual({ count: 2 });
    expect(await dbFor(t.url).signInFailure.count({ where: { key } })).toBe(0);
  });
});
