import { describe, expect, it } from "vitest";
import { filterSearchParams, parseAuditListFilter } from "@/lib/audit/query";
import { parseAuditDetails } from "@/lib/audit/views";

describe("parseAuditListFilter", () => {
  it("keeps valid fields, normalises times to ISO, and drops invalid or empty ones one by one", () => {
    expect(
      parseAuditListFilter({
        actor: " alice ",
        action: "user.updated",
        outcome: "bogus",
        subject: "",
        from: "2026-01-02T03:04:05+02:00",
        to: "not a date",
        extra: "x",
      }),
    ).toEqual({ actor: "alice", action: "user.updated", from: "2026-01-02T01:04:05.000Z" });
  });

  it("takes the first of repeated parameters and ignores unknown actions", () => {
    expect(parseAuditListFilter({ outcome: ["denied", "success"], action: "user.deleted" })).toEqual({
      outcome: "denied",
    });
  });
});

describe("filterSearchParams", () => {
  it("omits empty fields so the API sees 'any'", () => {
    expect(filterSearchParams({ actor: "", action: "user.created" }, { cursor: undefined, limit: 50 }).toString()).toBe(
      "action=user.created&limit=50",
    );
  });
});

describe("parseAuditDetails", () => {
  it("parses objects and keeps anything else visible instead of failing", () => {
    expect(parseAuditDetails('{"a":1}')).toEqual({ a: 1 });
    expect(parseAuditDetails("[1]")).toEqual({ value: [1] });
    expect(parseAuditDetails("{oops")).toEqual({ unparsed: "{oops" });
  });
});
