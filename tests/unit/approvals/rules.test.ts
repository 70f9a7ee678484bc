import { describe, expect, it } from "vitest";
import {
  approvalStatus,
  refusalFor,
  validApprovals,
  type ApprovalRecord,
  type ApprovalRule,
  type Approver,
} from "@/lib/approvals/rules";

const rule: ApprovalRule = {
  requiredApprovals: 2,
  approverRole: "approver",
  banRequester: true,
  banCommitAuthor: true,
  allowTokenApprovals: false,
  approvalTtlHours: 24,
};
const now = new Date("2026-06-01T12:00:00Z");
const d = { requesterId: "req", commitAuthorEmail: "Author@Example.com", manifestsDigest: "sha256:aaa" };
const approver = (id: string, over: Partial<Approver> = {}): Approver => ({
  userId: id,
  email: `${id}@x.io`,
  role: "approver",
  kind: "user",
  ...over,
});
const rec = (id: string, over: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  approverId: id,
  approverEmail: `${id}@x.io`,
  approverKind: "user",
  decision: "approved",
  manifestsDigest: "sha256:aaa",
  createdAt: new Date(now.getTime() - 60_000),
  ...over,
});

describe("who may approve", () => {
  it("refuses the requester, the commit author (any case), low roles and tokens", () => {
    expect(refusalFor(rule, d, approver("req"), [], now)).toBe("requester");
    expect(refusalFor(rule, d, approver("a", { email: "author@example.COM" }), [], now)).toBe("commit-author");
    expect(refusalFor(rule, d, approver("a", { role: "deployer" }), [], now)).toBe("role");
    expect(refusalFor(rule, d, approver("a", { role: "viewer" }), [], now)).toBe("role");
    expect(refusalFor(rule, d, approver("a", { kind: "api-token" }), [], now)).toBe("api-token");
    expect(refusalFor(rule, d, approver("a"), [], now)).toBeNull();
    expect(refusalFor(rule, d, approver("a", { role: "admin" }), [], now)).toBeNull();
  });

  it("refuses who changed a pull repository's settings for the revision that first applies them, and does not count their approval", () => {
    const pull = { ...d, settingsAuthorId: "changer" };
    expect(refusalFor(rule, pull, approver("changer"), [], now)).toBe("settings-author");
    expect(validApprovals(rule, pull, [rec("changer"), rec("a")], now).map((a) => a.approverId)).toEqual(["a"]);
    expect(refusalFor({ ...rule, banRequester: false }, pull, approver("changer"), [], now)).toBeNull();
    expect(refusalFor(rule, { ...d, settingsAuthorId: null }, approver("changer"), [], now)).toBeNull();
  });

  it("lets the requester approve only when the rule lifts the ban", () => {
    expect(refusalFor({ ...rule, banRequester: false }, d, approver("req"), [], now)).toBeNull();
  });

  it("refuses a second decision by the same person", () => {
    expect(refusalFor(rule, d, approver("a"), [rec("a")], now)).toBe("already-decided");
  });
});

describe("approval status", () => {
  it("needs N distinct people", () => {
    expect(
      approvalStatus(rule, d, [rec("a"), rec("a", { createdAt: new Date(now.getTime() - 1000) })], now).satisfied,
    ).toBe(false);
    expect(approvalStatus(rule, d, [rec("a"), rec("b")], now).satisfied).toBe(true);
  });

  it("voids approvals for other content and expired ones", () => {
    expect(validApprovals(rule, d, [rec("a", { manifestsDigest: "sha256:old" })], now)).toHaveLength(0);
    const justExpired = new Date(now.getTime() - 24 * 3_600_000 - 1);
    const justValid = new Date(now.getTime() - 24 * 3_600_000);
    expect(validApprovals(rule, d, [rec("a", { createdAt: justExpired })], now)).toHaveLength(0);
    expect(validApprovals(rule, d, [rec("a", { createdAt: justValid })], now)).toHaveLength(1);
  });

  it("ignores approvals from banned people even if recorded", () => {
    expect(validApprovals(rule, d, [rec("req"), rec("z", { approverEmail: "author@example.com" })], now)).toHaveLength(
      0,
    );
  });

  it("is rejected by one valid rejection", () => {
    const s = approvalStatus(rule, d, [rec("a"), rec("b"), rec("c", { decision: "rejected" })], now);
    expect(s.rejected).toBe(true);
    expect(s.satisfied).toBe(false);
  });

  it("is satisfied at once when the rule requires none", () => {
    expect(approvalStatus({ ...rule, requiredApprovals: 0 }, d, [], now).satisfied).toBe(true);
  });
});
