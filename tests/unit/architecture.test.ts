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
