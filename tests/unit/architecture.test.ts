import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script without types, shared with `node tests/support/import-graph.mjs`
import { analyse } from "../support/import-graph.mjs";

interface Report {
  rooms: string[];
  unplaced: string[];
  backUp: { arrow: string; example: string }[];
  cycles: string[][];
}

// The layering ARCHITECTURE.md describes ("Modules"), checked over the real imports: a room imports its own floor and
// the floors below it, and no two files import each other, directly or around a loop.
describe("the dependency picture", () => {
  const report = analyse() as Report;

  it("places every module on a floor", () => {
    expect(report.unplaced).toEqual([]);
  });

  it("has no arrow running back up a floor", () => {
    expect(report.backUp.map((b) => `${b.arrow} (${b.example})`)).toEqual([]);
  });

  it("has no import cycle between files", () => {
    expect(report.cycles).toEqual([]);
  });
});

describe("ARCHITECTURE.md's module table", () => {
  const root = path.resolve(__dirname, "../..");
  const text = readFileSync(path.join(root, "ARCHITECTURE.md"), "utf8");
  const table = text.slice(text.indexOf("## Modules"), text.indexOf("\n## ", text.indexOf("## Modules") + 1));
  // The first cell of each row: one or more `lib/x/` or `lib/x.ts` names.
  const named = table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!));

  it("has a row for every module of lib/", () => {
    const rooms = (analyse() as Report).rooms.filter((room) => room.startsWith("lib/"));
    const missing = rooms.filter((room) => !named.includes(`${room}/`) && !named.includes(`${room}.ts`));
    expect(missing).toEqual([]);
  });

  it("names only folders and files that exist", () => {
    expect(named.filter((name) => !existsSync(path.join(root, name)))).toEqual([]);
  });
});
