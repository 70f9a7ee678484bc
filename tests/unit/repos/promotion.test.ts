import { describe, expect, it } from "vitest";
import { revisionIdOf, type TRepoSpec } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { imagesOfRevision, promotedRevisionId } from "@/lib/repos/promotion";

const sha = "0123456789abcdef0123456789abcdef01234567";
const spec = (path: string, policies: string[] = []): TRepoSpec => ({
  url: "https://git.example.test/shop.git",
  branch: "main",
  path,
  prune: true,
  imagePolicies: policies.map((name) => ({
    name,
    repository: `registry.example.test/${name}`,
    tagPattern: "^v(\\d+)$",
    order: "numeric",
    targets: [],
  })) as TRepoSpec["imagePolicies"],
});

describe("promotedRevisionId", () => {
  it("keeps the commit and takes the destination's spec digest (its own folder and settings)", () => {
    const staging = revisionIdOf(sha, {}, specDigestOf(spec("envs/staging")));
    expect(promotedRevisionId(staging, spec("envs/prod"))).toBe(`${sha}@${specDigestOf(spec("envs/prod"))}`);
  });

  it("carries the image tags chosen in the source for the policies the destination has by the same name", () => {
    const staging = revisionIdOf(sha, { api: "v7", web: "v3" }, specDigestOf(spec("s", ["api", "web"])));
    expect(imagesOfRevision(staging)).toEqual({ api: "v7", web: "v3" });
    const prod = spec("p", ["web"]);
    expect(promotedRevisionId(staging, prod)).toBe(revisionIdOf(sha, { web: "v3" }, specDigestOf(prod)));
  });

  it("reads ids of older agents (no digest, no images)", () => {
    expect(imagesOfRevision(sha)).toEqual({});
    expect(promotedRevisionId(sha, spec("p"))).toBe(`${sha}@${specDigestOf(spec("p"))}`);
  });
});
