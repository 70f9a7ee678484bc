import { describe, expect, it } from "vitest";
import {
  HEARTBEAT_INTERVAL_MS,
  ZImagePolicy,
  commitOfRevision,
  revisionIdOf,
  specDigestOfRevision,
  specOf,
} from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { ZCheckedImagePolicies } from "@/lib/agent/tag-pattern";
import { parseRevisionId } from "@/lib/agent/sync";
import { shortRevision } from "@/components/pull/sync-badges";
import { ZRegisterRepo } from "@/lib/repos/schemas";
import { agentStateOf, isAgentStale } from "@/lib/agents/schemas";
import { agentInstallSnippet } from "@/lib/agents/snippet";
import { overallState } from "@/lib/sync/schemas";
import { decodeSyncCursor, encodeSyncCursor } from "@/lib/sync/cursor";

const ZRegisterRepoSafe = (v: unknown) => ZRegisterRepo.safeParse(v);
const now = new Date("2026-11-26T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("stale agents", () => {
  it("are stale after three missed heartbeats, not before", () => {
    expect(isAgentStale(ago(HEARTBEAT_INTERVAL_MS * 3 - 1), now)).toBe(false);
    expect(isAgentStale(ago(HEARTBEAT_INTERVAL_MS * 3 + 1), now)).toBe(true);
    expect(isAgentStale(null, now)).toBe(true);
    expect(isAgentStale(ago(25_000), now, 5_000)).toBe(true);
  });

  it("have a state for people", () => {
    const base = { revokedAt: null, enrolledAt: ago(1000), enrolmentExpiresAt: null, lastSeenAt: ago(1000) };
    expect(agentStateOf(base, now)).toBe("online");
    expect(agentStateOf({ ...base, lastSeenAt: ago(HEARTBEAT_INTERVAL_MS * 4) }, now)).toBe("stale");
    expect(agentStateOf({ ...base, revokedAt: ago(1) }, now)).toBe("revoked");
    expect(agentStateOf({ ...base, enrolledAt: null, enrolmentExpiresAt: ago(-1000) }, now)).toBe("awaiting-enrolment");
    expect(agentStateOf({ ...base, enrolledAt: null, enrolmentExpiresAt: ago(1000) }, now)).toBe("enrolment-expired");
  });
});

describe("overall pull state", () => {
  it("is the worst repository state, unknown while some have not reported", () => {
    expect(overallState([])).toBe("no-repos");
    expect(overallState([null])).toBe("unknown");
    expect(overallState(["in-sync", "in-sync"])).toBe("in-sync");
    expect(overallState(["in-sync", null])).toBe("unknown");
    expect(overallState(["in-sync", "drifted", "pending-approval"])).toBe("drifted");
    expect(overallState(["drifted", "failed", null])).toBe("failed");
  });
});

describe("protocol", () => {
  it("image policies need exactly one of semver and tagPattern, and a valid pattern", () => {
    const base = { name: "app", repository: "127.0.0.1:5000/team/app" };
    expect(ZImagePolicy.safeParse({ ...base, semver: "^1" }).success).toBe(true);
    expect(ZImagePolicy.safeParse({ ...base, tagPattern: "^v(\\d+)$", order: "numeric" }).success).toBe(true);
    expect(ZImagePolicy.safeParse(base).success).toBe(false);
    expect(ZImagePolicy.safeParse({ ...base, semver: "^1", tagPattern: "x" }).success).toBe(false);
    // The pattern itself is checked where policies are accepted (the forms' schema carries no RE2), and there only.
    expect(ZImagePolicy.safeParse({ ...base, tagPattern: "([" }).success).toBe(true);
    expect(ZCheckedImagePolicies.safeParse([{ ...base, tagPattern: "([" }]).success).toBe(false);
    expect(ZCheckedImagePolicies.safeParse([{ ...base, tagPattern: "^v(\\d+)$" }]).success).toBe(true);
    expect(ZImagePolicy.safeParse({ ...base, repository: "https://127.0.0.1:5000/app", semver: "^1" }).success).toBe(
      false,
    );
    expect(ZImagePolicy.safeParse({ ...base, repository: "127.0.0.1:5000/app:1.0", semver: "^1" }).success).toBe(false);
  });

  it("registration rules: poll interval of at least 5 s, no credentials in URLs", () => {
    expect(ZRegisterRepoSafe({ url: "https://x.test/a.git", pollIntervalSeconds: 5 }).success).toBe(true);
    expect(ZRegisterRepoSafe({ url: "https://x.test/a.git", pollIntervalSeconds: 4 }).success).toBe(false);
    expect(ZRegisterRepoSafe({ url: "https://u:p@x.test/a.git" }).success).toBe(false);
    expect(ZRegisterRepoSafe({ url: "git@x.test:org/a.git" }).success).toBe(true);
    expect(ZRegisterRepoSafe({ url: "https://x.test/a.git", branch: "--upload-pack=x" }).success).toBe(false);
    expect(ZRegisterRepoSafe({ url: "https://x.test/a.git", path: "../etc" }).success).toBe(false);
  });

  it("revision ids name the commit and the chosen image tags, in a stable order", () => {
    expect(revisionIdOf("abc")).toBe("abc");
    expect(revisionIdOf("abc", { web: "1.2.0", api: "2.0.1" })).toBe("abc+api=2.0.1,web=1.2.0");
    expect(commitOfRevision("abc+api=2.0.1")).toBe("abc");
  });
});

describe("repository specs in revision ids", () => {
  const spec = {
    url: "https://git.example.test/team/app.git",
    branch: "main",
    path: "deploy",
    prune: true,
    imagePolicies: [ZImagePolicy.parse({ name: "web", repository: "127.0.0.1:5000/team/web", semver: "^1" })],
  };

  it("any apply-relevant change is another digest; key order and unrelated fields are not", () => {
    const digest = specDigestOf(spec);
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    for (const change of [
      { url: "https://git.example.test/team/other.git" },
      { branch: "release" },
      { path: "other" },
      { prune: false },
      { imagePolicies: [] },
    ]) {
      expect(specDigestOf({ ...spec, ...change })).not.toBe(digest);
    }
    expect(specDigestOf({ ...spec, imagePolicies: [{ ...spec.imagePolicies[0]!, semver: "^2" }] })).not.toBe(digest);
    const reordered = { imagePolicies: spec.imagePolicies, prune: true, path: "deploy", branch: "main", url: spec.url };
    expect(specDigestOf(reordered)).toBe(digest);
    expect(specDigestOf(specOf({ ...spec, ...{ pollIntervalSeconds: 5, selfHeal: false } }))).toBe(digest);
  });

  it("default render options leave the digest as it was before they existed; any other render option changes it", () => {
    // The digest this spec had before render options were part of specs (computed with the earlier specDigestOf):
    // repositories whose application keeps the defaults must keep their applied revision's id across the upgrade,
    // or every approval-gated target would show its live revision as a new one awaiting approval.
    const before = "28d4f5fd928c7c95a4038a2809a75afc";
    expect(specDigestOf(spec)).toBe(before);
    expect(specDigestOf({ ...spec, render: { kind: "auto" } })).toBe(before);
    expect(specDigestOf({ ...spec, render: { kind: "auto", helm: { valuesFiles: [], values: {} } } })).toBe(before);
    // What the dashboard sends for such a repository is the spec without `render` at all: assignments unchanged too.
    expect(specOf({ ...spec, render: { kind: "auto", helm: { valuesFiles: [], values: {} } } })).toEqual(spec);

    const helm = { kind: "helm" as const, helm: { valuesFiles: ["values-prod.yaml"], values: { greeting: "hi" } } };
    const digests = new Set(
      [
        { kind: "plain" as const },
        { kind: "kustomize" as const },
        { kind: "helm" as const },
        { kind: "auto" as const, helm: { releaseName: "web", valuesFiles: [], values: {} } },
        { kind: "auto" as const, helm: { valuesFiles: ["values-prod.yaml"], values: {} } },
        { kind: "auto" as const, helm: { valuesFiles: [], values: { greeting: "hi" } } },
        helm,
        { ...helm, helm: { ...helm.helm, values: { greeting: "hello" } } },
        { ...helm, helm: { ...helm.helm, values: { greeting: ["hi"] } } },
        { ...helm, helm: { ...helm.helm, values: { greeting: { 0: "hi" } } } },
        { ...helm, helm: { ...helm.helm, valuesFiles: ["values-prod.yaml", "values-eu.yaml"] } },
        { ...helm, helm: { ...helm.helm, repositories: [{ name: "charts", url: "https://charts.example.test" }] } },
      ].map((render) => specDigestOf({ ...spec, render })),
    );
    expect(digests.size).toBe(12);
    expect(digests.has(before)).toBe(false);
    // Inline values hash alike whatever order their keys were stored in, at every level.
    const a = { kind: "helm" as const, helm: { valuesFiles: [], values: { a: 1, b: { x: 1, y: [1, 2] } } } };
    const b = { kind: "helm" as const, helm: { valuesFiles: [], values: { b: { y: [1, 2], x: 1 }, a: 1 } } };
    expect(specDigestOf({ ...spec, render: a })).toBe(specDigestOf({ ...spec, render: b }));
    // The spec carries only what says something: an empty Helm part of a chart is left out.
    expect(specOf({ ...spec, render: { kind: "helm", helm: { valuesFiles: [], values: {} } } }).render).toEqual({
      kind: "helm",
    });
  });

  it("revision ids end with the spec digest; commit, images and digest parse back", () => {
    const id = revisionIdOf("abc", { web: "1.2.0" }, "d1");
    expect(id).toBe("abc+web=1.2.0@d1");
    expect(commitOfRevision(id)).toBe("abc");
    expect(specDigestOfRevision(id)).toBe("d1");
    expect(parseRevisionId(id)).toEqual({ sha: "abc", images: { web: "1.2.0" }, specDigest: "d1" });
    expect(commitOfRevision("abc@d1")).toBe("abc");
    expect(specDigestOfRevision("abc+web=1.2.0")).toBeNull();
    expect(parseRevisionId("abc+web=1.2.0")).toEqual({ sha: "abc", images: { web: "1.2.0" }, specDigest: null });
  });

  it("read short in tables: commit, tags, and the start of the spec digest", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    expect(shortRevision(revisionIdOf(sha, { web: "1.2.0" }, "fedcba9876543210fedcba9876543210"))).toBe(
      "0123456789 + web=1.2.0 @fedcba98",
    );
    expect(shortRevision(revisionIdOf(sha, {}, "fedcba9876543210fedcba9876543210"))).toBe("0123456789 @fedcba98");
    expect(shortRevision(sha)).toBe("0123456789");
  });
});

describe("sync cursors and the install snippet", () => {
  it("round-trip cursors and reject garbage", () => {
    const at = new Date("2026-01-01T00:00:00.123Z");
    expect(decodeSyncCursor(encodeSyncCursor(at, "id-1"))).toEqual({ occurredAt: at, id: "id-1" });
    expect(decodeSyncCursor("nope")).toBeNull();
  });

  it("puts the URL and the secret in the agent's Secret", () => {
    const s = agentInstallSnippet({
      wharfUrl: "http://127.0.0.1:3000",
      secret: "wharfe_abc",
      secretKind: "enrolment-token",
      agentName: "a",
    });
    expect(s).toContain('WHARF_URL="http://127.0.0.1:3000"');
    expect(s).toContain('  enrolment-token: "wharfe_abc"');
    expect(s).toContain("name: wharf-agent-credential");
    const rotated = agentInstallSnippet({
      wharfUrl: "u",
      secret: "wharfa_x",
      secretKind: "credential",
      agentName: "a",
    });
    expect(rotated).toContain('  credential: "wharfa_x"');
    expect(rotated).toContain("rollout restart");
  });
});
