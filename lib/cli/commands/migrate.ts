import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { redactUrl } from "@/lib/db/url";
import { env } from "@/lib/env";

export async function run(): Promise<number> {
  const url = env().DATABASE_URL;
  const applied = await migrateDatabase(url);
  console.log(
    applied.length ? `applied ${applied.join(", ")} to ${redactUrl(url)}` : `${redactUrl(url)} is up to date`,
  );
  return 0;
}
