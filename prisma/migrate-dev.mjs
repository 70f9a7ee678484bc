// Creates a new migration for BOTH databases from prisma/models.prisma, offline (no schema-engine binary).
// Each provider replays its history into a throw-away database, diffs against the schema and writes
// prisma/<provider>/migrations/<timestamp>_<name>/migration.sql. Needs PostgreSQL at WHARF_DEV_PG_URL
// (default postgresql://postgres@127.0.0.1:5432/postgres) to create the scratch database.
// Usage: npm run db:migrate:dev -- NAME
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migrate:dev -- NAME   (lower-case letters, digits and _)");
  process.exit(2);
}
const prismaDir = path.dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [path.join(prismaDir, "generate.mjs")], { stdio: "inherit" });
const tool = path.join(prismaDir, "migrate-offline.mjs");

const migrationDirs = (provider) =>
  new Set(
    fs.existsSync(path.join(prismaDir, provider, "migrations"))
      ? fs.readdirSync(path.join(prismaDir, provider, "migrations"))
      : [],
  );
const sqliteBefore = migrationDirs("sqlite");
const postgresBefore = migrationDirs("postgresql");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-migrate-"));
execFileSync(process.execPath, [tool, "dev", name, path.join(prismaDir, "sqlite", "schema.prisma")], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: `file:${path.join(tmp, "dev.db")}` },
});
fs.rmSync(tmp, { recursive: true, force: true });

const adminUrl = process.env.WHARF_DEV_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const scratch = `wharf_migrate_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${scratch}"`);
try {
  const u = new URL(adminUrl);
  u.pathname = `/${scratch}`;
  execFileSync(process.execPath, [tool, "dev", name, path.join(prismaDir, "postgresql", "schema.prisma")], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: u.toString() },
  });
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
  await admin.end();
}

// Indexes the PostgreSQL migrations create by hand because the Prisma schema cannot describe them (shared models,
// no SQLite equivalent): a diff sees them as extra and would drop them in every new migration, so those statements
// are taken out again, and a migration left with nothing else is not written.
const HAND_MADE_POSTGRES_INDEXES = [
  // Trigram index of the Applications list's name search (20261206221207_application_status_columns).
  "Application_name_trgm_idx",
];
for (const dir of [...migrationDirs("postgresql")].filter((d) => !postgresBefore.has(d))) {
  const file = path.join(prismaDir, "postgresql", "migrations", dir, "migration.sql");
  let sql = fs.readFileSync(file, "utf8");
  for (const index of HAND_MADE_POSTGRES_INDEXES)
    sql = sql.replace(new RegExp(`(-- DropIndex\\n)?DROP INDEX "${index}";\\n?`, "g"), "");
  if (sql.replace(/--[^\n]*/g, "").trim() === "") {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    console.log(`removed ${dir}: it only dropped hand-made indexes`);
  } else fs.writeFileSync(file, sql);
}

// Both histories must carry the same folder names (tests/unit/db/prisma-schemas.test.ts checks it): the two runs
// started a few seconds apart, so give the PostgreSQL folder the SQLite folder's timestamped name.
const sqliteNew = [...migrationDirs("sqlite")].filter((d) => !sqliteBefore.has(d));
const postgresNew = [...migrationDirs("postgresql")].filter((d) => !postgresBefore.has(d));
if (sqliteNew.length !== postgresNew.length) {
  console.error(
    `warning: SQLite created ${sqliteNew.join(", ") || "nothing"} but PostgreSQL created ${postgresNew.join(", ") || "nothing"}`,
  );
} else if (sqliteNew[0] && postgresNew[0] && sqliteNew[0] !== postgresNew[0]) {
  fs.renameSync(
    path.join(prismaDir, "postgresql", "migrations", postgresNew[0]),
    path.join(prismaDir, "postgresql", "migrations", sqliteNew[0]),
  );
  console.log(`named the PostgreSQL migration ${sqliteNew[0]} to match SQLite`);
}
