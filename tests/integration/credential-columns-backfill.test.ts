import { describe, expect, it } from "vitest";
import { DAY_MS } from "@/lib/credentials/status";
import { statusColumnsFor } from "@/lib/credentials/status-columns";
import { createDb, type Db } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { createScratchDatabase, useTestDatabase } from "../support/test-db";

// Upgrading a database that already holds credentials fills the new status and scope columns at migrate time, by the
// same code the data layer uses (lib/credentials/status-columns.ts), on SQLite and on PostgreSQL.
const t = useTestDatabase();
const MIGRATION = "20261126132551_credential_status_scope";
describe("the credential status/scope migration on a database with credentials", () => {
  it("backfills boundaries by the rule and carries scope verdicts over from scopeSummary", async () => {
    const migrations = listMigrations(t.kind).map((m) => m.name);
    const before = migrations[migrations.indexOf(MIGRATION) - 1]!;
    const url = await createScratchDatabase(t.kind);
    await migrateDatabase(url, { until: before });

    const old: Db = createDb(url);
    const now = new Date(Date.UTC(2026, 4, 1));
    const rotated = new Date(now.getTime() - 20 * DAY_MS);
    const expires = new Date(now.getTime() + 3 * DAY_MS);
    try {
      // Written with raw SQL: the generated client knows only the new schema.
      await old.$executeRaw`INSERT INTO "CredentialPolicy" ("id", "name", "maxAgeDays", "warnBeforeDays", "environment", "updatedAt") VALUES ('p-prod', 'prod', 30, 5, 'prod', ${now})`;
      await old.$executeRaw`INSERT INTO "CredentialPolicy" ("id", "name", "maxAgeDays", "warnBeforeDays", "updatedAt") VALUES ('p-strict', 'strict', 7, 1, ${now})`;
      await old.$executeRaw`INSERT INTO "CredentialPolicy" ("id", "name", "maxAgeDays", "warnBeforeDays", "autoRotate", "updatedAt") VALUES ('p-auto', 'auto', 30, 5, true, ${now})`;
      for (const [id, env, policy] of [
        ["t-env", "prod", null],
        ["t-explicit", "prod", "p-strict"],
        ["t-none", "dev", null],
        ["t-auto", "dev", "p-auto"],
      ] as const) {
        await old.$executeRaw`INSERT INTO "Target" ("id", "name", "environment", "mode", "serverUrl", "credentialPolicyId", "updatedAt") VALUES (${id}, ${id}, ${env}, 'push', 'https://k', ${policy}, ${now})`;
      }
      const summary = JSON.stringify({
        clusterAdmin: true,
        checkedAt: "2026-04-20T10:00:00.000Z",
        namespace: "default",
        incomplete: false,
      });
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "ciphertext", "keyId", "fingerprint", "lastRotatedAt", "expiresAt", "scopeSummary") VALUES ('c-env', 't-env', 'bearer-token', 'x', 'k', 'f1', ${rotated}, ${expires}, ${summary})`;
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "ciphertext", "keyId", "fingerprint", "lastRotatedAt", "rotationError") VALUES ('c-explicit', 't-explicit', 'bearer-token', 'x', 'k', 'f2', ${rotated}, 'forbidden')`;
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "ciphertext", "keyId", "fingerprint", "lastRotatedAt") VALUES ('c-none', 't-none', 'bearer-token', 'x', 'k', 'f3', ${rotated})`;
      await old.$executeRaw`INSERT INTO "Credential" ("id", "targetId", "kind", "ciphertext", "keyId", "fingerprint", "lastRotatedAt", "issuedAt", "expiresAt") VALUES ('c-auto', 't-auto', 'service-account-token', 'x', 'k', 'f4', ${rotated}, ${rotated}, ${expires})`;
    } finally {
      await old.$disconnect();
    }

    expect(await migrateDatabase(url)).toContain(MIGRATION);

    const db = createDb(url);
    try {
      const rows = await db.credential.findMany({ orderBy: { id: "asc" } });
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      const strict = { maxAgeDays: 7, warnBeforeDays: 1, autoRotate: false };
      const prod = { maxAgeDays: 30, warnBeforeDays: 5, autoRotate: false };
      const auto = { maxAgeDays: 30, warnBeforeDays: 5, autoRotate: true };
      const columns = (id: string) => {
        const r = byId[id]!;
        return {
          targetEnvironment: r.targetEnvironment,
          targetName: r.targetName,
          overdueAt: r.overdueAt,
          dueSoonAt: r.dueSoonAt,
          policyMaxAgeDays: r.policyMaxAgeDays,
          rotationFailing: r.rotationFailing,
          autoRotateAt: r.autoRotateAt,
        };
      };
      const bearer = { kind: "bearer-token", issuedAt: null, lastRotatedAt: rotated };
      expect(columns("c-env")).toEqual(
        statusColumnsFor(
          { ...bearer, expiresAt: expires, rotationError: null },
          { name: "t-env", environment: "prod" },
          prod,
        ),
      );
      expect(columns("c-explicit")).toEqual(
        statusColumnsFor(
          { ...bearer, expiresAt: null, rotationError: "forbidden" },
          { name: "t-explicit", environment: "prod" },
          strict,
        ),
      );
      expect(columns("c-none")).toEqual(
        statusColumnsFor(
          { ...bearer, expiresAt: null, rotationError: null },
          { name: "t-none", environment: "dev" },
          null,
        ),
      );
      // A service account token under an autoRotate policy: due at 80 % of its 23-day lifetime, before max age.
      expect(columns("c-auto")).toEqual(
        statusColumnsFor(
          {
            kind: "service-account-token",
            issuedAt: rotated,
            lastRotatedAt: rotated,
            expiresAt: expires,
            rotationError: null,
          },
          { name: "t-auto", environment: "dev" },
          auto,
        ),
      );
      expect(byId["c-auto"]!.autoRotateAt).toEqual(new Date(rotated.getTime() + Math.floor(23 * DAY_MS * 0.8)));
      expect(byId["c-explicit"]!.rotationFailing).toBe(true);
      expect(byId["c-env"]).toMatchObject({
        scopeClusterAdmin: true,
        scopeCheckedAt: new Date("2026-04-20T10:00:00.000Z"),
        scopeCheckNextAt: null,
      });
      expect(byId["c-none"]).toMatchObject({ scopeClusterAdmin: null, scopeCheckedAt: null });
    } finally {
      await db.$disconnect();
    }
  });
});
