import { describe, expect, it } from "vitest";
import { repoKey } from "@/lib/repos/url";

describe("repoKey", () => {
  it("gives clone, SSH, scp-like and web spellings of one repository one key", () => {
    const forms = [
      "https://github.com/Team/App.git",
      "https://GitHub.com/team/app",
      "https://github.com/team/app/",
      "http://github.com/team/app.git",
      "git@github.com:team/app.git",
      "git@GitHub.com:Team/App.git",
      "ssh://git@github.com/team/app.git",
      "ssh://git@github.com:22/team/app",
      "git://github.com/team/app",
      "https://user:token@github.com:443/team/app.git",
      "github.com/team/app/",
    ];
    expect(new Set(forms.map(repoKey))).toEqual(new Set(["github.com/team/app"]));
  });

  it("folds the case of host and path, except in file:// paths", () => {
    expect(repoKey("https://gitlab.com/Acme/App")).toBe("gitlab.com/acme/app");
    expect(repoKey("https://bitbucket.org/Acme/App.git")).toBe("bitbucket.org/acme/app");
    expect(repoKey("https://Git.Example.com/Acme/App.git")).toBe("git.example.com/acme/app");
    expect(repoKey("file:///tmp/repos/Demo.git")).toBe("file:/tmp/repos/Demo");
  });

  it("keeps a non-default port and drops the default one", () => {
    expect(repoKey("https://git.example.com:8443/a/b")).toBe("git.example.com:8443/a/b");
    expect(repoKey("https://git.example.com:443/a/b")).toBe("git.example.com/a/b");
    expect(repoKey("ssh://git@git.example.com:2222/a/b")).toBe("git.example.com:2222/a/b");
  });

  it("keeps different repositories apart", () => {
    expect(repoKey("https://github.com/team/app")).not.toBe(repoKey("https://github.com/team/app2"));
    expect(repoKey("https://github.com/team/app")).not.toBe(repoKey("https://gitlab.com/team/app"));
    expect(repoKey("file:///srv/git/App")).not.toBe(repoKey("file:///srv/git/app"));
    expect(repoKey("https://git.example.com:8443/a/b")).not.toBe(repoKey("https://git.example.com/a/b"));
  });
});
