import { describe, expect, it } from "vitest";
import { markDifferences, orderEnvironments, sameRevision } from "@/lib/applications/matrix";
import type { TMatrixEntry, TMatrixRevision } from "@/lib/applications/matrix-schemas";

const rev = (over: Partial<TMatrixRevision>): TMatrixRevision => ({
  commitSha: null,
  manifestsDigest: null,
  revisionId: null,
  deploymentId: null,
  at: null,
  ...over,
});
const entry = (revision: TMatrixRevision | null): TMatrixEntry => ({
  applicationId: "a",
  target: { id: "t", name: "t" },
  mode: "push",
  revision,
  result: { state: "succeeded", at: null, message: null },
  health: null,
  differsFromPrevious: null,
});

describe("environments matrix rules", () => {
  it("orders the configured environments first (without case), the rest alphabetically", () => {
    expect(orderEnvironments(["qa", "prod", "Dev", "staging", "canary"], ["dev", "staging", "prod"])).toEqual([
      "Dev",
      "staging",
      "prod",
      "canary",
      "qa",
    ]);
    expect(orderEnvironments(["b", "a"], [])).toEqual(["a", "b"]);
  });

  it("compares by commit when both have one, else by manifests digest, else cannot tell", () => {
    expect(
      sameRevision(rev({ commitSha: "ABC", manifestsDigest: "1" }), rev({ commitSha: "abc", manifestsDigest: "2" })),
    ).toBe(true);
    expect(sameRevision(rev({ commitSha: "abc" }), rev({ commitSha: "def" }))).toBe(false);
    expect(sameRevision(rev({ manifestsDigest: "1" }), rev({ manifestsDigest: "1" }))).toBe(true);
    expect(sameRevision(rev({ manifestsDigest: "1" }), rev({ commitSha: "abc" }))).toBe(null);
  });

  it("marks each cell against the nearest earlier environment with something live", () => {
    const cells = [
      [entry(rev({ commitSha: "a" }))],
      [],
      [entry(null)],
      [entry(rev({ commitSha: "a" })), entry(rev({ commitSha: "b" }))],
      [entry(rev({ commitSha: "b" }))],
    ];
    markDifferences(cells);
    expect(cells.map((c) => c.map((e) => e.differsFromPrevious))).toEqual([[null], [], [null], [false, true], [false]]);
  });
});
