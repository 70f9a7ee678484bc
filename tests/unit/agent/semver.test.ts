import { describe, expect, it } from "vitest";
import { compareSemVer, parseRange, parseSemVer, satisfies } from "@/lib/agent/semver";

const ok = (version: string, range: string) => satisfies(parseSemVer(version)!, range);

describe("semver", () => {
  it("parses versions with an optional v and rejects non-semver tags", () => {
    expect(parseSemVer("v1.2.3-rc.1+build.5")).toMatchObject({
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: ["rc", 1],
      raw: "v1.2.3-rc.1+build.5",
    });
    for (const tag of ["latest", "1.2", "01.2.3", "1.2.3.4", "main-abc123"]) expect(parseSemVer(tag)).toBeUndefined();
  });

  it("orders by precedence, pre-releases below their release", () => {
    const sorted = [
      "1.0.0",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta.11",
      "1.0.0-beta.2",
      "1.0.0-rc.1",
      "0.9.9",
      "1.10.0",
      "1.2.0",
    ]
      .map((t) => parseSemVer(t)!)
      .sort(compareSemVer)
      .map((v) => v.raw);
    expect(sorted).toEqual([
      "0.9.9",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.2.0",
      "1.10.0",
    ]);
  });

  it.each([
    ["^1", ["1.0.0", "1.2.0", "1.99.99"], ["2.0.0", "0.9.0", "2.0.0-rc.1", "1.3.0-rc.1"]],
    ["^1.2.3", ["1.2.3", "1.9.0"], ["1.2.2", "2.0.0"]],
    ["^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]],
    ["^0.0.3", ["0.0.3"], ["0.0.4"]],
    ["~1.2", ["1.2.0", "1.2.9"], ["1.3.0", "1.1.9"]],
    ["~1.2.3", ["1.2.3", "1.2.4"], ["1.3.0", "1.2.2"]],
    ["~1", ["1.0.0", "1.9.9"], ["2.0.0"]],
    [">=1.2.0 <2", ["1.2.0", "1.9.9"], ["2.0.0", "1.1.9"]],
    [">1.2", ["1.3.0"], ["1.2.9"]],
    ["<=1.2", ["1.2.9", "0.1.0"], ["1.3.0"]],
    ["1.x", ["1.0.0", "1.5.2"], ["2.0.0"]],
    ["1.2.*", ["1.2.7"], ["1.3.0"]],
    ["*", ["0.0.1", "9.9.9"], ["1.0.0-rc.1"]],
    ["1.2.3", ["1.2.3", "v1.2.3"], ["1.2.4"]],
    ["1.2 - 1.4", ["1.2.0", "1.4.9"], ["1.5.0", "1.1.0"]],
    ["1.2.3 - 1.4.0", ["1.4.0"], ["1.4.1"]],
    ["^1 || ^3", ["1.5.0", "3.1.0"], ["2.0.0"]],
    [">=2.0.0-rc.1 <3", ["2.0.0-rc.2", "2.1.0"], ["2.1.0-rc.1"]],
  ])("%s", (range, yes, no) => {
    for (const v of yes) expect(ok(v, range), `${v} satisfies ${range}`).toBe(true);
    for (const v of no) expect(ok(v, range), `${v} does not satisfy ${range}`).toBe(false);
  });

  it("rejects ranges it cannot read", () => {
    expect(() => parseRange("^one")).toThrow(/invalid version "one"/);
  });
});
