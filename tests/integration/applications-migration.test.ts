import { describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { createScratchDatabase, useTestDatabase } from "../support/test-db";

// Upgrading a database with push deployments, bindings and pull repositories makes applications of them: no row is
// lost, every deployment, binding and repository belongs to an application, and the inventory keys are the ApplySet
// keys the rows had before (target id for push, repository id for pull), on SQLite and on PostgreSQL.
const t = useTestDatabase();
const MIGRATION = "20261206130709_applications";
const TABLES = [
  "Target",
  "Deployment",
  "DeploymentApproval",
  "RepoBinding",
  "PullRepo",
  "PullRepoSpec",
  "SyncEvent",
  "AuditEvent",
] as const;

async function counts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT count(*) AS n FROM "${table}"`);
    out[table] = Number(row!.n);
  }
  return out;
}

describe("the applications migration on a database with deployments, bindings and repositories", () => {
  it("makes one application per push target and per pull repository, and loses no row", async () => {
    const migrations = listMigrations(t.kind).map((m) => m.name);
    const before = migrations[migrations.indexOf(MIGRATION) - 1]!;
    const url = await createScratchDatabase(t.kind);
    await migrateDatabase(url, { until: before });

    const old = createDb(url);
    const now = new Date(Date.UTC(2026, 11, 1));
    const later = new Date(Date.UTC(2026, 11, 2));
    let seeded: Record<string, number>;
    try {
      // Raw SQL: the generated client knows only the new schema.
      for (const [id, mode] of [
        ["t-push", "push"],
        ["t-bound", "push"],
        ["t-idle", "push"],
        ["t-pull", "pull"],
      ] as const) {
        await old.$executeRaw`INSERT INTO "Target" ("id", "name", "environment", "mode", "serverUrl", "updatedAt", "createdAt") VALUES (${id}, ${`${id}-name`}, 'prod', ${mode}, 'https://k', ${now}, ${now})`;
      }
      const deployment = async (id: string, target: string, kind: string, at: Date, extra: Record<string, string>) => {
        const cols = ["id", "targetId", "state", "sourceKind", "manifests", "manifestsDigest", "objectCount"];
        const vals: unknown[] = [id, target, "succeeded", kind, "", "d", 1];
        for (const [k, v] of Object.entries(extra)) {
          cols.push(k);
          vals.push(v);
        }
        cols.push("requestedById", "requestedByKind", "requestedByName", "createdAt", "updatedAt");
        vals.push("u1", "user", "Ada", at, at);
        const marks = vals.map((_, i) => (t.kind === "postgresql" ? `$${i + 1}` : "?")).join(", ");
        await old.$executeRawUnsafe(
          `INSERT INTO "Deployment" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${marks})`,
          ...vals,
        );
      };
      await deployment("d-man", "t-push", "manifests", now, {});
      await deployment("d-git", "t-push", "git", later, {
        gitUrl: "https://git.example/org/web.git",
        gitRef: "main",
        gitPath: "deploy",
      });
      await old.$executeRaw`INSERT INTO "DeploymentApproval" ("id", "deploymentId", "approverId", "approverEmail", "approverName", "approverKind", "decision", "manifestsDigest") VALUES ('a1', 'd-git', 'u2', 'b@x', 'Bo', 'user', 'approve', 'd')`;
      await old.$executeRaw`INSERT INTO "RepoBinding" ("id", "targetId", "repoUrl", "branch", "path", "secretCiphertext", "createdById", "createdAt") VALUES ('b-push', 't-bound', 'https://git.example/org/api.git', 'release', 'k8s', 'x', 'u1', ${now})`;
      for (const [id, repoUrl, path] of [
        ["r-shop", "https://git.example/org/shop.git", "deploy/prod"],
        ["r-shop2", "https://git.example/other/shop", "deploy/prod"],
        ["r-root", "git@git.example:org/Infra_Base.git", "."],
      ] as const) {
        await old.$executeRaw`INSERT INTO "PullRepo" ("id", "targetId", "url", "branch", "path", "prune", "selfHeal", "createdById", "createdAt", "updatedAt") VALUES (${id}, 't-pull', ${repoUrl}, 'main', ${path}, false, true, 'u1', ${now}, ${now})`;
        await old.$executeRaw`INSERT INTO "PullRepoSpec" ("id", "repoId", "digest", "spec") VALUES (${`s-${id}`}, ${id}, 'dg', '{}')`;
      }
      await deployment("d-rev", "t-pull", "pull-revision", now, { pullRepoId: "r-shop", revision: "abc@dg" });
      await deployment("d-gone", "t-pull", "pull-revision", now, { pullRepoId: "r-removed", revision: "def@dg" });
      await old.$executeRaw`INSERT INTO "RepoBinding" ("id", "targetId", "repoUrl", "branch", "path", "secretCiphertext", "createdById") VALUES ('b-pull', 't-pull', 'https://git.example/org/shop.git', 'main', 'deploy/prod', 'x', 'u1')`;
      await old.$executeRaw`INSERT INTO "SyncEvent" ("id", "agentId", "targetId", "repoId", "occurredAt", "kind", "trigger", "result") VALUES ('e1', 'ag', 't-pull', 'r-shop', ${now}, 'sync', 'poll', 'synced')`;
      await old.$executeRaw`INSERT INTO "AuditEvent" ("id", "actorKind", "actorName", "action", "subjectType", "outcome", "prevHash", "hash") VALUES ('au1', 'user', 'Ada', 'repo.registered', 'pull-repo', 'success', '', 'h1')`;
      seeded = await counts(old);
    } finally {
      await old.$disconnect();
    }

    expect(await migrateDatabase(url)).toContain(MIGRATION);

    const db = createDb(url);
    try {
      expect(await counts(db)).toEqual(seeded);
      const apps = await db.application.findMany({ orderBy: [{ targetId: "asc" }, { name: "asc" }] });
      expect(
        apps.map((a) => [a.targetId, a.name, a.mode, a.sourceKind, a.repoUrl, a.ref, a.path, a.inventoryKey, a.prune]),
      ).toEqual([
        [
          "t-bound",
          "t-bound-name",
          "push",
          "git",
          "https://git.example/org/api.git",
          "release",
          "k8s",
          "t-bound",
          true,
        ],
        ["t-pull", "infra-base", "pull", "git", "git@git.example:org/Infra_Base.git", "main", ".", "r-root", false],
        [
          "t-pull",
          "shop-deploy-prod",
          "pull",
          "git",
          "https://git.example/org/shop.git",
          "main",
          "deploy/prod",
          "r-shop",
          false,
        ],
        [
          "t-pull",
          "shop-deploy-prod-2",
          "pull",
          "git",
          "https://git.example/other/shop",
          "main",
          "deploy/prod",
          "r-shop2",
          false,
        ],
        // A removed repository's approval stays with the target's default application.
        ["t-pull", "t-pull-name", "pull", "git", null, null, null, "t-pull", true],
        ["t-push", "t-push-name", "push", "git", "https://git.example/org/web.git", "main", "deploy", "t-push", true],
      ]);
      const appOf = new Map(apps.map((a) => [a.id, a.inventoryKey]));
      const deployments = await db.deployment.findMany({ orderBy: { id: "asc" } });
      expect(deployments.map((d) => [d.id, appOf.get(d.applicationId ?? "")])).toEqual([
        ["d-git", "t-push"],
        ["d-gone", "t-pull"],
        ["d-man", "t-push"],
        ["d-rev", "r-shop"],
      ]);
      const bindings = await db.repoBinding.findMany({ orderBy: { id: "asc" } });
      expect(bindings.map((b) => [b.id, appOf.get(b.applicationId ?? "")])).toEqual([
        ["b-pull", "r-shop"],
        ["b-push", "t-bound"],
      ]);
      const repos = await db.pullRepo.findMany({ orderBy: { id: "asc" } });
      expect(repos.map((r) => [r.id, appOf.get(r.applicationId ?? "")])).toEqual([
        ["r-root", "r-root"],
        ["r-shop", "r-shop"],
        ["r-shop2", "r-shop2"],
      ]);
    } finally {
      await db.$disconnect();
    }
  });
});
