import { describe, expect, it } from "vitest";
import { repoApplicationName, toDnsLabel, uniqueName } from "@/lib/applications/naming";

describe("application names", () => {
  it("are DNS labels made of the repository's last segment and path", () => {
    expect(repoApplicationName("https://git.example/org/shop.git", "deploy/prod")).toBe("shop-deploy-prod");
    expect(repoApplicationName("git@git.example:org/Infra_Base.git", ".")).toBe("infra-base");
    expect(repoApplicationName("https://git.example/org/web/", "./k8s")).toBe("web-k8s");
    expect(repoApplicationName("https://git.example/", ".")).toBe("git-example");
    expect(repoApplicationName("---", ".")).toBe("app");
  });

  it("stay within 63 characters and end in a letter or digit", () => {
    const long = toDnsLabel(`${"a".repeat(62)}-b`);
    expect(long).toBe("a".repeat(62));
    expect(uniqueName("a".repeat(63), new Set(["a".repeat(63)]))).toBe(`${"a".repeat(61)}-2`);
  });

  it("take the first free suffix", () => {
    expect(uniqueName("shop", new Set())).toBe("shop");
    expect(uniqueName("shop", new Set(["shop", "shop-2"]))).toBe("shop-3");
  });
});
