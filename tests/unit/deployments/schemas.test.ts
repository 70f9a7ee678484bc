import { describe, expect, it } from "vitest";
import { describeRule, ZApprovalInput, ZGitPath, ZGitRef, ZGitUrl } from "@/lib/deployments/schemas";

describe("deployment schemas", () => {
  it("a rejection needs a comment; an approval does not", () => {
    expect(ZApprovalInput.safeParse({ decision: "rejected", comment: "  " }).success).toBe(false);
    expect(ZApprovalInput.safeParse({ decision: "rejected", comment: "wrong image" }).success).toBe(true);
    expect(ZApprovalInput.parse({ decision: "approved" })).toEqual({ decision: "approved", comment: "" });
  });

  it("accepts http(s), git and file repository URLs only", () => {
    for (const ok of [
      "https://git.example.com/a.git",
      "http://127.0.0.1:3000/a",
      "git://127.0.0.1:9418/a",
      "file:///tmp/repo",
    ])
      expect(ZGitUrl.safeParse(ok).success).toBe(true);
    for (const bad of [
      "ssh://git@example.com/a",
      "ext::sh -c id",
      "git@example.com:a.git",
      "https://u:p@example.com/a",
    ])
      expect(ZGitUrl.safeParse(bad).success).toBe(false);
  });

  it("refuses refs git would read as options or ranges, and paths leaving the repository", () => {
    expect(ZGitRef.safeParse("main").success).toBe(true);
    expect(ZGitRef.safeParse("release/1.2").success).toBe(true);
    for (const bad of ["--upload-pack=x", "a..b", "main~1", "HEAD^", "a b", "@{-1}"])
      expect(ZGitRef.safeParse(bad).success).toBe(false);
    expect(ZGitPath.parse("./deploy/")).toBe("deploy");
    expect(ZGitPath.parse("")).toBe(".");
    expect(ZGitPath.safeParse("../etc").success).toBe(false);
  });

  it("describes the rule in words", () => {
    expect(
      describeRule({
        requiredApprovals: 2,
        approverRole: "approver",
        banRequester: true,
        banCommitAuthor: true,
        allowTokenApprovals: false,
        approvalTtlHours: 24,
      }),
    ).toBe(
      "2 approvals from approvers or admins; the requester and the commit author may not approve; API tokens may not approve; approvals expire after 24 h",
    );
    expect(
      describeRule({
        requiredApprovals: 0,
        approverRole: "approver",
        banRequester: true,
        banCommitAuthor: true,
        allowTokenApprovals: false,
        approvalTtlHours: 24,
      }),
    ).toMatch(/No approval/);
  });
});
