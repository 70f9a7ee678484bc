import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, inject, onTestFinished } from "vitest";
import { stopWakeListener } from "@/lib/wake/listener";
import { dbFor } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { resetEnvCache } from "@/lib/env";

/** The PostgreSQL server integration tests use; each test file gets its own database on it. */
export function testPgUrl(): string {
  return process.env.WHARF_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
}

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local database host (${host}).`);
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated template of this project's database kind (provideTemplateDatabase): a file path or a database name. */
    wharfTemplateDatabase?: string;
  }
}

/**
 * Migrates one template database of `kind` for a whole test run, in a project's globalSetup, and provides it to the
 * project's files: each file's fresh database is then a copy of it (a file copy, `CREATE DATABASE … TEMPLATE`) instead
 * of running every migration again — on PostgreSQL 1–2 s per file on the shared CI machine. Returns the teardown that
 * removes the template.
 */
export async function provideTemplateDatabase(
  project: { provide: (key: "wharfTemplateDatabase", value: string) => void },
  kind: TestDatabase["kind"],
): Promise<() => Promise<void>> {
  if (kind === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-template-"));
    const file = path.join(dir, "template.db");
    // The migration closes the file last, which checkpoints its write-ahead log into it: the one file is the template.
    await migrateDatabase(`file:${file}`);
    project.provide("wharfTemplateDatabase", file);
    return async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const name = `wharf_template_${randomBytes(6).toString("hex")}`;
  await migrateDatabase(await createPgDatabase(name));
  project.provide("wharfTemplateDatabase", name);
  return () => dropPgDatabase(name);
}

export interface TestDatabase {
  url: string;
  kind: "sqlite" | "postgresql";
}

/**
 * Gives the calling test file a fresh, migrated database of the kind its vitest project names (WHARF_TEST_DB),
 * points DATABASE_URL at it, and removes it afterwards. Also points WHARF_DATA_DIR at a temporary folder and sets
 * a random master key, so nothing touches the developer's own data.
 */
export function useTestDatabase(): TestDatabase {
  const kind = (process.env.WHARF_TEST_DB ?? "sqlite") as "sqlite" | "postgresql";
  const handle: TestDatabase = { url: "", kind };
  let tmp = "";
  let pgName = "";

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-test-"));
    const template = inject("wharfTemplateDatabase");
    if (kind === "sqlite") {
      handle.url = `file:${path.join(tmp, "wharf.db")}`;
      if (template) fs.copyFileSync(template, path.join(tmp, "wharf.db"));
    } else {
      pgName = `wharf_test_${randomBytes(6).toString("hex")}`;
      handle.url = await createPgDatabase(pgName, template);
    }
    process.env.DATABASE_URL = handle.url;
    process.env.WHARF_DATA_DIR = tmp;
    process.env.WHARF_MASTER_KEY = randomBytes(32).toString("base64");
    delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
    resetEnvCache();
    // A copy of the run's template has nothing left to apply; without one (a config without the globalSetup) this
    // migrates from scratch. Either way the file starts on the current schema.
    await migrateDatabase(handle.url);
  });

  afterAll(async () => {
    // The wake-up listener holds its own connection; stop it before the database is dropped under it.
    stopWakeListener();
    await dbFor(handle.url).$disconnect();
    if (pgName) await dropPgDatabase(pgName);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  return handle;
}

async function adminQuery(...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: testPgUrl() });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database on the test PostgreSQL server (empty, or a copy of `template`) and returns its URL. Its commits
 * do not wait for the WAL flush (synchronous_commit off): a test database never outlives a crash, and the suite
 * commits thousands of small transactions.
 */
async function createPgDatabase(name: string, template?: string): Promise<string> {
  assertLocal(testPgUrl());
  await adminQuery(
    `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`,
    `ALTER DATABASE "${name}" SET synchronous_commit = off`,
  );
  const u = new URL(testPgUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropPgDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * An extra empty, NOT migrated database of `kind` (for upgrade tests that migrate it step by step); call it inside a
 * test: it is removed when that test finishes.
 */
export async function createScratchDatabase(kind: TestDatabase["kind"]): Promise<string> {
  if (kind === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-scratch-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    return `file:${path.join(dir, "scratch.db")}`;
  }
  const name = `wharf_scratch_${randomBytes(5).toString("hex")}`;
  const url = await createPgDatabase(name);
  onTestFinished(() => dropPgDatabase(name));
  return url;
}
