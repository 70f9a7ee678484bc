import { describe, expect, it } from "vitest";
import {
  belowGoal,
  formatMarkdown,
  formatTable,
  notRun,
  percentile,
  ratioRow,
  type MachineInfo,
} from "../../bench/support/table";

const machine: MachineInfo = { cores: 2, cpu: "Test CPU @ 2.0GHz", node: "v22.0.0", date: "2026-12-06T20:00:00Z" };

describe("bench table", () => {
  it("says met or not met from the value against the goal", () => {
    expect(belowGoal("pull", "p95", 900, 1000).met).toBe(true);
    expect(belowGoal("pull", "p95", 1000, 1000).met).toBe(false);
    expect(belowGoal("pull", "p95", Number.NaN, 1000)).toMatchObject({ value: "—", met: false });
    expect(ratioRow("apply", "ratio", 0.5, 0.5)).toMatchObject({ value: "0.50", goal: "≤ 0.50", met: true });
    expect(ratioRow("apply", "ratio", 0.59, 0.5).met).toBe(false);
  });

  it("prints the machine beside one aligned table, with not-run rows in it", () => {
    const text = formatTable(
      [
        belowGoal("pull", "commit → synced p95", 170, 2000),
        ratioRow("apply", "lib/kube / kubectl", 0.59, 0.5),
        notRun("dashboard", "no production build"),
      ],
      machine,
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe("machine: 2 cores (Test CPU @ 2.0GHz), Node v22.0.0, 2026-12-06T20:00:00Z");
    expect(lines[2]).toMatch(/^bench\s+figure\s+goal\s+value\s+met$/);
    expect(lines[4]).toMatch(/^pull\s+commit → synced p95\s+< 2000 ms\s+170 ms\s+met$/);
    expect(lines[5]).toMatch(/^apply\s+lib\/kube \/ kubectl\s+≤ 0\.50\s+0\.59\s+not met$/);
    expect(lines[6]).toMatch(/^dashboard\s+—\s+—\s+not run: no production build\s+not run$/);
    // Columns line up: every row's "goal" cell starts where the header's does.
    const goalAt = lines[2]!.indexOf("goal");
    expect(lines[4]!.indexOf("< 2000 ms")).toBe(goalAt);
    expect(lines[5]!.indexOf("≤ 0.50")).toBe(goalAt);
  });

  it("writes the same rows as Markdown, escaping pipes", () => {
    const md = formatMarkdown([ratioRow("apply", "a | b", 0.4, 0.5), notRun("push", "boom")], machine);
    expect(md.split("\n")).toEqual([
      "Machine: 2 cores (Test CPU @ 2.0GHz), Node v22.0.0, 2026-12-06T20:00:00Z",
      "",
      "| bench | figure | goal | value | met |",
      "| --- | --- | --- | --- | --- |",
      "| apply | a \\| b | ≤ 0.50 | 0.40 | met |",
      "| push | — | — | not run: boom | not run |",
      "",
    ]);
  });

  it("takes the nearest-rank percentile", () => {
    const sorted = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(10);
    expect(percentile(sorted, 95)).toBe(19);
    expect(percentile([], 95)).toBeNaN();
  });
});
