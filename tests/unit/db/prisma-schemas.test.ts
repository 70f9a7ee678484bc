import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listMigrations } from "@/lib/db/migrate";

const root = path.resolve(import.meta.dirname, "../../..");
const read = (p: string) => fs.readFileSync(path.join(root, p), "utf8");
const modelsOf = (schema: string) => schema.slice(schema.indexOf("\nmodel ") + 1);

describe("the SQLite and PostgreSQL schemas", () => {
  it("are both generated from prisma/models.prisma and up to date", () => {
    // --check exits non-zero when either generated schema differs from what models.prisma renders.
    expect(() =>
      execFileSync(process.execPath, [path.join(root, "prisma/generate.mjs"), "--check"], { stdio: "pipe" }),
    ).not.toThrow();
  });

  it("share every model line for line", () => {
    const sqlite = read("prisma/sqlite/schema.prisma");
    const postgres = read("prisma/postgresql/schema.prisma");
    expect(modelsOf(sqlite)).toBe(modelsOf(postgres));
    expect(modelsOf(sqlite)).toBe(modelsOf(read("prisma/models.prisma")));
  });

  it("have the same migration history, one folder per change on each side", () => {
    const names = (kind: "sqlite" | "postgresql") => listMigrations(kind).map((m) => m.name);
    expect(names("sqlite").length).toBeGreaterThan(0);
    expect(names("postgresql")).toEqual(names("sqlite"));
  });

  it("create every model's table in both migration histories", () => {
    const models = [...read("prisma/models.prisma").matchAll(/^model (\w+) /gm)].map((m) => m[1]);
    for (const kind of ["sqlite", "postgresql"] as const) {
      const sql = listMigrations(kind)
        .map((m) => m.sql)
        .join("\n");
      for (const model of models)
        expect(sql, `${kind} migrations lack table ${model}`).toContain(`CREATE TABLE "${model}"`);
    }
  });
});
