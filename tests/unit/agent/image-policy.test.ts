import { describe, expect, it } from "vitest";
import { overrideImages, parseImageReference, selectTag } from "@/lib/agent/image-policy";
import type { KubeObject } from "@/lib/kube";

describe("selectTag", () => {
  const tags = ["1.0.0", "1.2.0", "v1.10.0", "2.0.0", "1.11.0-rc.1", "latest", "sha-abc"];

  it("picks the highest semver tag in range and ignores non-semver tags", () => {
    expect(selectTag(tags, { semverRange: "^1" })).toBe("v1.10.0");
    expect(selectTag(tags, { semverRange: "~1.2" })).toBe("1.2.0");
    expect(selectTag(tags, { semverRange: ">=3" })).toBeUndefined();
  });

  it("orders regex matches numerically (by capture group) or alphabetically", () => {
    const builds = ["build-9", "build-10", "build-100", "main-20240101", "build-x"];
    expect(selectTag(builds, { tagPattern: "^build-(\\d+)$" })).toBe("build-100");
    expect(selectTag(builds, { tagPattern: "^build-(\\d+)$", ordering: "alphabetical" })).toBe("build-9");
    expect(
      selectTag(["main-20240131235959", "main-20240201000000", "main-9"], { tagPattern: "^main-(?<order>\\d+)$" }),
    ).toBe("main-20240201000000");
    expect(selectTag(["rel-a", "rel-c", "rel-b"], { tagPattern: "^rel-", ordering: "alphabetical" })).toBe("rel-c");
  });

  it("runs patterns in linear time: a catastrophic-backtracking pattern on its worst tag still answers", () => {
    // With JavaScript's backtracking RegExp this call did not return for minutes (2^34 paths); RE2 answers at once.
    const evil = `${"a".repeat(34)}!`;
    expect(selectTag([evil, "aaa", "a"], { tagPattern: "^(a+)+$", ordering: "alphabetical" })).toBe("aaa");
    expect(selectTag([evil], { tagPattern: "^(a+)+$" })).toBeUndefined();
  });

  it("refuses patterns RE2 cannot run, and ignores tags longer than a tag can be", () => {
    expect(() => selectTag(tags, { tagPattern: "^(?=v)v1" })).toThrow(
      /invalid tag pattern: .*unsupported Perl syntax.*lookaround/,
    );
    expect(() => selectTag(tags, { tagPattern: "^(a)\\1$" })).toThrow(
      /invalid tag pattern: .*invalid escape sequence.*Backreferences/,
    );
    expect(selectTag([`build-${"9".repeat(200)}`, "build-2"], { tagPattern: "^build-(\\d+)$" })).toBe("build-2");
  });

  it("refuses invalid policies with a clear code", () => {
    expect(() => selectTag(tags, { semverRange: "^x.y" })).toThrow(/invalid semver range/);
    expect(() => selectTag(tags, { tagPattern: "(" })).toThrow(/invalid tag pattern/);
    expect(() => selectTag(tags, {})).toThrow(/semver range or a tag pattern/);
  });
});

describe("parseImageReference", () => {
  it("splits registry, repository, tag and digest as container runtimes do", () => {
    expect(parseImageReference("nginx")).toEqual({ registry: "docker.io", repository: "library/nginx" });
    expect(parseImageReference("bitnami/redis:7")).toEqual({
      registry: "docker.io",
      repository: "bitnami/redis",
      tag: "7",
    });
    expect(parseImageReference("127.0.0.1:5000/team/web:1.2.0")).toEqual({
      registry: "127.0.0.1:5000",
      repository: "team/web",
      tag: "1.2.0",
    });
    expect(parseImageReference("localhost/app@sha256:abc")).toEqual({
      registry: "localhost",
      repository: "app",
      digest: "sha256:abc",
    });
    expect(parseImageReference("ghcr.io/org/app:v1@sha256:abc")).toMatchObject({
      registry: "ghcr.io",
      repository: "org/app",
      tag: "v1",
    });
  });
});

function workload(
  kind: string,
  name: string,
  containers: { name: string; image: string }[],
  init: { name: string; image: string }[] = [],
): KubeObject {
  const podSpec = { containers, ...(init.length ? { initContainers: init } : {}) };
  const spec =
    kind === "Pod"
      ? podSpec
      : kind === "CronJob"
        ? { jobTemplate: { spec: { template: { spec: podSpec } } } }
        : { template: { spec: podSpec } };
  return {
    apiVersion: kind === "CronJob" ? "batch/v1" : kind === "Pod" ? "v1" : "apps/v1",
    kind,
    metadata: { name, namespace: "shop" },
    spec,
  };
}

describe("overrideImages", () => {
  const objects = [
    workload(
      "Deployment",
      "web",
      [
        { name: "web", image: "ghcr.io/acme/web:1.0.0" },
        { name: "proxy", image: "envoyproxy/envoy:v1.30" },
      ],
      [{ name: "migrate", image: "ghcr.io/acme/web:1.0.0" }],
    ),
    workload("CronJob", "report", [{ name: "job", image: "ghcr.io/acme/web@sha256:0123" }]),
    workload("StatefulSet", "db", [{ name: "db", image: "ghcr.io/acme/db:1.0.0" }]),
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { image: "ghcr.io/acme/web:1.0.0" } },
  ];

  it("sets the tag on every container running the policy's image, and nothing else, leaving the input untouched", () => {
    const { objects: out, changes } = overrideImages(objects, { image: "ghcr.io/acme/web" }, "1.2.0");
    expect(changes).toEqual([
      {
        ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
        container: "migrate",
        from: "ghcr.io/acme/web:1.0.0",
        to: "ghcr.io/acme/web:1.2.0",
      },
      {
        ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
        container: "web",
        from: "ghcr.io/acme/web:1.0.0",
        to: "ghcr.io/acme/web:1.2.0",
      },
      {
        ref: { apiVersion: "batch/v1", kind: "CronJob", namespace: "shop", name: "report" },
        container: "job",
        from: "ghcr.io/acme/web@sha256:0123",
        to: "ghcr.io/acme/web:1.2.0",
      },
    ]);
    expect(JSON.stringify(out[2])).toBe(JSON.stringify(objects[2]));
    expect(out[3]).toBe(objects[3]);
    expect(JSON.stringify(objects[0])).toContain("ghcr.io/acme/web:1.0.0");
  });

  it("narrows to the targeted workload kind, name and container", () => {
    const { changes } = overrideImages(
      objects,
      { image: "ghcr.io/acme/web", targets: [{ kind: "Deployment", name: "web", container: "web" }] },
      "2.0.0",
    );
    expect(changes.map((c) => `${c.ref.kind}/${c.ref.name}/${c.container}`)).toEqual(["Deployment/web/web"]);
    expect(overrideImages(objects, { image: "ghcr.io/acme/web", targets: [{ name: "db" }] }, "2.0.0").changes).toEqual(
      [],
    );
  });

  it("matches Docker Hub images however they are spelled", () => {
    const pod = workload("Pod", "p", [
      { name: "a", image: "nginx:1.25" },
      { name: "b", image: "docker.io/library/nginx:1.25" },
    ]);
    const { changes } = overrideImages([pod], { image: "docker.io/library/nginx" }, "1.27");
    expect(changes.map((c) => c.to)).toEqual(["nginx:1.27", "docker.io/library/nginx:1.27"]);
  });
});
