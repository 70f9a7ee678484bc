import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { dbFor } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();

describe("migrations", () => {
  it("are recorded like Prisma Migrate records them, and a second run applies nothing", async () => {
    expect(await migrateDatabase(t.url)).toEqual([]);
    const rows = await dbFor(t.url).$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(listMigrations(t.kind).map((m) => m.name));
  });

  it("upgrade an SQLite database with data without losing rows that reference rebuilt tables", async () => {
    // Prisma alters SQLite tables by rebuilding them (DROP + RENAME); with foreign keys enforced that DROP would
    // cascade-delete every credential of every target.
    const first = listMigrations("sqlite")[0]!.name;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-upgrade-"));
    const url = `file:${path.join(dir, "old.db")}`;
    try {
      await migrateDatabase(url, { until: first });
      const raw = new Database(path.join(dir, "old.db"));
      raw
        .prepare(
          `INSERT INTO "Target" (id, name, environment, mode, serverUrl, updatedAt) VALUES ('t1', 'old', 'dev', 'push', 'https://k', 0)`,
        )
        .run();
      raw
        .prepare(
          `INSERT INTO "Credential" (id, targetId, kind, ciphertext, keyId, fingerprint) VALUES ('c1', 't1', 'bearer-token', 'x', 'k', 'f')`,
        )
        .run();
      raw.close();
      const applied = await migrateDatabase(url);
      expect(applied.length).toBe(listMigrations("sqlite").length - 1);
      const after = new Database(path.join(dir, "old.db"));
      expect(after.prepare(`SELECT count(*) AS n FROM "Credential"`).get()).toEqual({ n: 1 });
      expect(after.pragma("foreign_keys", { simple: true })).toBe(1);
      after.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
