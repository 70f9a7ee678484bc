import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";

const root = path.resolve(import.meta.dirname, "../../..");

function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (e) =>
        e.isFile() &&
        /\.(ts|tsx|mjs)$/.test(e.name) &&
        !path.join(e.parentPath, e.name).includes(`${path.sep}generated${path.sep}`),
    )
    .map((e) => path.join(e.parentPath, e.name));
}

describe("advisory lock ids", () => {
  it("are all different, single keys and two-key classes alike", () => {
    const ids = Object.values(ADVISORY_LOCKS);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("are taken from the one table: no pg_advisory_* call in lib/, app/ or prisma/ names a number of its own", () => {
    const literal = /pg_advisory_\w*\(\s*\d/;
    const offenders = ["lib", "app", "prisma"]
      .flatMap((d) => sourcesUnder(path.join(root, d)))
      .filter((f) => literal.test(fs.readFileSync(f, "utf8")));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
