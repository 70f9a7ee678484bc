import { describe, expect, it } from "vitest";
import { PERMISSIONS, ROLES, can, roleAtLeast, type Permission } from "@/lib/auth/roles";

describe("the permission table", () => {
  it("lets every role read", () => {
    for (const role of ROLES) expect(can(role, "read")).toBe(true);
  });

  it("keeps administration to admins", () => {
    for (const p of ["targets.manage", "credentials.manage", "policies.manage", "users.manage"] as Permission[]) {
      expect(ROLES.filter((r) => can(r, p))).toEqual(["admin"]);
    }
  });

  it("separates requesting from approving", () => {
    expect(can("deployer", "deployments.request")).toBe(true);
    expect(can("deployer", "deployments.approve")).toBe(false);
    expect(can("approver", "deployments.approve")).toBe(true);
    expect(can("approver", "deployments.request")).toBe(false);
    expect(can("viewer", "deployments.request")).toBe(false);
    expect(can("viewer", "deployments.approve")).toBe(false);
  });

  it("gives admins every permission", () => {
    for (const p of Object.keys(PERMISSIONS) as Permission[]) expect(can("admin", p)).toBe(true);
  });

  it("orders roles for minimum-role checks", () => {
    expect(roleAtLeast("admin", "approver")).toBe(true);
    expect(roleAtLeast("approver", "approver")).toBe(true);
    expect(roleAtLeast("deployer", "approver")).toBe(false);
    expect(roleAtLeast("viewer", "deployer")).toBe(false);
  });
});
