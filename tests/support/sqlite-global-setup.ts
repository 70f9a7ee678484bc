import { provideTemplateDatabase } from "./test-db";

/** Runs once before the SQLite leg: the migrated template every test file's database is copied from. */
export default function setup(project: Parameters<typeof provideTemplateDatabase>[0]): Promise<() => Promise<void>> {
  return provideTemplateDatabase(project, "sqlite");
}
