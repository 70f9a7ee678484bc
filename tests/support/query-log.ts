import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import Database from "better-sqlite3";
import pg from "pg";
import type { Db } from "@/lib/db/client";
import { PrismaClient as PostgresClient } from "@/lib/db/generated/postgresql/client";
import { PrismaClient as SqliteClient } from "@/lib/db/generated/sqlite/client";
import { databaseKind, sqlitePath } from "@/lib/db/url";

export interface LoggedQuery {
  sql: string;
  params: unknown[];
}

/**
 * Installs a Prisma client that records every SQL statement as the process-wide client for `url` (the slot
 * `dbFor` reads), so route handlers and data functions run unchanged while the test sees the exact SQL Prisma
 * generates. Returns the log and a function that clears it.
 */
export function installQueryLog(url: string): { queries: LoggedQuery[]; clear(): void; db: Db } {
  const queries: LoggedQuery[] = [];
  const log = [{ emit: "event", level: "query" }] as const;
  const client =
    databaseKind(url) === "sqlite"
      ? new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 10_000 }), log: [...log] })
      : (new PostgresClient({
          adapter: new PrismaPg({ connectionString: url, max: 5 }),
          log: [...log],
        }) as unknown as SqliteClient);
  (client as unknown as { $on(e: "query", cb: (ev: { query: string; params: string }) => void): void }).$on(
    "query",
    (ev) => {
      let params: unknown[] = [];
      try {
        params = JSON.parse(ev.params) as unknown[];
      } catch {
        params = [];
      }
      queries.push({ sql: ev.query, params });
    },
  );
  (globalThis as unknown as { wharfDb?: { url: string; db: Db } }).wharfDb = { url, db: client };
  return { queries, clear: () => void queries.splice(0), db: client };
}

/**
 * A plan as lines: SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's JSON plan flattened to node descriptions.
 * `seqScan: false` plans with PostgreSQL's sequential scans off: for a table so small that a scan is the planner's
 * right choice, it shows which index serves the query's predicate once the table grows.
 */
export async function explain(url: string, q: LoggedQuery, opts: { seqScan?: boolean } = {}): Promise<string[]> {
  if (databaseKind(url) === "sqlite") {
    const conn = new Database(sqlitePath(url), { readonly: true });
    try {
      const params = q.params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
      return (conn.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    } finally {
      conn.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (opts.seqScan === false) await client.query("SET enable_seqscan = off");
    const res = await client.query<{ "QUERY PLAN": [{ Plan: PgPlan }] }>(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
    const lines: string[] = [];
    const walk = (node: PgPlan) => {
      lines.push(
        `${node["Node Type"]}${node["Relation Name"] ? ` on ${node["Relation Name"]}` : ""}${node["Index Name"] ? ` using ${node["Index Name"]}` : ""}`,
      );
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(res.rows[0]!["QUERY PLAN"][0].Plan);
    return lines;
  } finally {
    await client.end();
  }
}

interface PgPlan {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PgPlan[];
}

/**
 * Plan lines that read a whole table without an index: SQLite `SCAN [main.]<table>` without `USING … INDEX`,
 * PostgreSQL `Seq Scan on <table>`. Only the tables in `big` count; tiny lookup tables are cheaper to scan.
 *
 * `rowidOrder`: on SQLite a table whose INTEGER PRIMARY KEY is the sort key (AuditEvent.seq) is walked in key order
 * by a plain `SCAN` that stops after LIMIT rows — that is an index walk, and is accepted for the tables named here
 * as long as SQLite does not sort (no `USE TEMP B-TREE FOR ORDER BY`). Only pass it for unfiltered, key-ordered pages.
 */
export function fullScans(
  plan: string[],
  big: readonly string[],
  opts: { rowidOrder?: readonly string[] } = {},
): string[] {
  const sorts = plan.some((line) => /USE TEMP B-TREE FOR ORDER BY/.test(line));
  return plan.filter((line) => {
    const sqlite = /^SCAN (?:\w+\.)?(\w+)(?!.*USING (COVERING )?INDEX)/.exec(line);
    if (sqlite && !sorts && opts.rowidOrder?.includes(sqlite[1]!)) return false;
    const postgres = /^Seq Scan on (\w+)/.exec(line);
    const table = sqlite?.[1] ?? postgres?.[1];
    return !!table && big.includes(table);
  });
}
