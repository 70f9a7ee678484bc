import { describe, expect, it } from "vitest";
import { claimValues, parseOidcRoleMap, roleFromClaim, safeReturnTo } from "@/lib/auth/oidc-roles";

const map = parseOidcRoleMap("platform-admins=admin, release-approvers=approver,devs=deployer");

describe("OIDC role mapping", () => {
  it("takes the highest mapped role, viewer when nothing maps", () => {
    expect(roleFromClaim(["devs", "release-approvers"], map)).toBe("approver");
    expect(roleFromClaim(["release-approvers", "platform-admins"], map)).toBe("admin");
    expect(roleFromClaim(["devs"], map)).toBe("deployer");
    expect(roleFromClaim(["marketing"], map)).toBe("viewer");
    expect(roleFromClaim(undefined, map)).toBe("viewer");
  });

  it("reads a string claim as space- or comma-separated names and ignores non-strings", () => {
    expect(claimValues("devs release-approvers,x")).toEqual(["devs", "release-approvers", "x"]);
    expect(claimValues(["a", 3, null, "b"])).toEqual(["a", "b"]);
    expect(roleFromClaim("devs", map)).toBe("deployer");
  });

  it("rejects a malformed map instead of silently demoting everyone", () => {
    expect(() => parseOidcRoleMap("devs=superuser")).toThrow(/WHARF_OIDC_ROLE_MAP/);
    expect(() => parseOidcRoleMap("devs")).toThrow(/WHARF_OIDC_ROLE_MAP/);
    expect(parseOidcRoleMap("").size).toBe(0);
  });

  it("keeps returnTo on Wharf's own origin", () => {
    expect(safeReturnTo("/targets?env=prod#x")).toBe("/targets?env=prod#x");
    expect(safeReturnTo("//evil.example")).toBe("/");
    expect(safeReturnTo("/\\evil.example")).toBe("/");
    expect(safeReturnTo("https://evil.example/")).toBe("/");
    expect(safeReturnTo("javascript:alert(1)")).toBe("/");
    expect(safeReturnTo(null)).toBe("/");
  });
});
