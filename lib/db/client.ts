import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, SqlQueryable } from "@prisma/driver-adapter-utils";
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

/** Statements Prisma sends for reads: they may run on the reader connection while a transaction is open. */
const READ_STATEMENT = /^\s*SELECT\b/i;

/**
 * better-sqlite3 answers synchronously, so Prisma's promises over it resolve without ever returning to the event loop:
 * the Overview's few dozen queries held the process for their whole duration (300 ms on a loaded machine), so none of
 * the page's HTML streamed out meanwhile and every other request waited. Queries outside a transaction therefore run
 * one at a time (the one connection ran them one at a time anyway), each in its own turn of the event loop, so
 * whatever was waiting for a turn — a streamed page's next chunk, another request — runs between two queries.
 *
 * The adapter has one connection, and its lock covers only transactions: a query from another request, sent while an
 * interactive transaction was open, ran inside that transaction — a read saw its uncommitted rows, and a raw write
 * (Prisma holds its model writes back itself) was rolled back with it. Outside a transaction a query now gets what
 * PostgreSQL gives it: a read runs on a second connection kept for reads (WAL lets it read the last committed state
 * while the transaction writes), and a write waits until the transaction has ended. A transaction's own queries are
 * left as they were. The database is a file (migrate.ts sets WAL on it), never `:memory:`, so both connections see it.
 */
function isolatingSqlite(factory: PrismaBetterSqlite3): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      let reader: Promise<SqlDriverAdapter> | undefined;
      const readerAdapter = () => (reader ??= factory.connect());
      // From the call to startTransaction (it may wait for the adapter's lock, then BEGINs without another turn of the
      // event loop) until commit or rollback: a query checked in between must not run on the connection.
      const transactions = new Set<Promise<void>>();

      const { startTransaction } = adapter;
      adapter.startTransaction = async (isolationLevel) => {
        let ended!: () => void;
        const open = new Promise<void>((resolve) => (ended = resolve));
        transactions.add(open);
        const end = () => {
          transactions.delete(open);
          ended();
        };
        try {
          const transaction = await startTransaction.call(adapter, isolationLevel);
          const { commit, rollback } = transaction;
          transaction.commit = () => commit.call(transaction).finally(end);
          transaction.rollback = () => rollback.call(transaction).finally(end);
          return transaction;
        } catch (error) {
          end();
          throw error;
        }
      };

      let previous: Promise<unknown> = Promise.resolve();
      const inTurn = <T>(query: SqlQuery, run: (on: SqlQueryable) => Promise<T>): Promise<T> => {
        const next = previous
          .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
          .then(async () => {
            while (transactions.size > 0) {
              if (READ_STATEMENT.test(query.sql)) return run(await readerAdapter());
              await Promise.all(transactions);
            }
            return run(adapter);
          });
        previous = next.catch(() => undefined);
        return next;
      };
      const { queryRaw, executeRaw } = adapter;
      adapter.queryRaw = (query) =>
        inTurn(query, (on) => (on === adapter ? queryRaw.call(adapter, query) : on.queryRaw(query)));
      adapter.executeRaw = (query) =>
        inTurn(query, (on) => (on === adapter ? executeRaw.call(adapter, query) : on.executeRaw(query)));
      const { dispose } = adapter;
      adapter.dispose = async () => {
        if (reader) await (await reader).dispose();
        return dispose.call(adapter);
      };
      return adapter;
    },
  };
}

/** Creates a client for a database URL; the caller owns it and must `$disconnect()` it. */
export function createDb(url: string): Db {
  if (databaseKind(url) === "sqlite") {
    return new SqliteClient({
      adapter: isolatingSqlite(new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 10_000 })),
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
