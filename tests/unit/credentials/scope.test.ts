import { describe, expect, it } from "vitest";
import { isClusterAdminEquivalent, parseScopeSummary } from "@/lib/credentials/scope";

describe("credential scope", () => {
  it("flags only a rule granting every verb on every resource of every API group", () => {
    expect(isClusterAdminEquivalent([{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }])).toBe(true);
    expect(isClusterAdminEquivalent([{ verbs: ["get", "list"], apiGroups: ["*"], resources: ["*"] }])).toBe(false);
    expect(isClusterAdminEquivalent([{ verbs: ["*"], apiGroups: ["apps"], resources: ["*"] }])).toBe(false);
    expect(isClusterAdminEquivalent([{ verbs: ["*"], apiGroups: ["*"], resources: ["deployments"] }])).toBe(false);
    expect(isClusterAdminEquivalent([])).toBe(false);
  });

  it("reads the stored summary, ignoring anything unreadable", () => {
    expect(parseScopeSummary(null)).toBeNull();
    expect(parseScopeSummary("not json")).toBeNull();
    expect(parseScopeSummary('{"clusterAdmin":"yes"}')).toBeNull();
    expect(parseScopeSummary('{"clusterAdmin":true,"checkedAt":"2026-01-01T00:00:00Z"}')).toEqual({
      clusterAdmin: true,
      checkedAt: "2026-01-01T00:00:00Z",
    });
  });
});
