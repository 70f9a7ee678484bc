import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client";
import { PrismaClient as SqliteClient, type Prisma } from "./generated/sqlite/client";
import { databaseKind, sqlitePath } from "./url";

/**
 * The Prisma client type used throughout Wharf. Both generated clients come from one model file
 * (prisma/models.prisma), so the PostgreSQL client has the same shape; the SQLite one names the type.
 */
export type Db = SqliteClient;
/** The client handed to `$transaction` callbacks. */
export type Tx = Prisma.TransactionClient;

/**
 * Interactive transactions get more than Prisma's 5 s: storing a large rendered source (kube-prometheus, ~4 MB) with
 * its objects and audit row took 5.1 s on a loaded 2-core machine and failed with a 500 although nothing was wrong.
 * The audit chain lock is held for the transaction, so this stays bounded rather than unlimited.
 */
const TRANSACTION_OPTIONS = { timeout: 30_000, maxWait: 10_000 } as const;

/**
 * better-sqlite3 answers synchronously, so Prisma's promises over it resolve without ever returning to the event loop:
 * the Overview's few dozen queries held the process for their whole duration (300 ms on a loaded machine), so none of
 * the page's HTML streamed out meanwhile and every other request waited. Queries outside a transaction now run one at
 * a time (the one connection ran them one at a time anyway), each in its own turn of the event loop, so whatever was
 * waiting for a turn — a streamed page's next chunk, another request — runs between two queries. A transaction's own
 * queries are left as they were: no more of other requests' queries land inside it on the shared connection.
 */
function yieldingSqlite(factory: PrismaBetterSqlite3): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      let previous: Promise<unknown> = Promise.resolve();
      const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
        const next = previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(run);
        previous = next.catch(() => undefined);
        return next;
      };
      const { queryRaw, executeRaw } = adapter;
      adapter.queryRaw = (query) => inTurn(() => queryRaw.call(adapter, query));
      adapter.executeRaw = (query) => inTurn(() => executeRaw.call(adapter, query));
      return adapter;
    },
  };
}

/** Creates a client for a database URL; the caller owns it and must `$disconnect()` it. */
export function createDb(url: string): Db {
  if (databaseKind(url) === "sqlite") {
    return new SqliteClient({
      adapter: yieldingSqlite(new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 10_000 })),
      transactionOptions: TRANSACTION_OPTIONS,
    });
  }
  const client = new PostgresClient({
    // JIT off for every connection: Wharf's statements are short keyset pages, and PostgreSQL's cost model priced
    // some of them past jit_above_cost, compiling ~280 ms for a plan that runs in ~20 ms (the applications list).
    adapter: new PrismaPg({ connectionString: url, max: 10, options: "-c jit=off" }),
    transactionOptions: TRANSACTION_OPTIONS,
  });
  return client as unknown as Db;
}

const globalForDb = globalThis as unknown as { wharfDb?: { url: string; db: Db } };

/**
 * The process-wide client for `url`. Kept on globalThis so Next's dev reloads do not open a new pool per edit.
 */
export function dbFor(url: string): Db {
  const existing = globalForDb.wharfDb;
  if (existing && existing.url === url) return existing.db;
  const db = createDb(url);
  globalForDb.wharfDb = { url, db };
  return db;
}
