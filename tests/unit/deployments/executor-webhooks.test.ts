import { describe, expect, it } from "vitest";
import { progressPercent } from "@/lib/deployments/progress-view";
import { githubSignature, parsePushEvent, verifyWebhook } from "@/lib/deployments/webhooks";

describe("verifyWebhook", () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  it("accepts GitHub's HMAC of the raw body and nothing else", () => {
    const headers = new Headers({ "x-hub-signature-256": githubSignature("s3cret", body) });
    expect(verifyWebhook("github", headers, body, "s3cret")).toBe(true);
    expect(verifyWebhook("github", headers, body, "other")).toBe(false);
    expect(verifyWebhook("github", headers, Buffer.from('{"ref":"refs/heads/evil"}'), "s3cret")).toBe(false);
    expect(verifyWebhook("github", new Headers(), body, "s3cret")).toBe(false);
    expect(verifyWebhook("github", new Headers({ "x-hub-signature-256": "sha1=abc" }), body, "s3cret")).toBe(false);
  });

  it("compares GitLab's token exactly", () => {
    expect(verifyWebhook("gitlab", new Headers({ "x-gitlab-token": "s3cret" }), body, "s3cret")).toBe(true);
    expect(verifyWebhook("gitlab", new Headers({ "x-gitlab-token": "s3cre" }), body, "s3cret")).toBe(false);
    expect(verifyWebhook("gitlab", new Headers(), body, "s3cret")).toBe(false);
  });
});

describe("parsePushEvent", () => {
  it("reads branch, commit and pusher; a deleted branch has no commit", () => {
    const sha = "a".repeat(40);
    const headers = new Headers({ "x-github-event": "push", "x-github-delivery": "d1" });
    const e = parsePushEvent("github", headers, {
      ref: "refs/heads/release/1.2",
      after: sha,
      pusher: { name: "octo" },
      repository: { clone_url: "https://x/y.git" },
    });
    expect(e).toMatchObject({
      isPush: true,
      branch: "release/1.2",
      commitSha: sha,
      pusher: "octo",
      deliveryId: "d1",
      repoUrls: ["https://x/y.git"],
    });
    const deleted = parsePushEvent("github", headers, { ref: "refs/heads/main", after: "0".repeat(40), deleted: true });
    expect(deleted.commitSha).toBeNull();
    const tag = parsePushEvent("github", headers, { ref: "refs/tags/v1", after: sha });
    expect(tag.branch).toBeNull();
  });
});

describe("progressPercent", () => {
  it("measures objects while applying, replicas during rollout, 100 on success", () => {
    const base = { state: "running", appliedCount: 3, objectCount: 4, readyReplicas: 1, desiredReplicas: 4 };
    expect(progressPercent({ ...base, phase: "applying" })).toEqual({ percent: 75, measuring: "objects" });
    expect(progressPercent({ ...base, phase: "waiting-rollout" })).toEqual({ percent: 25, measuring: "replicas" });
    expect(progressPercent({ ...base, state: "succeeded", phase: null }).percent).toBe(100);
    expect(progressPercent({ ...base, objectCount: 0, phase: "applying" }).percent).toBe(0);
  });

  it("does not report a failed rollout's ready replicas as progress", () => {
    // The new pods crash; the old ones still serve, so 2 of 2 are ready when the run fails.
    const failed = {
      state: "failed",
      phase: null,
      appliedCount: 1,
      objectCount: 2,
      readyReplicas: 2,
      desiredReplicas: 2,
    };
    expect(progressPercent(failed)).toEqual({ percent: 50, measuring: "objects" });
  });
});
