import pg from "pg";
import { provideTemplateDatabase, testPgUrl } from "./test-db";

/**
 * Runs once before the PostgreSQL leg. When the server is unreachable the leg is skipped with a loud message,
 * unless WHARF_TEST_PG_URL was set explicitly (as CI does): then an unreachable server is a failure. When it is
 * reachable, migrates the template the leg's databases are copied from (provideTemplateDatabase).
 */
export default async function setup(
  project: { config: { include: string[] } } & Parameters<typeof provideTemplateDatabase>[0],
): Promise<void | (() => Promise<void>)> {
  const url = testPgUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    await client.end();
    console.log(`[wharf] PostgreSQL leg: running against ${new URL(url).host}`);
  } catch (e) {
    if (process.env.WHARF_TEST_PG_URL) {
      throw new Error(
        `PostgreSQL at WHARF_TEST_PG_URL is not reachable (${(e as Error).message}); CI must not skip this leg.`,
      );
    }
    console.warn(
      `\n[wharf] *** PostgreSQL leg SKIPPED: no server at ${new URL(url).host} (${(e as Error).message}). ` +
        "Set WHARF_TEST_PG_URL to run it. ***\n",
    );
    project.config.include = [];
    return;
  }
  return provideTemplateDatabase(project, "postgresql");
}
