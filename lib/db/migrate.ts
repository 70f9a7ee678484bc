import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { ADVISORY_LOCKS } from "./advisory-locks";
import { databaseKind, sqlitePath, type DatabaseKind } from "./url";

const prismaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma");

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The committed migrations of one database kind, in order (prisma/<kind>/migrations/<name>/migration.sql). */
export function listMigrations(kind: DatabaseKind): Migration[] {
  const dir = path.join(prismaDir, kind, "migrations");
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// The same bookkeeping table Prisma Migrate keeps, so `prisma migrate status` still works for someone with the CLI.
const MIGRATIONS_TABLE: Record<DatabaseKind, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL,
    "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

/**
 * A step a migration's SQL cannot express without a second copy of one of Wharf's rules: it runs right after the named
 * migration is applied (on PostgreSQL still under the migration lock), when `table` holds rows. The steps belong to
 * the domains whose rules they apply, so they are passed in (lib/upgrade/migrate-database.ts) rather than imported here.
 */
export interface AfterMigrationStep {
  table: string;
  run: (url: string) => Promise<void>;
}

export type AfterMigrationSteps = Readonly<Record<string, AfterMigrationStep>>;

/**
 * Applies pending migrations to the database at `url` and returns their names. Each migration runs in its own
 * transaction and is recorded in `_prisma_migrations`. A migration that was applied with a different checksum is
 * an error: someone edited history. On PostgreSQL an advisory lock lets several dashboard processes start at once.
 * Callers go through `migrateDatabase` (lib/upgrade), which adds the domains' after-migration steps.
 */
export async function runMigrations(
  url: string,
  opts: { until?: string; afterMigration: AfterMigrationSteps },
): Promise<string[]> {
  const kind = databaseKind(url);
  // `until` stops after the named migration: upgrade tests start from an older schema.
  const migrations = listMigrations(kind).filter((m) => !opts.until || m.name <= opts.until);
  return kind === "sqlite"
    ? migrateSqlite(url, migrations, opts.afterMigration)
    : migratePostgres(url, migrations, opts.afterMigration);
}
function checkHistory(applied: Map<string, string>, migrations: Migration[]): Migration[] {
  for (const m of migrations) {
    const checksum = applied.get(m.name);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new Error(`Migration ${m.name} was changed after it was applied (checksum mismatch).`);
    }
  }
  return migrations.filter((m) => !applied.has(m.name));
}

async function migrateSqlite(
  url: string,
  migrations: Migration[],
  afterMigration: AfterMigrationSteps,
): Promise<string[]> {
  const file = sqlitePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: 10_000 });
  try {
    // WAL lets the dashboard read while the executor writes; it is a property of the file, so set it once here.
    sqlite.pragma("journal_mode = WAL");
    sqlite.exec(MIGRATIONS_TABLE.sqlite);
    const rows = sqlite
      .prepare(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
      )
      .all() as { migration_name: string; checksum: string }[];
    const pending = checkHistory(new Map(rows.map((r) => [r.migration_name, r.checksum])), migrations);
    // Prisma redefines a table to alter it (create new, copy, DROP old). The script's own `PRAGMA foreign_keys=OFF`
    // is ignored inside a transaction, and with enforcement on, dropping the old table would cascade-delete rows
    // that reference it. So enforcement goes off around the migrations, and the result is checked before it is on.
    sqlite.pragma("foreign_keys = OFF");
    try {
      for (const m of pending) {
        const started = new Date().toISOString();
        sqlite.transaction(() => {
          sqlite.exec(m.sql);
          const broken = sqlite.pragma("foreign_key_check") as unknown[];
          if (broken.length) throw new Error(`Migration ${m.name} leaves ${broken.length} broken foreign key(s).`);
          sqlite
            .prepare(
              `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
            )
            .run(randomUUID(), m.checksum, new Date().toISOString(), m.name, started);
        })();
      }
    } finally {
      sqlite.pragma("foreign_keys = ON");
    }
    const steps = pending.flatMap((m) => {
      const step = afterMigration[m.name];
      return step && sqlite.prepare(`SELECT 1 FROM "${step.table}" LIMIT 1`).get() ? [step] : [];
    });
    sqlite.close();
    for (const step of steps) await step.run(url);
    return pending.map((m) => m.name);
  } finally {
    if (sqlite.open) sqlite.close();
  }
}

async function migratePostgres(
  url: string,
  migrations: Migration[],
  afterMigration: AfterMigrationSteps,
): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${ADVISORY_LOCKS.migrations})`);
    await client.query(MIGRATIONS_TABLE.postgresql);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
    );
    const pending = checkHistory(new Map(rows.map((r) => [r.migration_name, r.checksum])), migrations);
    for (const m of pending) {
      await client.query("BEGIN");
      try {
        const started = new Date();
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), m.checksum, m.name, started],
        );
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${m.name} failed: ${(e as Error).message}`);
      }
    }
    // Still under the advisory lock: a second process starting at the same time waits for the backfill.
    for (const m of pending) {
      const step = afterMigration[m.name];
      if (step && (await client.query(`SELECT 1 FROM "${step.table}" LIMIT 1`)).rowCount) await step.run(url);
    }
    return pending.map((m) => m.name);
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCKS.migrations})`).catch(() => undefined);
    await client.end();
  }
}
