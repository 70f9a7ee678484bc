import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { stopAgentWakeListener } from "@/lib/agents/wake-listener";
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
    if (kind === "sqlite") {
      handle.url = `file:${path.join(tmp, "wharf.db")}`;
    } else {
      pgName = `wharf_test_${randomBytes(6).toString("hex")}`;
      handle.url = await createPgDatabase(pgName);
    }
    process.env.DATABASE_URL = handle.url;
    process.env.WHARF_DATA_DIR = tmp;
    process.env.WHARF_MASTER_KEY = randomBytes(32).toString("base64");
    delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
    resetEnvCache();
    await migrateDatabase(handle.url);
  });

  afterAll(async () => {
    // The agent wake-up listener holds its own connection; stop it before the database is dropped under it.
    stopAgentWakeListener();
    await dbFor(handle.url).$disconnect();
    if (pgName) await dropPgDatabase(pgName);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  return handle;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPgUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the test PostgreSQL server and returns its URL. */
async function createPgDatabase(name: string): Promise<string> {
  assertLocal(testPgUrl());
  await adminQuery(`CREATE DATABASE "${name}"`);
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
