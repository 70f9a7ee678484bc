// Upgrading a database: the schema migrations (lib/db/migrate.ts) and, right after some of them, a step that fills new
// columns by a domain's own rule. Plain Node (no server-only): `npm start`, the CLI, the tests and the benchmarks call it
// before anything else touches the database.
import { runMigrations, type AfterMigrationSteps } from "@/lib/db/migrate";
import { databaseKind } from "@/lib/db/url";

/** Applies pending migrations and their after-migration steps to the database at `url`; returns the applied names. */
export function migrateDatabase(url: string, opts: { until?: string } = {}): Promise<string[]> {
  return runMigrations(url, { ...opts, afterMigration: AFTER_MIGRATION });
}

/**
 * Steps a migration's SQL cannot express without a second copy of one of Wharf's rules (and in two SQL dialects):
 * they run right after the named migration is applied, with a Prisma client, when `table` holds rows (a new
 * database has nothing to fill). Each step is idempotent, and a command reruns it: `npm run wharf -- credential-status`,
 * `npm run wharf -- rollups all`.
 */
const AFTER_MIGRATION: AfterMigrationSteps = {
  // Status boundaries (overdueAt, dueSoonAt, …) by the one rule in lib/credentials/status.ts, and scope verdicts
  // out of the scopeSummary JSON.
  "20261126132551_credential_status_scope": { table: "Credential", run: backfillCredentialColumns },
  // SyncEvent.committedAt (from the details the agent sent) and the recovery marks (outageStartedAt) of rows stored
  // before the columns existed, with the rollups they belong to: a rebuild of every day that holds deliveries.
  "20261126132747_deployment_list_filters": { table: "Target", run: rebuildDeliveryHistory },
  // The target name copy (list order) and autoRotateAt (nextRotation under an autoRotate policy).
  "20261126135309_credential_list_order": { table: "Credential", run: recomputeCredentialColumns },
  // Pull applications made from repositories get their names by the rule new registrations use (the SQL gave them
  // a placeholder label): the repository URL's last segment and path, unique per target.
  "20261206130709_applications": { table: "PullRepo", run: nameRepoApplications },
  // The repository key of bindings, pull repositories and applications, by lib/repos/url.ts repoKey (host case,
  // ports, path case on known forges: no SQL of either dialect says it the same way). Every such row has a target.
  "20261206134900_repo_key": { table: "Target", run: backfillRepoKeys },
  // The Applications list's stored sync status and health, by the rule the list computed per row until then.
  "20261206221207_application_status_columns": { table: "Application", run: backfillApplicationStatus },
};

async function backfillApplicationStatus(url: string): Promise<void> {
  const [{ createDb }, { recomputeApplicationStatus }] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/applications/status-columns"),
  ]);
  const db = createDb(url);
  try {
    await recomputeApplicationStatus(db, "all");
  } finally {
    await db.$disconnect();
  }
}

async function backfillRepoKeys(url: string): Promise<void> {
  const [{ createDb }, { repoKey }] = await Promise.all([import("@/lib/db/client"), import("@/lib/repos/url")]);
  const db = createDb(url);
  try {
    for (const b of await db.repoBinding.findMany({ select: { id: true, repoUrl: true } }))
      await db.repoBinding.update({ where: { id: b.id }, data: { repoKey: repoKey(b.repoUrl) } });
    for (const r of await db.pullRepo.findMany({ select: { id: true, url: true } }))
      await db.pullRepo.update({ where: { id: r.id }, data: { repoKey: repoKey(r.url) } });
    for (const a of await db.application.findMany({
      where: { repoUrl: { not: null } },
      select: { id: true, repoUrl: true },
    }))
      await db.application.update({ where: { id: a.id }, data: { repoKey: repoKey(a.repoUrl!) } });
  } finally {
    await db.$disconnect();
  }
}

async function nameRepoApplications(url: string): Promise<void> {
  const [{ createDb }, naming] = await Promise.all([import("@/lib/db/client"), import("@/lib/applications/naming")]);
  const db = createDb(url);
  try {
    const repos = await db.pullRepo.findMany({
      where: { applicationId: { not: null } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, url: true, path: true, targetId: true, application: { select: { id: true, name: true } } },
    });
    for (const repo of repos) {
      const app = repo.application;
      if (!app || app.name !== naming.placeholderRepoApplicationName(repo.id)) continue;
      const names = await db.application.findMany({ where: { targetId: repo.targetId }, select: { name: true } });
      const taken = new Set(names.map((n) => n.name));
      const name = naming.uniqueName(naming.repoApplicationName(repo.url, repo.path), taken);
      await db.application.update({ where: { id: app.id }, data: { name } });
    }
  } finally {
    await db.$disconnect();
  }
}

async function backfillCredentialColumns(url: string): Promise<void> {
  const [{ createDb }, columns, { parseScopeSummary }] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/credentials/status-columns"),
    import("@/lib/credentials/scope"),
  ]);
  const db = createDb(url);
  try {
    await columns.recomputeCredentialStatusColumns(db, { dialect: databaseKind(url) });
    await columns.backfillScopeColumns(db, { parse: parseScopeSummary });
  } finally {
    await db.$disconnect();
  }
}

async function recomputeCredentialColumns(url: string): Promise<void> {
  const [{ createDb }, columns] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/credentials/status-columns"),
  ]);
  const db = createDb(url);
  try {
    await columns.recomputeCredentialStatusColumns(db, { dialect: databaseKind(url) });
  } finally {
    await db.$disconnect();
  }
}

async function rebuildDeliveryHistory(url: string): Promise<void> {
  const [{ createDb }, rollups] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/rollups/rebuild-delivery-rollups"),
  ]);
  const db = createDb(url);
  try {
    const span = await rollups.deliveryHistorySpan(db);
    if (span) await rollups.rebuildDeliveryRollups(db, { ...span, dialect: databaseKind(url) });
  } finally {
    await db.$disconnect();
  }
}
