import { describe, expect, it } from "vitest";
import { repositoryName } from "@/lib/repos/url";

// Removing a push binding or a pull registration asks to type this name: it must name the repository, in every URL
// form the forms accept, and never come out empty (a branch like "main" was asked before, the same for most repos).
describe("repositoryName", () => {
  it.each([
    ["https://git.example.com/team/shop.git", "shop"],
    ["https://github.com/acme/shop/", "shop"],
    ["ssh://git@github.com:22/acme/shop.git", "shop"],
    ["git@github.com:acme/shop.git", "shop"],
    ["git@github.com:shop.git", "shop"],
    ["file:///var/lib/wharf/demo-repo", "demo-repo"],
    ["https://git.example.com/team/shop.git?ref=main#frag", "shop"],
  ])("%s → %s", (url, name) => {
    expect(repositoryName(url)).toBe(name);
  });

  it("falls back to the whole URL when it has no last segment", () => {
    expect(repositoryName("/")).toBe("/");
  });
});
