import { describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { createScratchDatabase, useTestDatabase } from "../support/test-db";

// Upgrading a database that already holds credentials gives each one the default label, "<target name> <kind>", on
// SQLite and on PostgreSQL, so no list shows an unlabelled credential after the upgrade.
const t = useTestDatabase();
const MIGRATION = "20261206164700_credential_label";

describe("the credential label migration on a database with credentials", () => {
  it('labels existing credentials "<target name> <kind>", cut to 100 characters', async () => {
    const migrations = listMigrations(t.kind).map((m) => m.name);
    const before = migrations[migrations.indexOf(MIGRATION) - 1]!;
    const url = await createScratchDatabase(t.kind);
    await migrateDatabase(url, { until: before });

    const old: Db = createDb(url);
    const now = new Date(Date.UTC(2026, 4, 1));
    const longName = `payments-${"x".repeat(120)}`;
    try {
      // Written with raw SQL: the generated client knows only the new schema.
      for (const [id, name] of [
        ["t-short", "payments-prod"],
        ["t-long", longName],
      ] as const) {
        await old.$executeRaw`INSERT INTO "Target" ("id", "name", "environment", "mode", "serverUrl", "updatedAt") VALUES (${id}, ${name}, 'prod', 'push', 'https://k', ${now})`;
      }
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "ciphertext", "keyId", "fingerprint", "lastRotatedAt") VALUES ('c-short', 't-short', 'bearer-token', 'x', 'k', 'f1', ${now})`;
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "state", "ciphertext", "keyId", "fingerprint", "lastRotatedAt") VALUES ('c-old', 't-short', 'client-certificate', 'superseded', 'x', 'k', 'f0', ${now})`;
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "ciphertext", "keyId", "fingerprint", "lastRotatedAt") VALUES ('c-long', 't-long', 'service-account-token', 'x', 'k', 'f2', ${now})`;
    } finally {
      await old.$disconnect();
    }

    expect(await migrateDatabase(url)).toContain(MIGRATION);

    const db = createDb(url);
    try {
      const rows = await db.credential.findMany({ orderBy: { id: "asc" }, select: { id: true, label: true } });
      expect(rows).toEqual([
        { id: "c-long", label: `${longName} service-account-token`.slice(0, 100) },
        { id: "c-old", label: "payments-prod client-certificate" },
        { id: "c-short", label: "payments-prod bearer-token" },
      ]);
    } finally {
      await db.$disconnect();
    }
  });
});
